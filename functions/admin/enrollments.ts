/**
 * A merchant's program (CONTRACT §10): enroll an influencer on its terms (or replace them), read
 * one enrollment or the whole program, and end an enrollment. Links that exist keep working after
 * an enrollment ends; only new links need one.
 */
import { json, notFound } from '../common/http/responses';
import type { Enrollment } from '../common/repos/enrollments';
import type { PutEnrollmentInput } from '../common/schemas/programs';
import { admin } from './context';

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

export async function putEnrollment(merchantId: string, influencerId: string, input: PutEnrollmentInput) {
  const [merchant, influencer] = await Promise.all([
    admin.merchants.get(merchantId),
    admin.influencers.get(influencerId),
  ]);
  if (!merchant) throw notFound('The merchant');
  if (!influencer) throw notFound('The influencer');
  const enrollment = await admin.enrollments.put(
    merchantId,
    influencerId,
    input.terms ?? {},
    admin.now().toISOString(),
  );
  return json(200, enrollmentView(enrollment));
}

export async function getEnrollment(merchantId: string, influencerId: string) {
  const enrollment = await admin.enrollments.get(merchantId, influencerId);
  if (!enrollment) throw notFound('The enrollment');
  return json(200, enrollmentView(enrollment));
}

export async function listEnrollments(merchantId: string) {
  if (!(await admin.merchants.get(merchantId))) throw notFound('The merchant');
  const items = await admin.enrollments.ofMerchant(merchantId);
  return json(200, { items: items.map(enrollmentView) });
}

export async function deleteEnrollment(merchantId: string, influencerId: string) {
  if (!(await admin.enrollments.delete(merchantId, influencerId))) throw notFound('The enrollment');
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
}
