/**
 * Planning a new list of flat fees against the stored ones (domain/fee-plan.ts): what is created,
 * updated and cancelled, and when a paid fee makes the list a conflict.
 */
import fc from 'fast-check';
import {
  type FeeState,
  MAX_FLAT_FEES,
  planFees,
  type WantedFee,
} from '../../functions/common/domain/fee-plan';

const fee = (
  feeId: string,
  amountMinor = 1000,
  dueAt = '2026-11-15T00:00:00.000Z',
  memo?: string,
): WantedFee => ({
  feeId,
  amountMinor,
  dueAt,
  ...(memo !== undefined ? { memo } : {}),
});
const stored = (f: WantedFee, status: FeeState['status']): FeeState => ({ ...f, status });
const ids = (fees: readonly { feeId: string }[]) => fees.map((f) => f.feeId);

describe('planFees', () => {
  test('a first list creates every fee', () => {
    const plan = planFees([], [fee('a'), fee('b')], new Set());
    expect(plan).toEqual({ ok: true, create: [fee('a'), fee('b')], update: [], cancel: [] });
  });

  test('unpaid fees: equal ones stay, changed ones are updated, missing ones cancelled', () => {
    const plan = planFees(
      [stored(fee('same'), 'unpaid'), stored(fee('moved'), 'unpaid'), stored(fee('gone'), 'unpaid')],
      [fee('same'), fee('moved', 1000, '2026-12-15T00:00:00.000Z'), fee('new')],
      new Set(['same', 'moved', 'gone']),
    );
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(ids(plan.create)).toEqual(['new']);
    expect(plan.update).toEqual([fee('moved', 1000, '2026-12-15T00:00:00.000Z')]);
    expect(ids(plan.cancel)).toEqual(['gone']);
  });

  test.each([
    ['amount', fee('p', 999)],
    ['due time', fee('p', 1000, '2026-11-16T00:00:00.000Z')],
    ['memo', fee('p', 1000, '2026-11-15T00:00:00.000Z', 'launch')],
  ])('a paid fee with another %s is a conflict', (_what, changed) => {
    expect(planFees([stored(fee('p'), 'paid')], [changed], new Set(['p']))).toEqual({
      ok: false,
      paidFeeIds: ['p'],
    });
  });

  test('a paid fee of the enrollment left out of the list is a conflict', () => {
    const plan = planFees(
      [stored(fee('p'), 'paid'), stored(fee('u'), 'unpaid')],
      [fee('u')],
      new Set(['p', 'u']),
    );
    expect(plan).toEqual({ ok: false, paidFeeIds: ['p'] });
  });

  test('a paid fee kept unchanged writes nothing', () => {
    expect(planFees([stored(fee('p'), 'paid')], [fee('p')], new Set(['p']))).toEqual({
      ok: true,
      create: [],
      update: [],
      cancel: [],
    });
  });

  test('the same due time in another spelling is unchanged', () => {
    const plan = planFees(
      [stored(fee('p'), 'paid')],
      [fee('p', 1000, '2026-11-15T00:00:00Z')],
      new Set(['p']),
    );
    expect(plan.ok).toBe(true);
  });

  test('a paid fee of an earlier enrollment is history, unless the list names it again changed', () => {
    const history = [stored(fee('old'), 'paid')];
    expect(planFees(history, [fee('new')], new Set())).toMatchObject({ ok: true, cancel: [] });
    expect(planFees(history, [fee('old')], new Set())).toMatchObject({ ok: true, create: [] });
    expect(planFees(history, [fee('old', 5)], new Set())).toEqual({ ok: false, paidFeeIds: ['old'] });
  });

  test('a cancelled fee named again is created anew; otherwise it is left alone', () => {
    const cancelled = [stored(fee('c'), 'cancelled')];
    expect(planFees(cancelled, [fee('c', 7)], new Set())).toMatchObject({ ok: true, create: [fee('c', 7)] });
    expect(planFees(cancelled, [], new Set())).toEqual({ ok: true, create: [], update: [], cancel: [] });
  });

  test('every conflict is named, sorted', () => {
    const plan = planFees(
      [stored(fee('z'), 'paid'), stored(fee('a'), 'paid')],
      [fee('z', 1)],
      new Set(['a', 'z']),
    );
    expect(plan).toEqual({ ok: false, paidFeeIds: ['a', 'z'] });
  });

  test('any replacement of bounded lists fits one transaction with the enrollment (property)', () => {
    const feeArb = fc.record({
      feeId: fc.constantFrom(...Array.from({ length: 120 }, (_, i) => `f${i}`)),
      amountMinor: fc.integer({ min: 1, max: 3 }),
      dueAt: fc.constant<string>('2026-11-15T00:00:00.000Z'),
    });
    const list = fc.uniqueArray(feeArb, { maxLength: MAX_FLAT_FEES, selector: (f) => f.feeId });
    fc.assert(
      fc.property(
        list,
        list,
        fc.constantFrom<FeeState['status']>('unpaid', 'cancelled'),
        (before, after, status) => {
          const plan = planFees(
            before.map((f) => stored(f, status)),
            after,
            new Set(ids(before)),
          );
          if (!plan.ok) return false;
          const writes = plan.create.length + plan.update.length + plan.cancel.length;
          // Afterwards exactly the wanted fees are owed.
          const owed = new Map(before.filter(() => status === 'unpaid').map((f) => [f.feeId, f]));
          for (const f of plan.cancel) owed.delete(f.feeId);
          for (const f of [...plan.create, ...plan.update]) owed.set(f.feeId, f);
          return (
            writes + 1 <= 100 &&
            owed.size === after.length &&
            after.every((f) => owed.get(f.feeId)?.amountMinor === f.amountMinor)
          );
        },
      ),
    );
  });
});
