import fc from 'fast-check';

import {
  compareClicksChronologically,
  DUPLICATE_WINDOW_MS,
  type DuplicateCandidateClick,
  isRepeatClick,
  markDuplicates,
} from '../../functions/common/domain/duplicates';

const T0 = Date.parse('2026-11-03T14:00:00.000Z');
const SECOND = 1_000;

let sequence = 0;
/** Click ids that sort like ULIDs: by time, then by creation within the same millisecond. */
function click(
  secondsAfterT0: number,
  overrides: Partial<Omit<DuplicateCandidateClick, 'occurredAtMs'>> = {},
): DuplicateCandidateClick {
  const occurredAtMs = T0 + secondsAfterT0 * SECOND;
  sequence += 1;
  return {
    clickId: `${String(occurredAtMs).padStart(15, '0')}-${String(sequence).padStart(6, '0')}`,
    code: 'anna-serum',
    visitorId: 'visitor-1',
    bot: false,
    ...overrides,
    occurredAtMs,
  };
}

const flags = (clicks: readonly DuplicateCandidateClick[]) =>
  markDuplicates(clicks).map((each) => each.duplicate);

describe('markDuplicates', () => {
  it.each([
    { name: 'a single click', clicks: () => [click(0)], duplicate: [false] },
    {
      name: 'the same visitor and link 10 s later',
      clicks: () => [click(0), click(10)],
      duplicate: [false, true],
    },
    { name: 'exactly 30 s later (inclusive)', clicks: () => [click(0), click(30)], duplicate: [false, true] },
    { name: '30.001 s later', clicks: () => [click(0), click(30.001)], duplicate: [false, false] },
    { name: 'the same millisecond', clicks: () => [click(0), click(0)], duplicate: [false, true] },
    {
      name: 'another link of the same visitor',
      clicks: () => [click(0), click(5, { code: 'anna-lipstick' })],
      duplicate: [false, false],
    },
    {
      name: 'another visitor on the same link',
      clicks: () => [click(0), click(5, { visitorId: 'visitor-2' })],
      duplicate: [false, false],
    },
    {
      name: 'a burst every 20 s stays duplicate (the window slides from the previous click)',
      clicks: () => [0, 20, 40, 60, 80, 100].map((at) => click(at)),
      duplicate: [false, true, true, true, true, true],
    },
    {
      name: 'a pause of more than 30 s after a duplicate starts a fresh click',
      clicks: () => [click(0), click(25), click(60)],
      duplicate: [false, true, false],
    },
    {
      name: 'a bot click never makes a later human click a duplicate',
      clicks: () => [click(0), click(10, { bot: true }), click(35)],
      duplicate: [false, false, false],
    },
    {
      name: 'a bot before a human',
      clicks: () => [click(0, { bot: true }), click(5)],
      duplicate: [false, false],
    },
    {
      name: 'bot clicks are never duplicates themselves',
      clicks: () => [click(0, { bot: true }), click(1, { bot: true }), click(2, { bot: true })],
      duplicate: [false, false, false],
    },
    {
      name: 'interleaved links keep their own windows',
      clicks: () => [
        click(0),
        click(10, { code: 'other' }),
        click(20),
        click(45, { code: 'other' }),
        click(45),
      ],
      duplicate: [false, false, true, false, true],
    },
    {
      name: 'link codes and visitor ids do not run into each other',
      clicks: () => [click(0, { visitorId: 'a:b', code: 'c' }), click(1, { visitorId: 'a', code: 'b:c' })],
      duplicate: [false, false],
    },
  ])('$name → $duplicate', ({ clicks, duplicate }) => {
    expect(flags(clicks())).toEqual(duplicate);
  });

  it('walks clicks in time order but answers in the input order', () => {
    const first = click(0);
    const second = click(10);
    const third = click(100);
    const result = markDuplicates([third, second, first]);
    expect(result.map((each) => [each.clickId, each.duplicate])).toEqual([
      [third.clickId, false],
      [second.clickId, true],
      [first.clickId, false],
    ]);
  });

  it('orders clicks of the same millisecond by clickId', () => {
    const earlier = { ...click(0), clickId: '01JC000000000000000000000A' };
    const later = { ...click(0), clickId: '01JC000000000000000000000B' };
    expect(markDuplicates([later, earlier]).map((each) => each.duplicate)).toEqual([true, false]);
  });

  it('keeps the other fields of each click', () => {
    const withExtras = { ...click(0), merchantId: 'glow-shop', influencerId: 'anna' };
    expect(markDuplicates([withExtras])).toEqual([{ ...withExtras, duplicate: false }]);
  });

  describe('properties', () => {
    const clicksArb = fc.array(
      fc.record({
        offsetMs: fc.integer({ min: 0, max: 5 * 60 * SECOND }),
        code: fc.constantFrom('a', 'b'),
        visitorId: fc.constantFrom('v1', 'v2'),
        bot: fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0),
      }),
      { maxLength: 40 },
    );
    const toClicks = (records: { offsetMs: number; code: string; visitorId: string; bot: boolean }[]) =>
      records.map(
        (record, index): DuplicateCandidateClick => ({
          clickId: `${String(T0 + record.offsetMs).padStart(15, '0')}-${String(index).padStart(4, '0')}`,
          code: record.code,
          visitorId: record.visitorId,
          bot: record.bot,
          occurredAtMs: T0 + record.offsetMs,
        }),
      );

    it('matches the naive rule: a human click with an earlier human click of the same visitor and link at most 30 s before', () => {
      fc.assert(
        fc.property(clicksArb, (records) => {
          const clicks = toClicks(records);
          const result = markDuplicates(clicks);
          clicks.forEach((current, index) => {
            const expected =
              !current.bot &&
              clicks.some(
                (other) =>
                  !other.bot &&
                  other.visitorId === current.visitorId &&
                  other.code === current.code &&
                  compareClicksChronologically(other, current) < 0 &&
                  current.occurredAtMs - other.occurredAtMs <= DUPLICATE_WINDOW_MS,
              );
            expect(result[index]?.duplicate).toBe(expected);
          });
        }),
      );
    });

    it('does not depend on the order of the input', () => {
      fc.assert(
        fc.property(
          clicksArb
            .map(toClicks)
            .chain((clicks) =>
              fc.tuple(
                fc.constant(clicks),
                fc.shuffledSubarray(clicks, { minLength: clicks.length, maxLength: clicks.length }),
              ),
            ),
          ([clicks, shuffled]) => {
            const byId = (marked: { clickId: string; duplicate: boolean }[]) =>
              Object.fromEntries(marked.map((each) => [each.clickId, each.duplicate]));
            expect(byId(markDuplicates(shuffled))).toEqual(byId(markDuplicates(clicks)));
          },
        ),
      );
    });

    it('the first human click of every visitor and link is never a duplicate', () => {
      fc.assert(
        fc.property(clicksArb.map(toClicks), (clicks) => {
          const marked = markDuplicates(clicks);
          const seen = new Set<string>();
          const chronological = [...marked].sort(compareClicksChronologically);
          for (const each of chronological) {
            if (each.bot) continue;
            const key = `${each.visitorId}\u0000${each.code}`;
            if (!seen.has(key)) expect(each.duplicate).toBe(false);
            seen.add(key);
          }
        }),
      );
    });
  });
});

