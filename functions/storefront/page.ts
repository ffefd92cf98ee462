/**
 * A storefront page as served: the rendered HTML and its ETag, built from the storefront and the
 * state of its links. Cached per warm function instance with a short TTL (as the redirect caches
 * links), so a warm page costs no read: only the one view event is written.
 */
import { ID_PATTERN } from '../common/domain/ids';
import { renderStorefrontPage, visibleItems } from '../common/domain/storefront-page';
import { etagOf } from '../common/domain/storefront-rules';
import type { StorefrontRepo } from '../common/repos/storefronts';
import { TtlCache } from '../common/ttl-cache';

export interface ServedPage {
  /** The handle as stored (the cache key is its lower-case form). */
  handle: string;
  influencerId: string;
  html: string;
  etag: string;
}

export function pageLoader(deps: { storefronts: StorefrontRepo; publicBaseUrl: string; cacheTtlMs: number }) {
  const cache = new TtlCache<ServedPage | undefined>(deps.cacheTtlMs);

  async function load(key: string): Promise<ServedPage | undefined> {
    const storefront = await deps.storefronts.get(key);
    if (!storefront) return undefined;
    const links = await deps.storefronts.linkStates(storefront.items.map((item) => item.code));
    const html = renderStorefrontPage({
      handle: storefront.handle,
      title: storefront.title,
      influencerName: storefront.influencerName,
      items: visibleItems(storefront.items, links, storefront.influencerId),
      publicBaseUrl: deps.publicBaseUrl,
    });
    return { handle: storefront.handle, influencerId: storefront.influencerId, html, etag: etagOf(html) };
  }

  return {
    /** The page of a handle (any case), or undefined for a handle that has no storefront. */
    get(handle: string): Promise<ServedPage | undefined> {
      if (!ID_PATTERN.test(handle)) return Promise.resolve(undefined);
      return cache.get(handle.toLowerCase(), load);
    },
  };
}
