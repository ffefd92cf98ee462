/**
 * CONTRACT §1: every time in a request is in the years 2000 to 2999, in one canonical form; times
 * are compared as times, and the strings that an index compares have one fixed shape.
 */
import { compareInstants, formatInstant } from '../../functions/common/domain/instant';
import { requestTimeSchema } from '../../functions/common/schemas/common';
import { reportQuerySchema } from '../../functions/common/schemas/reports';
import { orderEventSchema } from '../../functions/common/schemas/webhooks';

const cancel = (occurredAt: string) =>
  orderEventSchema.safeParse({ type: 'order.cancelled', orderId: 'A-1', occurredAt });

describe('request times', () => {
  it.each([
    ['2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z'],
    ['2026-11-03T14:05:00.5Z', '2026-11-03T14:05:00.500Z'],
    ['2999-12-31T23:59:59.999Z', '2999-12-31T23:59:59.999Z'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(requestTimeSchema.parse(input)).toBe(canonical);
    const parsed = cancel(input);
    expect(parsed.success && parsed.data.occurredAt).toBe(canonical);
  });

  it.each([
    '1999-12-31T23:59:59.999Z',
    '3000-01-01T00:00:00.000Z',
    '9999-12-31T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '2026-11-03T14:05:00+01:00',
  ])('refuses %s with an issue at occurredAt', (input) => {
    const parsed = cancel(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['occurredAt']);
  });

  it.each([
    [{ from: '1999-12-31' }, 'from'],
    [{ to: '3000-01-01' }, 'to'],
    [{ to: '9999-12-31T00:00:00.000Z' }, 'to'],
    // Stands for the UTC day 1999-12-31.
    [{ from: '2000-01-01T00:30:00+01:00' }, 'from'],
  ])('refuses report days outside the years: %j', (query, path) => {
    const parsed = reportQuerySchema.safeParse(query);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual([path]);
  });

  it('leaves days that do not exist to the range rules, and accepts days in the years', () => {
    expect(reportQuerySchema.safeParse({ from: '2026-02-30', to: '2999-12-31' }).success).toBe(true);
  });
});

describe('instants as strings', () => {
  it('formats an instant in one fixed shape, and refuses one that has none', () => {
    expect(formatInstant(Date.parse('2999-12-31T00:00:00Z') + 365 * 86_400_000)).toBe(
      '3000-12-31T00:00:00.000Z',
    );
    // toISOString would give "+010000-01-01T00:00:00.000Z", which sorts before "2026-...".
    expect(() => formatInstant(Date.parse('9999-12-31T00:00:00Z') + 30 * 86_400_000)).toThrow(RangeError);
    expect(() => formatInstant(Number.NaN)).toThrow(RangeError);
  });

  it('compares instants as times, whatever their shapes', () => {
    expect(compareInstants('+010000-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBeGreaterThan(0);
    expect(compareInstants('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z')).toBe(0);
    expect(() => compareInstants('soon', '2026-01-01T00:00:00Z')).toThrow(RangeError);
  });
});
