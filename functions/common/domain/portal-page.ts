/**
 * The influencer portal's pages (CONTRACT §11), server-rendered with the escaping `html` tag: no
 * script at all, one inline stylesheet allowed by its hash, and a layout that reads on a phone.
 */
import { createHash } from 'node:crypto';
import { formatMinor } from './money-text';
import { activityChart, type ChartDay } from './portal-chart';
import { html, type SafeHtml, trustedHtml } from './storefront-html';

export interface Money {
  currency: string;
  amountMinor: number;
}

export interface PortalView {
  influencerName: string;
  /** e.g. "December 2026". */
  monthLabel: string;
  month: { clicks: number; currencies: Array<{ currency: string; orders: number; commissionMinor: number }> };
  unpaid: Money[];
  paid: Money[];
  chart: { days: ChartDay[]; currency: string };
  links: Array<{ code: string; shortUrl: string; targetUrl: string; clicks: number; disabled: boolean }>;
  payouts: Array<{
    period: string;
    amounts: Money[];
    status: string;
    statementUrl?: string;
    /** The period's settled payouts: when their money left, and the transfer's reference. */
    settlements?: Array<{ currency: string; settledAt: string; reference: string }>;
  }>;
  programs: Array<{ merchantId: string; name: string }>;
  form: { values: Record<string, string>; errors: Record<string, string> };
  csrfToken: string;
  notice?: string;
}

const CSS = `:root{color-scheme:light;--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e8;--accent:#0b57d0;--bg:#f6f6f8;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:40rem;margin:0 auto;padding:16px}
h1{font-size:1.35rem;margin:4px 0 12px}
h2{font-size:1.05rem;margin:22px 0 8px}
section{background:#fff;border:1px solid var(--line);border-radius:12px;padding:12px 14px;margin-bottom:12px}
.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:8px;margin:0}
.tiles div{background:var(--bg);border-radius:8px;padding:8px}
.tiles dt{font-size:.78rem;color:var(--muted)}
.tiles dd{margin:2px 0 0;font-weight:650;font-size:1rem;overflow-wrap:anywhere}
.totals{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:8px 0 0}
.totals dd{margin:0;font-weight:600}
.totals dt{font-size:.78rem;color:var(--muted)}
.chart{margin:0}
.chart svg{display:block;max-width:100%;height:auto}
.bar{fill:#8ab4f8}
.line{fill:none;stroke:#e8710a;stroke-width:2}
.axis{stroke:var(--line)}
.lbl{font-size:10px;fill:var(--muted)}
figcaption{font-size:.82rem;color:var(--muted);margin-top:4px}
.key::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px;vertical-align:-1px}
.bar-key::before{background:#8ab4f8}
.line-key::before{background:#e8710a}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ul{list-style:none;margin:0;padding:0}
li{display:flex;align-items:center;gap:8px;padding:8px 0;border-top:1px solid var(--line)}
li:first-child{border-top:0}
.grow{flex:1;min-width:0}
.code{font-weight:600;overflow-wrap:anywhere}
.sub{font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
.btn{display:inline-block;padding:6px 12px;border-radius:8px;border:1px solid var(--accent);color:var(--accent);text-decoration:none;font-weight:600;font-size:.9rem;background:#fff}
label{display:block;font-weight:600;font-size:.9rem;margin-top:10px}
input,select{display:block;width:100%;font:inherit;padding:8px;border:1px solid #b8b8c0;border-radius:8px;margin-top:4px;background:#fff}
input[aria-invalid=true],select[aria-invalid=true]{border-color:var(--bad)}
.err{color:var(--bad);font-size:.85rem;margin:4px 0 0}
button{margin-top:14px;width:100%;font:inherit;font-weight:650;padding:10px;border:0;border-radius:8px;background:var(--accent);color:#fff}
.signout{text-align:center}.signout button{width:auto;background:none;color:var(--accent);text-decoration:underline}
.notice{background:#e6f4ea;border-color:#b7dfc2}
.empty{color:var(--muted);margin:0}`;

/** The CSP of every portal page: no script, only this stylesheet, forms only to the portal itself. */
export const PORTAL_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${trustedHtml(CSS)}</style></head>
<body><main>${body}</main></body></html>`.value;
}

const moneyList = (amounts: Money[]) =>
  amounts.length ? amounts.map((m) => formatMinor(m.amountMinor, m.currency)).join(', ') : '0';

function field(
  view: PortalView,
  name: string,
  label: string,
  control: (attrs: SafeHtml) => SafeHtml,
  hint?: string,
) {
  const error = view.form.errors[name];
  const errorId = `${name}-error`;
  const attrs = html`id="${name}" name="${name}"${error ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''}`;
  return html`<label for="${name}">${label}${hint ? html` <span class="sub">${hint}</span>` : ''}</label>
