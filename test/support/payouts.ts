/**
 * For tests of payout runs. Every payout of a run has a `payoutId` (CONTRACT §5), the same whenever
 * its run is read again (checked here, across the test file); the tests then compare the rest.
 */
const payoutIds = new Map<string, string>();
export function withoutPayoutIds<T extends { period?: string; payouts?: Array<Record<string, unknown>> }>(
  body: T,
): T {
  if (!body?.payouts) return body;
  return {
    ...body,
    payouts: body.payouts.map(({ payoutId, ...payout }) => {
      expect(payoutId).toEqual(expect.any(String));
      const key = JSON.stringify([body.period ?? '', payout.influencerId, payout.currency]);
      expect(payoutId).toBe(payoutIds.get(key) ?? payoutId);
      payoutIds.set(key, String(payoutId));
      return payout;
    }),
  };
}
