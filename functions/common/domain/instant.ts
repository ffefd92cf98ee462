/**
 * Instants as strings. Times are compared as times (epoch ms), never as strings, except where a
 * store must compare them itself (an index key such as `eligibleAt <= :cutoff`). Those strings all
 * come from `formatInstant`, whose output has one fixed shape, `YYYY-MM-DDTHH:mm:ss.sssZ`, so their
 * string order is their time order. `Date#toISOString` alone is not enough: beyond the year 9999
 * it writes `+010000-01-01T...`, which sorts before every four-digit year.
 */

const FIXED_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The canonical form of an instant; RangeError when it is not valid or has no four-digit year. */
export function formatInstant(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid instant: ${epochMs}`);
  const iso = date.toISOString();
  if (!FIXED_SHAPE.test(iso)) throw new RangeError(`no fixed-shape ISO form for the instant ${iso}`);
  return iso;
}

/** Orders two ISO 8601 instants by time, whatever their shapes; RangeError for one that is not a time. */
export function compareInstants(left: string, right: string): number {
  const leftMs = Date.parse(left);
  const rightMs = Date.parse(right);
  if (Number.isNaN(leftMs) || Number.isNaN(rightMs)) {
    throw new RangeError(`cannot compare ${JSON.stringify(left)} and ${JSON.stringify(right)} as times`);
  }
  return leftMs - rightMs;
}
