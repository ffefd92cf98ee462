/**
 * The storefront page (CONTRACT §3, `GET /s/{handle}`), rendered to a string: pure, no I/O. Phones
 * are where creators' audiences tap links, so the layout is mobile-first (two columns on a phone,
 * more on wider screens), has no script and no web font, and carries its CSS inline: one request
 * paints the page, and the images load lazily with their size reserved so nothing jumps.
 */
import { createHash } from 'node:crypto';
import { html, type SafeHtml, safeImageUrl, trustedHtml } from './storefront-html';

export interface StorefrontPageItem {
  code: string;
  title: string;
  imageUrl?: string;
  note?: string;
}

export interface StorefrontPageInput {
  handle: string;
  title: string;
  influencerName: string;
  /** The items to show, in order (hidden ones already left out, see `visibleItems`). */
  items: readonly StorefrontPageItem[];
  /** Where short links are served, without a trailing slash, e.g. `https://go.example.com`. */
  publicBaseUrl: string;
}

/**
 * The marker every storefront click carries. The redirect forwards `utm_*` parameters to the
 * merchant and records them on the click, so both sides can tell a storefront click from a click on
 * the same link shared elsewhere.
 */
export const STOREFRONT_UTM = { utm_source: 'storefront', utm_medium: 'influencer_storefront' } as const;

/** Rendered size of item images; the attributes reserve a square box before the image arrives. */
export const IMAGE_SIZE = 600;

export const storefrontUrl = (publicBaseUrl: string, handle: string) =>
  `${publicBaseUrl}/s/${encodeURIComponent(handle)}`;

/** The item's short link, so the product click is a logged click (one per tap). */
export const itemHref = (publicBaseUrl: string, code: string) =>
  `${publicBaseUrl}/${encodeURIComponent(code)}?${new URLSearchParams(STOREFRONT_UTM).toString()}`;

/**
 * Which items are shown: those whose link still exists, still belongs to the storefront's
 * influencer and is not disabled. A disabled link answers 410, so its card would be a dead end.
 */
export function visibleItems<I extends { code: string }>(
  items: readonly I[],
  links: ReadonlyMap<string, { influencerId: string; disabled: boolean }>,
  influencerId: string,
): I[] {
  return items.filter((item) => {
    const link = links.get(item.code);
    return link !== undefined && link.influencerId === influencerId && !link.disabled;
  });
}

/** Up to two initials for the avatar, by code point (so an emoji or accented letter stays whole). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.slice(0, 2).map((word) => [...word][0] ?? '');
  return letters.join('').toUpperCase();
}

const CSS = `:root{color-scheme:light dark;--bg:#f6f4f1;--card:#fff;--text:#1d1b19;--muted:#6d6862;--accent:#c2185b;--line:rgba(29,27,25,.09)}
@media (prefers-color-scheme:dark){:root{--bg:#131211;--card:#1f1d1b;--text:#f3f1ee;--muted:#aaa39b;--accent:#f06292;--line:rgba(255,255,255,.1)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
.wrap{max-width:1000px;margin:0 auto;padding:28px 14px 36px}
header{text-align:center;padding:0 8px 22px}
.avatar{width:76px;height:76px;border-radius:50%;margin:0 auto 12px;display:grid;place-items:center;font-weight:700;font-size:28px;letter-spacing:.02em;color:#fff;background:linear-gradient(135deg,#f58529,#dd2a7b 55%,#8134af);box-shadow:0 0 0 3px var(--bg),0 0 0 5px var(--line)}
h1{font-size:1.55rem;line-height:1.2;margin:0 0 6px;overflow-wrap:anywhere}
.by{margin:0;color:var(--muted);font-size:.95rem;overflow-wrap:anywhere}
.grid{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}
@media (min-width:640px){.grid{grid-template-columns:repeat(3,minmax(0,1fr));gap:16px}.wrap{padding-top:44px}}
@media (min-width:920px){.grid{grid-template-columns:repeat(4,minmax(0,1fr))}}
.grid li{display:flex}
.card{display:flex;flex-direction:column;width:100%;background:var(--card);border-radius:16px;overflow:hidden;text-decoration:none;color:inherit;box-shadow:0 1px 3px var(--line),0 0 0 1px var(--line);transition:transform .15s ease,box-shadow .15s ease}
.card:hover{transform:translateY(-2px);box-shadow:0 6px 18px var(--line),0 0 0 1px var(--line)}
.card:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.media{display:block;width:100%;height:auto;aspect-ratio:1/1;object-fit:cover;background:var(--line)}
.ph{display:grid;place-items:center;aspect-ratio:1/1;font-size:2.6rem;font-weight:700;color:var(--muted);background:var(--line)}
.body{display:flex;flex-direction:column;gap:4px;flex:1;padding:10px 12px 12px}
.t{margin:0;font-size:.95rem;font-weight:600;line-height:1.3;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}
.note{margin:0;color:var(--muted);font-size:.84rem;line-height:1.35;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}
.cta{margin-top:auto;padding-top:6px;font-size:.85rem;font-weight:600;color:var(--accent)}
.empty{text-align:center;color:var(--muted)}
footer{margin:30px auto 0;max-width:34rem;text-align:center;color:var(--muted);font-size:.78rem}`;

/**
 * The Content-Security-Policy of every storefront response: no script at all, images only over
 * https, and the one inline stylesheet allowed by its hash. Escaping is the first defence against
 * injected markup; this is the second.
 */
