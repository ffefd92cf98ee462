/**
 * The unique-visitor sketch: its elements, its estimate against the truth at several sizes (the
 * stated error: 2.3 % standard error, so 3 standard errors is a generous bound), and the properties
 * that make storing it as a DynamoDB number set sound (union = merge, redundant elements deletable).
 */
import fc from 'fast-check';
import {
  decodeElement,
  dominatedElements,
  estimateDistinct,
  HLL_REGISTERS,
  HLL_STANDARD_ERROR,
  maximalElements,
  registersOf,
  sketchElement,
} from '../../functions/common/domain/hyperloglog';

const visitors = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test('the stated error is 1.04 / √2048 ≈ 2.3 %', () => {
  expect(HLL_REGISTERS).toBe(2048);
  expect(HLL_STANDARD_ERROR).toBeCloseTo(0.023, 3);
});

test('an element is a valid (register, rank) pair, the same for the same visitor', () => {
  fc.assert(
    fc.property(fc.string(), (id) => {
      const element = sketchElement(id);
      const decoded = decodeElement(element);
      return (
        element === sketchElement(id) &&
        decoded !== undefined &&
        decoded.register < HLL_REGISTERS &&
        decoded.rank >= 1 &&
        decoded.rank <= 54
      );
    }),
  );
});

test('numbers that are not elements are ignored', () => {
  expect(estimateDistinct([-1, 0, 1.5, 64 * 2048 + 1, 63])).toBe(0);
});

test.each([0, 1, 3, 10, 100, 1_000, 5_000, 10_000, 100_000])('%i distinct visitors', (n) => {
  const elements = visitors(n).map(sketchElement);
  const estimate = estimateDistinct(elements);
  if (n <= 10) expect(estimate).toBe(n);
  else expect(Math.abs(estimate - n) / n).toBeLessThan(3 * HLL_STANDARD_ERROR);
});

test('repeated visitors are counted once', () => {
  const elements = [...visitors(500), ...visitors(500), ...visitors(500)].map(sketchElement);
  expect(Math.abs(estimateDistinct(elements) - 500) / 500).toBeLessThan(3 * HLL_STANDARD_ERROR);
});

test('merging per-day sketches (set union) equals the sketch of all the visitors', () => {
  const day1 = visitors(3_000, 'a').map(sketchElement);
  const day2 = [...visitors(2_000, 'a'), ...visitors(2_000, 'b')].map(sketchElement);
  const union = new Set([...day1, ...day2]);
  const direct = [...visitors(3_000, 'a'), ...visitors(2_000, 'b')].map(sketchElement);
  expect(estimateDistinct(union)).toBe(estimateDistinct(direct));
  expect(Math.abs(estimateDistinct(union) - 5_000) / 5_000).toBeLessThan(3 * HLL_STANDARD_ERROR);
});

test('maximal elements keep the estimate with at most one element per register', () => {
  const elements = visitors(20_000).map(sketchElement);
  const maximal = maximalElements(elements);
  expect(maximal.length).toBeLessThanOrEqual(HLL_REGISTERS);
  expect(estimateDistinct(maximal)).toBe(estimateDistinct(elements));
});

test('deleting dominated elements never changes the registers, whatever else is added meanwhile', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string(), { maxLength: 300 }),
      fc.array(fc.string(), { maxLength: 50 }),
      (a, b) => {
        const stored = new Set(a.map(sketchElement));
        const dominated = dominatedElements(stored);
        // A union (another chunk) lands between the read and the delete.
        for (const e of b.map(sketchElement)) stored.add(e);
        for (const e of dominated) stored.delete(e);
        const expected = registersOf([...a, ...b].map(sketchElement));
        expect(registersOf(stored)).toEqual(expected);
      },
    ),
  );
});