describe('isRepeatClick', () => {
  it.each([
    { previous: undefined, current: T0, repeat: false },
    { previous: T0, current: T0, repeat: true },
    { previous: T0, current: T0 + DUPLICATE_WINDOW_MS, repeat: true },
    { previous: T0, current: T0 + DUPLICATE_WINDOW_MS + 1, repeat: false },
    // A "previous" click later than this one (clocks disagree) is not a reason to drop it.
    { previous: T0 + 1, current: T0, repeat: false },
  ])('previous $previous, current $current → $repeat', ({ previous, current, repeat }) => {
    expect(isRepeatClick(previous, current)).toBe(repeat);
  });
});

describe('compareClicksChronologically', () => {
  it.each([
    { left: { clickId: 'B', occurredAtMs: 1 }, right: { clickId: 'A', occurredAtMs: 2 }, sign: -1 },
    { left: { clickId: 'A', occurredAtMs: 2 }, right: { clickId: 'B', occurredAtMs: 1 }, sign: 1 },
    { left: { clickId: 'A', occurredAtMs: 1 }, right: { clickId: 'B', occurredAtMs: 1 }, sign: -1 },
    { left: { clickId: 'B', occurredAtMs: 1 }, right: { clickId: 'A', occurredAtMs: 1 }, sign: 1 },
    { left: { clickId: 'A', occurredAtMs: 1 }, right: { clickId: 'A', occurredAtMs: 1 }, sign: 0 },
  ])('$left vs $right → $sign', ({ left, right, sign }) => {
    expect(Math.sign(compareClicksChronologically(left, right))).toBe(sign);
  });
});