export const STOREFRONT_CSP = [
  "default-src 'none'",
  'img-src https:',
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const head = (title: string, extra: SafeHtml) => html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
${extra}<style>${trustedHtml(CSS)}</style>
</head>`;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function card(item: StorefrontPageItem, publicBaseUrl: string): SafeHtml {
  const image = safeImageUrl(item.imageUrl);
  const media = image
    ? html`<img class="media" src="${image}" alt="${item.title}" loading="lazy" decoding="async" width="${IMAGE_SIZE}" height="${IMAGE_SIZE}">`
    : html`<span class="ph" aria-hidden="true">${[...item.title.trim()][0]?.toUpperCase() ?? ''}</span>`;
  return html`<li><a class="card" href="${itemHref(publicBaseUrl, item.code)}" rel="sponsored">
${media}<span class="body"><h2 class="t">${item.title}</h2>${item.note ? html`<p class="note">${item.note}</p>` : ''}<span class="cta">Shop now →</span></span>
</a></li>
`;
}

export function renderStorefrontPage(input: StorefrontPageInput): string {
  const url = storefrontUrl(input.publicBaseUrl, input.handle);
  const count = plural(input.items.length, 'pick', 'picks');
  const description = `${count} hand-picked by ${input.influencerName}.`;
  const ogImage = input.items.map((item) => safeImageUrl(item.imageUrl)).find(Boolean);
  const meta = html`<meta name="description" content="${description}">
<link rel="canonical" href="${url}">
<meta property="og:type" content="website">
<meta property="og:title" content="${input.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url}">
${ogImage ? html`<meta property="og:image" content="${ogImage}">\n` : ''}<meta name="twitter:card" content="${ogImage ? 'summary_large_image' : 'summary'}">
`;
  const list = input.items.length
    ? html`<ul class="grid">
${input.items.map((item) => card(item, input.publicBaseUrl))}</ul>`
    : html`<p class="empty">No picks here yet. Check back soon.</p>`;
  return html`<!doctype html>
<html lang="en">
${head(`${input.title} · ${input.influencerName}`, meta)}
<body>
<main class="wrap">
<header>
<div class="avatar" aria-hidden="true">${initialsOf(input.influencerName)}</div>
<h1>${input.title}</h1>
<p class="by">Picked by ${input.influencerName} · ${count}</p>
</header>
${list}
<footer>Links on this page are affiliate links: ${input.influencerName} may earn a commission on purchases made through them.</footer>
</main>
</body>
</html>
`.value;
}

export function renderNotFoundPage(): string {
  return html`<!doctype html>
<html lang="en">
${head('Storefront not found', html`<meta name="robots" content="noindex">\n`)}
<body>
<main class="wrap">
<header>
<h1>Storefront not found</h1>
<p class="by">There is no storefront at this address. Check the link you followed and try again.</p>
</header>
</main>
</body>
</html>
`.value;
}
