/**
 * Storefront pages, pure parts: escaping (markup typed by an influencer renders as text, in content
 * and in attributes), what the page links to and shows, its HTTP rules (ETag, 304, which requests
 * count as a view) and the admin body's 400 rules.
 */
import { createHash } from 'node:crypto';
import { escapeHtml, html, safeImageUrl, trustedHtml } from '../../functions/common/domain/storefront-html';
import {
  initialsOf,
  itemHref,
  renderNotFoundPage,
  renderStorefrontPage,
  STOREFRONT_CSP,
  type StorefrontPageInput,
  visibleItems,
} from '../../functions/common/domain/storefront-page';
import { countsAsView, etagOf, ifNoneMatchHits } from '../../functions/common/domain/storefront-rules';
import { zodIssues } from '../../functions/common/http/request';
import { handleSchema, putStorefrontSchema } from '../../functions/common/schemas/storefronts';

const BASE = 'https://go.example.com';
const ATTACK = '<script>alert(1)</script>';
const ATTR_ATTACK = '"><img src=x onerror=alert(1)>';

const page = (overrides: Partial<StorefrontPageInput> = {}) =>
  renderStorefrontPage({
    handle: 'anna-summer',
    title: 'Summer picks',
    influencerName: 'Anna Example',
    publicBaseUrl: BASE,
    items: [
      {
        code: 'anna-1',
        title: 'Linen shirt',
        imageUrl: 'https://cdn.example.com/shirt.jpg',
        note: 'Runs small',
      },
      { code: 'anna-2', title: 'Straw hat' },
    ],
    ...overrides,
  });

/** Every tag name that opens in the markup, lower-cased, e.g. ['html', 'head', 'meta', ...]. */
const tagsOf = (markup: string) =>
  [...markup.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]?.toLowerCase());
