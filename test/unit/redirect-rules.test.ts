import fc from 'fast-check';
import {
  classifyUserAgent,
  hashIp,
  isValidVisitorId,
  newVisitorId,
  redirectLocation,
  referrerHost,
  utmOf,
  visitorCookie,
} from '../../functions/common/domain/redirect';
import { checkTargetUrl } from '../../functions/common/domain/target-url';

describe('redirectLocation', () => {
  it.each([
    ['adds the click id', 'https://s.example.com/p', '', 'https://s.example.com/p?clk=ID'],
    [
      'keeps the target query and fragment',
      'https://s.example.com/p?a=1&b=2#top',
      '',
      'https://s.example.com/p?a=1&b=2&clk=ID#top',
    ],
    [
      'forwards utm parameters',
      'https://s.example.com/p',
      'utm_source=ig&utm_medium=social',
      'https://s.example.com/p?utm_source=ig&utm_medium=social&clk=ID',
    ],
    [
      'lets the short link override the target utm',
      'https://s.example.com/p?utm_source=old',
      'utm_source=new',
      'https://s.example.com/p?utm_source=new&clk=ID',
    ],
    [
      'drops other short-link parameters',
      'https://s.example.com/p',
      'fbclid=x&ref=y',
      'https://s.example.com/p?clk=ID',
    ],
    [
      'replaces a click id already on the target',
      'https://s.example.com/p?clk=forged',
      '',
      'https://s.example.com/p?clk=ID',
    ],
    [
      'refuses a click id smuggled in the short link',
      'https://s.example.com/p',
      'clk=forged',
      'https://s.example.com/p?clk=ID',
    ],
    [
      'encodes forwarded values',
      'https://s.example.com/p',
      'utm_content=a%20b%26c',
      'https://s.example.com/p?utm_content=a+b%26c&clk=ID',
    ],
    [
      'keeps the target query byte for byte (no +, no =, no %3B, no %7E)',
      'https://s.example.com/p?q=a%20b&flag&p=1;2&t=~x',
      '',
      'https://s.example.com/p?q=a%20b&flag&p=1;2&t=~x&clk=ID',
    ],
    [
      'keeps the bytes and the fragment when forwarding utm',
      'https://s.example.com/p?q=a%20b&flag#sec?x=1&y',
      'utm_source=ig',
      'https://s.example.com/p?q=a%20b&flag&utm_source=ig&clk=ID#sec?x=1&y',
    ],
    [
      'replaces a target utm in place and leaves its neighbours alone',
      'https://s.example.com/p?a=%7E&utm_source=old&b&utm_source=older',
      'utm_source=new',
      'https://s.example.com/p?a=%7E&utm_source=new&b&clk=ID',
    ],
    [
      'replaces an encoded click id on the target, wherever it is',
      'https://s.example.com/p?x=1;2&%63lk=forged&y=+',
      '',
      'https://s.example.com/p?x=1;2&clk=ID&y=+',
    ],
    ['adds to an empty query', 'https://s.example.com/p?', '', 'https://s.example.com/p?clk=ID'],
    ['keeps a trailing separator', 'https://s.example.com/p?a=1&', '', 'https://s.example.com/p?a=1&&clk=ID'],
  ])('%s', (_, targetUrl, rawQueryString, expected) => {
    expect(redirectLocation({ targetUrl, clickIdParam: 'clk', clickId: 'ID', rawQueryString })).toBe(
      expected,
    );
  });

  it('uses the merchant parameter name, and sends bots without any click id', () => {
    expect(
      redirectLocation({
        targetUrl: 'https://s.example.com/p',
        clickIdParam: 'ref',
        clickId: 'ID',
        rawQueryString: '',
      }),
    ).toBe('https://s.example.com/p?ref=ID');
    expect(
      redirectLocation({
        targetUrl: 'https://s.example.com/p?ref=x',
        clickIdParam: 'ref',
        clickId: undefined,
        rawQueryString: 'ref=y',
      }),
    ).toBe('https://s.example.com/p');
    const untouched = 'https://s.example.com/p?q=a%20b&flag&p=1;2&t=~x#f';
    expect(
      redirectLocation({
        targetUrl: untouched,
        clickIdParam: 'clk',
        clickId: undefined,
        rawQueryString: 'x=1',
      }),
    ).toBe(untouched);
  });

  it('a link created with such a target stores its query unchanged', () => {
    const target = 'https://shop.example.com/p?q=a%20b&flag&p=1;2&t=~x#top';
    expect(checkTargetUrl(target, ['shop.example.com'])).toEqual({ ok: true, url: target });
  });

  // Query pieces without the click id or utm names: "&" separates them, "#" would end the query.
  const queryChars = fc.constantFrom(..."abcxyz019=;~%+!$'()*,/:@?-._".split(''));
  const piece = fc
    .array(queryChars, { maxLength: 12 })
    .map((cs) => cs.join(''))
    .filter((p) => !/^(clk|utm_)/i.test(p) && !p.startsWith('%'));
  const query = fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => ps.join('&'));
  const fragment = fc.option(
    fc.array(fc.constantFrom(...'ab#?&=%'.split('')), { maxLength: 8 }).map((cs) => `#${cs.join('')}`),
    { nil: '' },
  );

  it('property: the target query is kept as a prefix, the fragment as the end', () => {
    fc.assert(
      fc.property(query, fragment, fc.boolean(), (q, frag, bot) => {
        const targetUrl = `https://s.example.com/p?${q}${frag}`;
        const location = redirectLocation({
          targetUrl,
          clickIdParam: 'clk',
          clickId: bot ? undefined : 'ID',
          rawQueryString: 'utm_source=ig',
        });
        const rest = `&utm_source=ig${bot ? '' : '&clk=ID'}`;
        // An empty query takes no separator in front of what is added.
        const kept = q === '' ? rest.slice(1) : `${q}${rest}`;
        expect(location).toBe(`https://s.example.com/p?${kept}${frag}`);
      }),
    );
  });
});

