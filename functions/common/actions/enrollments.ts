/**
 * A merchant's program (CONTRACT §10): enroll an influencer on its terms (or replace them), read
 * one enrollment or the whole program, and end an enrollment. Links that exist keep working after
 * an enrollment ends; only new links need one.
 *
 * Flat fees are payout items in the orders table, written in the same transaction as the terms
 * that list them (domain/fee-plan.ts decides what changes). Ending an enrollment cancels its unpaid
 * fees, which are no longer owed; paid ones stay, as the history of what was paid.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type FeeState, planFees } from '../domain/fee-plan';
import { apiError, json, notFound } from '../http/responses';
import type { Enrollment, EnrollmentRepo } from '../repos/enrollments';
import type { InfluencerRepo } from '../repos/influencers';
import type { MerchantRepo } from '../repos/merchants';
import { type OrderRepo, type TransactItem, transact } from '../repos/orders';
import type { PutEnrollmentInput } from '../schemas/programs';

/** What a program's actions read and write: the operator's and the merchant's own key's alike. */
export interface EnrollmentDeps {
  merchants: Pick<MerchantRepo, 'get'>;
  influencers: Pick<InfluencerRepo, 'get'>;
  enrollments: EnrollmentRepo;
  orders: Pick<OrderRepo, 'feesOf' | 'feeCreate' | 'feeUpdate' | 'feeCancel' | 'markPayee'>;
  now: () => Date;
}

/** Reads and plans again this often when a payout run or another change gets in between. */
const ATTEMPTS = 5;

/** Fields in a stable order (DynamoDB maps come back in any order). */
export const enrollmentView = (e: Enrollment) => ({
  merchantId: e.merchantId,
  influencerId: e.influencerId,
  terms: {
    ...(e.terms.commission ? { commission: e.terms.commission } : {}),
    ...(e.terms.flatFees
      ? {
          flatFees: e.terms.flatFees.map(({ feeId, amountMinor, dueAt, memo }) => ({
            feeId,
            amountMinor,
            dueAt,
            ...(memo !== undefined ? { memo } : {}),
          })),
        }
      : {}),
  },
  enrolledAt: e.enrolledAt,
  updatedAt: e.updatedAt,
});

export async function putEnrollment(
  deps: EnrollmentDeps,
  merchantId: string,
  influencerId: string,
  input: PutEnrollmentInput,
) {
  const [merchant, influencer] = await Promise.all([
    deps.merchants.get(merchantId),
    deps.influencers.get(influencerId),
  ]);
  if (!merchant) throw notFound('The merchant');
  if (!influencer) throw notFound('The influencer');
  const terms = input.terms ?? {};
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const at = deps.now().toISOString();
    const [read, stored] = await Promise.all([
      deps.enrollments.get(merchantId, influencerId, true),
      deps.orders.feesOf(merchantId, influencerId),
    ]);
    const owned = new Set((read?.terms.flatFees ?? []).map((fee) => fee.feeId));
    const plan = planFees(stored, terms.flatFees ?? [], owned);
    if (!plan.ok) {
      throw apiError(
        'fee_paid',
        `A fee already paid must stay in the list unchanged: ${plan.paidFeeIds.join(', ')}.`,
      );
    }
    const pair = { merchantId, influencerId };
    const writes: TransactItem[] = [
      deps.enrollments.putItem(merchantId, influencerId, terms, at, read),
      ...plan.create.map((fee) =>
        deps.orders.feeCreate({ ...pair, ...fee, currency: merchant.currency }, at),
      ),
      ...plan.update.map((fee) => deps.orders.feeUpdate({ ...pair, feeId: fee.feeId }, fee, at)),
      ...plan.cancel.map((fee) => deps.orders.feeCancel({ ...pair, feeId: fee.feeId }, at)),
    ];
    // A payout run pays only its payees: the marker first (one without fees is harmless).
    if (plan.create.length > 0) await deps.orders.markPayee(influencerId);
    if (await write(writes)) {
      return json(200, enrollmentView({ ...pair, terms, enrolledAt: read?.enrolledAt ?? at, updatedAt: at }));
    }
  }
  throw apiError('busy', 'The enrollment or its fees kept changing; try again.');
}

export async function getEnrollment(deps: EnrollmentDeps, merchantId: string, influencerId: string) {
  const enrollment = await deps.enrollments.get(merchantId, influencerId);
  if (!enrollment) throw notFound('The enrollment');
  return json(200, enrollmentView(enrollment));
}

export async function listEnrollments(deps: EnrollmentDeps, merchantId: string) {
  if (!(await deps.merchants.get(merchantId))) throw notFound('The merchant');
  const items = await deps.enrollments.ofMerchant(merchantId);
  return json(200, { items: items.map(enrollmentView) });
}

export async function deleteEnrollment(deps: EnrollmentDeps, merchantId: string, influencerId: string) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [read, stored] = await Promise.all([
      deps.enrollments.get(merchantId, influencerId, true),
      deps.orders.feesOf(merchantId, influencerId),
    ]);
    if (!read) throw notFound('The enrollment');
    const at = deps.now().toISOString();
    const unpaid = stored.filter((fee: FeeState) => fee.status === 'unpaid');
    const writes = [
      deps.enrollments.deleteItem(read),
      ...unpaid.map((fee) => deps.orders.feeCancel({ merchantId, influencerId, feeId: fee.feeId }, at)),
    ];
    if (await write(writes)) {
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    }
  }
  throw apiError('busy', 'The enrollment or its fees kept changing; try again.');
}

/**
 * False when the transaction was refused because what it was planned from changed: a condition
 * failed, or it met a concurrent transaction (a payout run marking a fee) on one of its items.
 */
async function write(items: TransactItem[]): Promise<boolean> {
  try {
    return await transact(items);
  } catch (err) {
    if (
      err instanceof TransactionCanceledException &&
      (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict')
    ) {
      return false;
    }
    throw err;
  }
}