const attr = (markup: string, tag: string, name: string) =>
  [...markup.matchAll(new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('escaping', () => {
  it.each([
    ['<b>', '&lt;b&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted"', '&quot;quoted&quot;'],
    ["it's", 'it&#39;s'],
    ['&amp;', '&amp;amp;'],
    ['plain', 'plain'],
  ])('escapeHtml(%j) is %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('escapes every interpolation of the html tag, passes safe markup through, joins lists', () => {
    const inner = html`<i>${'<x>'}</i>`;
    const out = html`<p title="${ATTR_ATTACK}">${ATTACK}${inner}${['<a>', html`<b>`]}${undefined}${false}${3}</p>`;
    expect(out.value).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&lt;script&gt;alert(1)&lt;/script&gt;' +
        '<i>&lt;x&gt;</i>&lt;a&gt;<b>3</p>',
    );
    expect(trustedHtml('<hr>').value).toBe('<hr>');
  });

  it('renders a title, a note and a name with markup as text, in the body and in every meta tag', () => {
    const out = page({
      title: `${ATTACK} & ${ATTR_ATTACK}`,
      influencerName: `Eve ${ATTACK}`,
      items: [{ code: 'eve-1', title: ATTR_ATTACK, note: ATTACK, imageUrl: 'https://cdn.example.com/a.jpg' }],
    });
    // No element came out of the data: the only tags are the page's own.
    expect(tagsOf(out).filter((t) => t === 'script')).toHaveLength(0);
    expect(tagsOf(out).filter((t) => t === 'img')).toHaveLength(1);
    expect(out).not.toContain(ATTACK);
    expect(out).not.toContain(ATTR_ATTACK);
    expect(out).toContain(
      '<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</h1>',
    );
    expect(out).toContain('<p class="note">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(attr(out, 'img', 'alt')).toEqual(['&quot;&gt;&lt;img src=x onerror=alert(1)&gt;']);
    expect(attr(out, 'meta', 'content')).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;',
    );
    expect(out).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; ');
  });

  it('escapes URLs inside attributes: the & of a query and whatever a URL may still carry', () => {
    const out = page({
      items: [
        { code: 'anna-1', title: 'Shirt', imageUrl: "https://cdn.example.com/a.jpg?w=600&h=600&q='x'" },
      ],
    });
    const src = attr(out, 'img', 'src')[0] ?? '';
    expect(src).toContain('w=600&amp;h=600');
    expect(src).not.toMatch(/["'<>]/);
    expect(attr(out, 'a', 'href')).toEqual([
      'https://go.example.com/anna-1?utm_source=storefront&amp;utm_medium=influencer_storefront',
    ]);
  });

  it.each([
    ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/a.jpg'],
    ['https://cdn.example.com/a b".jpg', 'https://cdn.example.com/a%20b%22.jpg'],
    ['http://cdn.example.com/a.jpg', undefined],
    ['javascript:alert(1)', undefined],
    ['data:image/svg+xml,<svg onload=alert(1)>', undefined],
    ['//cdn.example.com/a.jpg', undefined],
    ['https://user:pw@cdn.example.com/a.jpg', undefined],
    ['not a url', undefined],
  ])('safeImageUrl(%j) is %j', (input, expected) => {
    expect(safeImageUrl(input)).toBe(expected);
  });

  it('leaves out an image that is not https even if one was stored', () => {
    const out = page({ items: [{ code: 'anna-1', title: 'Shirt', imageUrl: 'javascript:alert(1)' }] });
    expect(tagsOf(out)).not.toContain('img');
    expect(out).not.toContain('javascript:');
  });
});

describe('the page', () => {
  const out = page();

  it('is a complete, mobile-first document with a title, a language and link-preview tags', () => {
    expect(out.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(out).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(out).toContain('<title>Summer picks · Anna Example</title>');
    expect(out).toContain('<link rel="canonical" href="https://go.example.com/s/anna-summer">');
    expect(out).toContain('<meta property="og:title" content="Summer picks">');
    expect(out).toContain('<meta property="og:url" content="https://go.example.com/s/anna-summer">');
    expect(out).toContain('<meta property="og:image" content="https://cdn.example.com/shirt.jpg">');
    expect(out).toContain('<meta property="og:description" content="2 picks hand-picked by Anna Example.">');
    expect(out).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(out).toContain('Picked by Anna Example · 2 picks');
    // Inline CSS, no script, no external stylesheet or font.
    expect(tagsOf(out)).toContain('style');
    expect(tagsOf(out)).not.toContain('script');
    expect(out).not.toMatch(/<link[^>]+stylesheet/);
  });

  it('links every item through its short link with the storefront marker, in the given order', () => {
    expect(attr(out, 'a', 'href')).toEqual([
      'https://go.example.com/anna-1?utm_source=storefront&amp;utm_medium=influencer_storefront',
      'https://go.example.com/anna-2?utm_source=storefront&amp;utm_medium=influencer_storefront',
    ]);
    expect(itemHref(BASE, 'a_b-c')).toBe(
      'https://go.example.com/a_b-c?utm_source=storefront&utm_medium=influencer_storefront',
    );
  });

  it('lazy-loads images with their size reserved and alt text; an item without image gets a placeholder', () => {
    const img = /<img [^>]*>/.exec(out)?.[0] ?? '';
    expect(img).toContain('loading="lazy"');
    expect(img).toContain('width="600"');
    expect(img).toContain('height="600"');
    expect(img).toContain('alt="Linen shirt"');
    expect(out).toContain('<span class="ph" aria-hidden="true">S</span>');
    expect(out).toContain('<p class="note">Runs small</p>');
  });

  it('allows its own inline stylesheet and nothing else in the Content-Security-Policy', () => {
    const css = /<style>([\s\S]*?)<\/style>/.exec(out)?.[1] ?? '';
    const hash = createHash('sha256').update(css, 'utf8').digest('base64');
    expect(STOREFRONT_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(STOREFRONT_CSP).toContain("default-src 'none'");
    expect(STOREFRONT_CSP).toContain('img-src https:');
  });

  it('says so when there is nothing to show, and uses a summary card without an image', () => {
    const empty = page({ items: [] });
    expect(empty).toContain('No picks here yet');
    expect(empty).toContain('0 picks');
    expect(empty).not.toContain('og:image');
    expect(empty).toContain('<meta name="twitter:card" content="summary">');
    expect(page({ items: [{ code: 'x-1', title: 'One' }] })).toContain('· 1 pick<');
  });

  it('has a 404 page of its own, not indexed', () => {
    const notFound = renderNotFoundPage();
    expect(notFound).toContain('<html lang="en">');
    expect(notFound).toContain('<title>Storefront not found</title>');
    expect(notFound).toContain('<meta name="robots" content="noindex">');
  });

  it.each([
    ['Anna Example', 'AE'],
    ['anna', 'A'],
    ['  élodie   de la tour ', 'ÉD'],
    ['😀 Smile', '😀S'],
    ['', ''],
  ])('initials of %j are %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });

  it('shows only items whose link exists, belongs to the influencer and is enabled', () => {
    const items = ['ok', 'disabled', 'gone', 'theirs'].map((code) => ({ code, title: code }));
    const links = new Map([
      ['ok', { influencerId: 'inf-a', disabled: false }],
      ['disabled', { influencerId: 'inf-a', disabled: true }],
      ['theirs', { influencerId: 'inf-b', disabled: false }],
    ]);
    expect(visibleItems(items, links, 'inf-a').map((i) => i.code)).toEqual(['ok']);
  });
});

describe('HTTP rules', () => {
  it('gives the same ETag to the same bytes and another to any change', () => {
    expect(etagOf(page())).toBe(etagOf(page()));
    expect(etagOf(page())).not.toBe(etagOf(page({ title: 'Summer picks!' })));
    expect(etagOf('x')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  const tag = '"abc"';
  it.each([
    [undefined, false],
    ['', false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
  ])('If-None-Match %j matches "abc": %s', (header, hit) => {
    expect(ifNoneMatchHits(header, tag)).toBe(hit);
  });

  it.each([
    [{ method: 'GET', bot: false }, true],
    [{ method: 'get', bot: false }, true],
    [{ method: 'HEAD', bot: false }, false],
    [{ method: 'GET', bot: true }, false],
    [{ method: 'GET', bot: false, purpose: 'prefetch' }, false],
    [{ method: 'GET', bot: false, purpose: 'prefetch;prerender' }, false],
    [{ method: 'GET', bot: false, purpose: 'prerender' }, true],
  ])('countsAsView(%j) is %s', (input, counted) => {
    expect(countsAsView(input)).toBe(counted);
  });
});

describe('the admin body (400 rules)', () => {
  const item = (n: number) => ({ code: `code-${n}`, title: `Item ${n}` });
  const body = (overrides: Record<string, unknown> = {}) => ({
    influencerId: 'inf-a',
    title: 'Picks',
    items: [item(1)],
    ...overrides,
  });
  const issuePaths = (input: unknown) => {
    const parsed = putStorefrontSchema.safeParse(input);
    return parsed.success ? [] : zodIssues(parsed.error).map((i) => i.path);
  };

  it('accepts 100 items, empty ones, https images and notes, trimming text and normalising URLs', () => {
    const items = Array.from({ length: 100 }, (_, n) => item(n));
    expect(issuePaths(body({ items }))).toEqual([]);
    expect(issuePaths(body({ items: [] }))).toEqual([]);
    const parsed = putStorefrontSchema.parse(
      body({
        title: '  Picks ',
        items: [{ ...item(1), imageUrl: 'https://CDN.example.com/a b.jpg', note: ' n ' }],
      }),
    );
    expect(parsed.title).toBe('Picks');
    expect(parsed.items[0]).toEqual({
      code: 'code-1',
      title: 'Item 1',
      imageUrl: 'https://cdn.example.com/a%20b.jpg',
      note: 'n',
    });
  });

  it.each([
    ['101 items', body({ items: Array.from({ length: 101 }, (_, n) => item(n)) }), 'items'],
    [
      'an http image',
      body({ items: [{ ...item(1), imageUrl: 'http://cdn.example.com/a.jpg' }] }),
      'items.0.imageUrl',
    ],
    [
      'a javascript: image',
      body({ items: [item(1), { ...item(2), imageUrl: 'javascript:alert(1)' }] }),
      'items.1.imageUrl',
    ],
    ['a relative image', body({ items: [{ ...item(1), imageUrl: '/a.jpg' }] }), 'items.0.imageUrl'],
    ['a bad code', body({ items: [{ ...item(1), code: 'a/b' }] }), 'items.0.code'],
    ['a reserved code', body({ items: [{ ...item(1), code: 'admin' }] }), 'items.0.code'],
    ['the same code twice', body({ items: [item(1), item(2), item(1)] }), 'items.2.code'],
    ['an empty item title', body({ items: [{ ...item(1), title: '   ' }] }), 'items.0.title'],
    ['a note over 500 characters', body({ items: [{ ...item(1), note: 'n'.repeat(501) }] }), 'items.0.note'],
    ['an unknown item field', body({ items: [{ ...item(1), price: 5 }] }), 'items.0'],
    ['no title', body({ title: undefined }), 'title'],
    ['a title over 200 characters', body({ title: 't'.repeat(201) }), 'title'],
    ['no influencer', body({ influencerId: undefined }), 'influencerId'],
    ['items not a list', body({ items: {} }), 'items'],
    ['an unknown field', body({ theme: 'dark' }), ''],
  ])('refuses %s', (_, input, path) => {
    expect(issuePaths(input)).toContain(path);
  });

  it.each([
    ['ab', false],
    ['abc', true],
    ['Anna_Summer-2026', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['anna summer', false],
    ['anna/summer', false],
    ['annä', false],
    ['anna.summer', false],
  ])('handle %j is valid: %s', (handle, ok) => {
    expect(handleSchema.safeParse(handle).success).toBe(ok);
  });
});