describe('the click id parameter', () => {
  it('is encoded exactly as a form would encode it, plain or not', () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9*._-]*$/);
    fc.assert(
      fc.property(fc.oneof(plain, fc.string()), fc.oneof(plain, fc.string()), (name, clickId) => {
        expect(
          redirectLocation({
            targetUrl: 'https://s.example.com/p',
            clickIdParam: name,
            clickId,
            rawQueryString: '',
          }),
        ).toBe(`https://s.example.com/p?${new URLSearchParams([[name, clickId]]).toString()}`);
      }),
    );
  });
});

describe('utmOf', () => {
  it('keeps only utm parameters, lower-cased names', () => {
    expect(utmOf('UTM_Source=ig&x=1&utm_campaign=fall')).toEqual({ utm_source: 'ig', utm_campaign: 'fall' });
    expect(utmOf('x=1')).toBeUndefined();
    expect(utmOf(undefined)).toBeUndefined();
  });
});

describe('classifyUserAgent', () => {
  it.each([
    [
      'iPhone Safari',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      { bot: false, device: 'mobile', os: 'iOS', browser: 'Mobile Safari' },
    ],
    [
      'desktop Chrome',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      { bot: false, device: 'desktop', os: 'Windows', browser: 'Chrome' },
    ],
    [
      'iPad',
      'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      { bot: false, device: 'tablet' },
    ],
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { bot: true }],
    [
      'facebook preview',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      { bot: true },
    ],
    ['curl', 'curl/8.5.0', { bot: true }],
    ['python', 'python-requests/2.31.0', { bot: true }],
    [
      'headless Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
      { bot: true },
    ],
    ['empty', '', { bot: true }],
    ['missing', undefined, { bot: true }],
  ])('%s', (_, ua, expected) => {
    expect(classifyUserAgent(ua)).toMatchObject(expected);
  });
});

describe('referrerHost', () => {
  it.each([
    ['https://www.instagram.com/p/abc?igsh=123', 'www.instagram.com'],
    ['https://L.Facebook.com/', 'l.facebook.com'],
    ['android-app://com.google.android.gm/', 'com.google.android.gm'],
    ['not a url', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (referer, host) => {
    expect(referrerHost(referer)).toBe(host);
  });
});

describe('visitor ids and cookie', () => {
  it('makes 128-bit URL-safe ids that validate, and rejects malformed ones', () => {
    const ids = new Set(Array.from({ length: 1000 }, newVisitorId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toHaveLength(22);
      expect(isValidVisitorId(id)).toBe(true);
    }
    for (const bad of [
      undefined,
      '',
      'short',
      'has space in it 1234567',
      'x'.repeat(65),
      'abc;def=ghijklmnopqrstuv',
    ]) {
      expect(isValidVisitorId(bad)).toBe(false);
    }
  });

  it('sets the cookie attributes the contract names', () => {
    expect(visitorCookie('abc')).toBe('vid=abc; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax');
  });
});

describe('hashIp', () => {
  it('is keyed: the same IP hashes differently under another key, and the IP is not in the hash', () => {
    const a = hashIp(Buffer.alloc(32, 1), '203.0.113.9');
    expect(a).toBe(hashIp(Buffer.alloc(32, 1), '203.0.113.9'));
    expect(a).not.toBe(hashIp(Buffer.alloc(32, 2), '203.0.113.9'));
    expect(a).not.toContain('203');
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
