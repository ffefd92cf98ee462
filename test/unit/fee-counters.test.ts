/**
 * Flat fees in the report counters: fee items of the orders table's stream, decoded and counted by
 * their due day in the merchant's scopes; a change or cancellation moves the counts.
 */
import { decodeRecord } from '../../functions/aggregator/decode';
import {
  type Contribution,
  contributionsOf,
  type Lookups,
} from '../../functions/common/domain/report-counters';
import { streamRecord } from './aggregator-fakes';

const lookups: Lookups = { codeOf: () => undefined, orderOf: () => undefined };
const keys = { pk: 'FEE#shop#anna', sk: 'FEE#kickoff' };
const image = (over: Record<string, unknown> = {}) => ({
  ...keys,
  itemType: 'fee',
  merchantId: 'shop',
  influencerId: 'anna',
  feeId: 'kickoff',
  currency: 'USD',
  amountMinor: 5000,
  dueAt: '2026-11-15T12:00:00.000Z',
  eligibleAt: '2026-11-15T12:00:00.000Z',
  status: 'unpaid',
  unpaidFor: 'anna',
  ...over,
});

function counted(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', oldImage?: object, newImage?: object) {
  const decoded = decodeRecord(
    streamRecord({
      table: 'orders',
      eventName,
      keys,
      ...(oldImage ? { oldImage: oldImage as Record<string, unknown> } : {}),
      ...(newImage ? { newImage: newImage as Record<string, unknown> } : {}),
    }),
    'orders',
  );
  if (!decoded.ok) throw new Error(decoded.reason);
  if (!decoded.change) return [];
  const byKey = (c: Contribution) => `${c.key.pk} ${c.key.sk}`;
  return contributionsOf(decoded.change, lookups, () => 0)
    .sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1))
    .map((c) => [byKey(c), c.add]);
}

describe('fee counters', () => {
  test('a new fee counts on its due day for the merchant and the merchant × influencer, not the influencer', () => {
    expect(counted('INSERT', undefined, image())).toEqual([
      ['MER#shop D#2026-11-15', { flatFeesMinor_USD: 5000 }],
      ['MER#shop D#2026-11-15#I#anna', { flatFeesMinor_USD: 5000 }],
    ]);
  });

  test('paying a fee changes no counter', () => {
    expect(counted('MODIFY', image(), image({ status: 'paid', payoutId: 'p' }))).toEqual([]);
  });

  test('a changed amount adds the difference', () => {
    expect(counted('MODIFY', image(), image({ amountMinor: 7000 }))).toEqual([
      ['MER#shop D#2026-11-15', { flatFeesMinor_USD: 2000 }],
      ['MER#shop D#2026-11-15#I#anna', { flatFeesMinor_USD: 2000 }],
    ]);
  });

  test('a moved due time moves the fee from one day to the other', () => {
    expect(counted('MODIFY', image(), image({ dueAt: '2026-12-01T00:00:00.000Z' }))).toEqual([
      ['MER#shop D#2026-11-15', { flatFeesMinor_USD: -5000 }],
      ['MER#shop D#2026-11-15#I#anna', { flatFeesMinor_USD: -5000 }],
      ['MER#shop D#2026-12-01', { flatFeesMinor_USD: 5000 }],
      ['MER#shop D#2026-12-01#I#anna', { flatFeesMinor_USD: 5000 }],
    ]);
  });

  test('a cancelled fee is taken out, and one owed again comes back', () => {
    const cancelled = image({ status: 'cancelled', unpaidFor: undefined });
    expect(counted('MODIFY', image(), cancelled)).toEqual([
      ['MER#shop D#2026-11-15', { flatFeesMinor_USD: -5000 }],
      ['MER#shop D#2026-11-15#I#anna', { flatFeesMinor_USD: -5000 }],
    ]);
    expect(counted('MODIFY', cancelled, image({ amountMinor: 100 }))).toEqual([
      ['MER#shop D#2026-11-15', { flatFeesMinor_USD: 100 }],
      ['MER#shop D#2026-11-15#I#anna', { flatFeesMinor_USD: 100 }],
    ]);
  });

  test('a fee item without its fields is unreadable, not counted', () => {
    const decoded = decodeRecord(
      streamRecord({ table: 'orders', eventName: 'INSERT', keys, newImage: { ...keys, amountMinor: 5 } }),
      'orders',
    );
    expect(decoded.ok).toBe(false);
  });
});