${control(attrs)}
${error ? html`<p class="err" id="${errorId}">${error}</p>` : ''}`;
}

export function renderPortalPage(view: PortalView): string {
  const main = view.month.currencies[0];
  const others = view.month.currencies.slice(1);
  const orders = view.month.currencies.reduce((sum, c) => sum + c.orders, 0);
  const commissionText = main ? formatMinor(main.commissionMinor, main.currency) : '0';
  const values = view.form.values;
  const body = html`<h1>Hello, ${view.influencerName}</h1>
${view.notice ? html`<section class="notice" role="status">${view.notice}</section>` : ''}
<section aria-labelledby="month-h"><h2 id="month-h">${view.monthLabel}</h2>
<dl class="tiles">
<div><dt>Clicks</dt><dd id="month-clicks">${view.month.clicks}</dd></div>
<div><dt>Orders</dt><dd id="month-orders">${orders}</dd></div>
<div><dt>Commission</dt><dd id="month-commission">${commissionText}</dd></div>
</dl>
${others.length ? html`<p class="sub">Also: ${others.map((c) => `${formatMinor(c.commissionMinor, c.currency)} on ${c.orders} orders`).join('; ')}</p>` : ''}
<dl class="totals">
<div><dt>Unpaid</dt><dd id="unpaid">${moneyList(view.unpaid)}</dd></div>
<div><dt>Paid</dt><dd id="paid">${moneyList(view.paid)}</dd></div>
</dl></section>
<section aria-labelledby="chart-h"><h2 id="chart-h">Last 30 days</h2>
${activityChart(view.chart.days, (minor) => formatMinor(minor, view.chart.currency))}</section>
<section aria-labelledby="links-h"><h2 id="links-h">Your links</h2>
${
  view.links.length
    ? html`<ul id="links">${view.links.map(
        (l) => html`<li data-code="${l.code}"><div class="grow"><div class="code">${l.shortUrl}</div>
<div class="sub">${l.disabled ? 'Disabled · ' : ''}${l.clicks} clicks this month · ${l.targetUrl}</div></div>
<a class="btn" href="/portal/links/${l.code}/qr.svg" aria-label="QR code of ${l.code}">QR</a></li>`,
      )}</ul>`
    : html`<p class="empty">No links yet: make one below.</p>`
}</section>
<section aria-labelledby="payouts-h"><h2 id="payouts-h">Payouts</h2>
${
  view.payouts.length
    ? html`<ul id="payouts">${view.payouts.map(
        (p) => html`<li data-period="${p.period}"><div class="grow"><div class="code">${p.period}</div>
<div class="sub">${moneyList(p.amounts)} · ${p.status === 'payable' ? 'paid' : 'carried over'}</div>
${(p.settlements ?? []).map(
  (x) =>
    html`<div class="sub settled">${p.amounts.length > 1 ? `${x.currency}: ` : ''}Paid on ${x.settledAt.slice(0, 10)} · ref ${x.reference}</div>`,
)}</div>
${p.statementUrl ? html`<a class="btn" href="${p.statementUrl}" download>Statement</a>` : ''}</li>`,
      )}</ul>`
    : html`<p class="empty">No payouts yet.</p>`
}</section>
<section aria-labelledby="new-h"><h2 id="new-h">New link</h2>
${
  view.programs.length
    ? html`<form method="post" action="/portal/links" novalidate>
<input type="hidden" name="csrf" value="${view.csrfToken}">
${field(
  view,
  'merchantId',
  'Merchant',
  (attrs) =>
    html`<select ${attrs}>${view.programs.map(
      (p) =>
        html`<option value="${p.merchantId}"${values.merchantId === p.merchantId ? ' selected' : ''}>${p.name}</option>`,
    )}</select>`,
)}
${field(
  view,
  'targetUrl',
  'Product page',
  (attrs) =>
    html`<input ${attrs} type="url" inputmode="url" placeholder="https://" value="${values.targetUrl ?? ''}">`,
)}
${field(view, 'code', 'Code', (attrs) => html`<input ${attrs} value="${values.code ?? ''}" autocapitalize="off">`, '(optional)')}
${field(view, 'campaign', 'Campaign', (attrs) => html`<input ${attrs} value="${values.campaign ?? ''}">`, '(optional)')}
<button type="submit">Make the link</button>
</form>`
    : html`<p class="empty">You are not in any merchant's program yet.</p>`
}</section>
<form method="post" action="/portal/logout" class="signout">
<input type="hidden" name="csrf" value="${view.csrfToken}">
<button type="submit">Sign out</button>
</form>`;
  return page(`${view.influencerName} · creditlink portal`, body);
}

/** A page that says why the portal cannot be shown (401, 403, 404) and what to do. */
export function renderPortalMessagePage(title: string, message: string): string {
  return page(`${title} · creditlink portal`, html`<h1>${title}</h1><section><p>${message}</p></section>`);
}
