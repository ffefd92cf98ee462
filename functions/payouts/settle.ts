/**
 * Settling a payout (CONTRACT §12): read it, decide (domain/settlement.ts), and record the
 * settlement with one conditional UpdateItem. When that condition fails, a concurrent settlement
 * (or the end of marking) got there first: the payout is read again and the decision made again
 * on what is stored, so two settlements with different references give one 200 and one 409.
 */
import { periodPayoutView } from '../common/actions/payouts';
import { formatInstant } from '../common/domain/instant';
import { decideSettlement, isSettledAtInFuture, SETTLED_AT_SKEW_MS } from '../common/domain/settlement';
import { apiError, json, notFound } from '../common/http/responses';
import type { PayoutRepo } from '../common/repos/payouts';

export interface SettleDependencies {
  payouts: Pick<PayoutRepo, 'payout' | 'settle'>;
  now?: () => Date;
}

/** Reads after a refused write before giving up: each refusal means the stored payout changed. */
const MAX_ATTEMPTS = 3;

export async function settlePayout(
  deps: SettleDependencies,
  payoutId: string,
  requested: { reference: string; settledAt?: string },
) {
  const nowMs = (deps.now?.() ?? new Date()).getTime();
  if (requested.settledAt !== undefined && isSettledAtInFuture(requested.settledAt, nowMs)) {
    throw apiError('invalid_body', undefined, [
      {
        path: 'settledAt',
        message: `Must not be more than ${SETTLED_AT_SKEW_MS / 60_000} minutes in the future.`,
      },
    ]);
  }
  const nowIso = formatInstant(nowMs);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const payout = await deps.payouts.payout(payoutId);
    if (!payout) throw notFound('The payout');
    const decision = decideSettlement(payout, requested, nowIso);
    switch (decision.kind) {
      case 'unchanged':
        return json(200, periodPayoutView(payout));
      case 'already_settled':
        throw apiError(
          'already_settled',
          `This payout was settled on ${decision.settlement.settledAt} with another reference.`,
        );
      case 'not_payable':
        throw apiError('not_payable', 'This payout was carried over: there is nothing to settle.');
      case 'not_final':
        throw apiError(
          'not_payable',
          "This payout's total is still being counted; settle it once its run is complete.",
        );
      case 'settled_too_early':
        throw apiError('invalid_body', undefined, [
          { path: 'settledAt', message: `Must not be before the payout was made (${decision.earliest}).` },
        ]);
      case 'settle': {
        const result = await deps.payouts.settle(payout, decision.settlement);
        if (result.kind === 'settled') return json(200, periodPayoutView(result.payout));
        break; // changed meanwhile: decide again on what is stored now
      }
    }
  }
  throw apiError('busy');
}
