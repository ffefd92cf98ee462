/**
 * HTML that is escaped by default. Storefront titles and notes are typed by influencers (and, through
 * them, by anyone who can get text into their copy-paste), so markup in them must render as text.
 * Rather than remembering to call an escape function at every interpolation, pages are written with
 * the `html` tag: every interpolated value is escaped unless it is itself the result of `html`, so
 * the one unsafe thing a page author can do is call `trustedHtml`, which is greppable.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an element's content *and* for a quoted attribute value: `&`, `<`, `>` and both
 * quote characters, so the same function is safe in either place (attributes are always quoted).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Markup that is already safe: produced by `html`, or explicitly trusted. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A value an `html` template accepts: text (escaped), numbers, safe markup, lists of them, or nothing. */
export type HtmlValue = string | number | SafeHtml | undefined | null | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: the literal parts are markup, every `${value}` is escaped (see HtmlValue). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** For constant markup written in this code base (the page's CSS); never for data. */
export const trustedHtml = (markup: string) => new SafeHtml(markup);

/**
 * An image URL that may be put in `src`: absolute https without credentials, else undefined. The
 * admin API refuses anything else already; this is a second check at the place where it matters,
 * so a stored value that slipped past validation (or old data) cannot become `javascript:` or mixed
 * content.
 */
export function safeImageUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
}
