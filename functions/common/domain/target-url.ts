/**
 * Which link targets an operator may create (CONTRACT §5): https only, on one of the merchant's
 * allowed domains or a subdomain of one, never this service's own host (a short link pointing back
 * at a short link would be an open redirect loop).
 */
export type TargetCheck = { ok: true; url: string } | { ok: false; message: string };

export function checkTargetUrl(
  targetUrl: string,
  allowedDomains: readonly string[],
  ownHost?: string,
): TargetCheck {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    return { ok: false, message: 'Must be an absolute https URL.' };
  }
  if (url.protocol !== 'https:') return { ok: false, message: 'Must use https.' };
  if (url.username !== '' || url.password !== '')
    return { ok: false, message: 'Must not carry credentials.' };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (ownHost && host === ownHost.toLowerCase())
    return { ok: false, message: 'Must not point at this service.' };
  const allowed = allowedDomains.some((domain) => host === domain || host.endsWith(`.${domain}`));
  if (!allowed) {
    return {
      ok: false,
      message: `The host must be one of the merchant's allowed domains: ${allowedDomains.join(', ')}.`,
    };
  }
  return { ok: true, url: url.toString() };
}
