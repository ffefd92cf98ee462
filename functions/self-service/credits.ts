/**
 * An influencer's own ledger (CONTRACT §11): every credit, clawback and flat fee of its own, newest
 * first, at most 100 a page, from the `creditsByInfluencer` index of the orders table.
 *
 * The cursor is the index key the page ended at, as base64url JSON. It is checked when it comes
 * back: exactly the four key attributes, strings, the caller's own partition and a date inside the
 * asked range. A cursor of another influencer, or one edited to point anywhere else, is a 400 and
 * reads nothing: the key condition names the caller, and the cursor can only say where in its own
 * ledger to go on.
 */

import { toDay } from '../common/domain/report-range';
import { apiError, json } from '../common/http/responses';
import type { LedgerEntry, LedgerPage } from '../common/repos/orders';
import type { creditsQuerySchema } from '../common/schemas/self-service';
import * as z from '../common/schemas/zod';
import { selfService } from './context';

export const CREDITS_PAGE_SIZE = 100;

const cursorSchema = z.strictObject({
  pk: z.string().check(z.minLength(1), z.maxLength(1024)),
  sk: z.string().check(z.minLength(1), z.maxLength(1024)),
  creditsOf: z.string(),
  creditSort: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)),
});

export const encodeCursor = (next: NonNullable<LedgerPage['next']>) =>
  Buffer.from(JSON.stringify(next), 'utf8').toString('base64url');

const badCursor = () =>
  apiError('invalid_query', undefined, [
    { path: 'cursor', message: 'Must be the nextCursor of a previous page.' },
  ]);

function decodeCursor(raw: string, influencerId: string, bounds: { low: string; high: string }) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (
    !cursor.success ||
    cursor.data.creditsOf !== influencerId ||
    cursor.data.creditSort < bounds.low ||
    cursor.data.creditSort > bounds.high
  ) {
    throw badCursor();
  }
  return cursor.data;
}

/** The fixed-shape instants of the days asked for, both included; unbounded where a day is absent. */
function boundsOf(query: z.output<typeof creditsQuerySchema>) {
  const issues: Array<{ path: string; message: string }> = [];
  const day = (name: 'from' | 'to') => {
    const raw = query[name];
    if (raw === undefined) return undefined;
    const parsed = toDay(raw);
    if (!parsed) issues.push({ path: name, message: 'Must be a day (YYYY-MM-DD) or an ISO 8601 time.' });
    return parsed;
  };
  const from = day('from');
  const to = day('to');
  if (from && to && from > to) issues.push({ path: 'from', message: 'Must not be after `to`.' });
  if (issues.length) throw apiError('invalid_query', 'The day range is not valid.', issues);
  // Every stored date is a fixed-shape instant of a four-digit year (domain/instant.ts).
  return {
    low: from ? `${from}T00:00:00.000Z` : '0000',
    high: to ? `${to}T23:59:59.999Z` : '9999-12-31T23:59:59.999Z',
  };
}

const methodOf = (entry: LedgerEntry) =>
  entry.kind === 'fee'
    ? 'flat_fee'
    : entry.kind === 'adjustment'
      ? 'clawback'
      : (entry.method ?? 'last_click');

export async function listMyCredits(influencerId: string, query: z.output<typeof creditsQuerySchema>) {
  const bounds = boundsOf(query);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, influencerId, bounds);
  const page = await selfService.orders.ledgerPage(influencerId, bounds, CREDITS_PAGE_SIZE, after);
  return json(200, {
    items: page.entries.map((entry) => ({
      merchantId: entry.merchantId,
      orderId: entry.orderId,
      ...(entry.feeId !== undefined ? { feeId: entry.feeId } : {}),
      occurredAt: entry.occurredAt,
      currency: entry.currency,
      commissionMinor: entry.amountMinor,
      status: entry.status,
      method: methodOf(entry),
    })),
    ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
  });
}
