import { decideSettlement, type SettleablePayout } from '../../functions/common/domain/settlement';
import { parsePayoutId } from '../../functions/common/repos/payouts';
import { settlePayoutSchema } from '../../functions/common/schemas/payouts';

const NOW = '2026-12-01T12:00:00.000Z';
const payable: SettleablePayout = {
  period: '2026-11',
  status: 'payable',
  state: 'done',
  createdAt: '2026-12-01T00:05:00.000Z',
};
const settled = { reference: 'TX-1', settledAt: '2026-12-01T10:00:00.000Z' };

describe('deciding a settlement', () => {
  test.each<[string, SettleablePayout, { reference: string; settledAt?: string }, unknown]>([
    [
      'settles a payable payout now by default',
      payable,
      { reference: 'TX-1' },
      { kind: 'settle', settlement: { reference: 'TX-1', settledAt: NOW } },
    ],
    ['keeps a given time', payable, settled, { kind: 'settle', settlement: settled }],
    [
      'accepts the very instant it was made',
      payable,
      { reference: 'A', settledAt: '2026-12-01T00:05:00.000Z' },
      { kind: 'settle', settlement: { reference: 'A', settledAt: '2026-12-01T00:05:00.000Z' } },
    ],
    [
      'refuses a time before it was made',
      payable,
      { reference: 'A', settledAt: '2026-12-01T00:04:59.999Z' },
      { kind: 'settled_too_early', earliest: '2026-12-01T00:05:00.000Z' },
    ],
    [
      'bounds a payout made before times were kept by its period',
      { ...payable, createdAt: undefined },
      { reference: 'A', settledAt: '2026-10-31T23:59:59.999Z' },
      { kind: 'settled_too_early', earliest: '2026-11-01T00:00:00.000Z' },
    ],
    [
      'answers the same reference unchanged, whatever its time',
      { ...payable, settlement: settled },
      { reference: 'TX-1', settledAt: '2026-12-01T11:00:00.000Z' },
      { kind: 'unchanged' },
    ],
    [
      'refuses another reference',
      { ...payable, settlement: settled },
      { reference: 'TX-2' },
      { kind: 'already_settled', settlement: settled },
    ],
    [
      'refuses a carried-over payout',
      { ...payable, status: 'carried_over' },
      { reference: 'TX-1' },
      { kind: 'not_payable' },
    ],
    [
      'refuses a payout still being marked',
      { ...payable, state: 'marking' },
      { reference: 'TX-1' },
      { kind: 'not_final' },
    ],
  ])('%s', (_, payout, requested, decision) => {
    expect(decideSettlement(payout, requested, NOW)).toEqual(decision);
  });
});

describe('payout ids', () => {
  it('name the period, influencer and currency', () => {
    expect(parsePayoutId('2026-11#ana_1-x#EUR')).toEqual({
      period: '2026-11',
      influencerId: 'ana_1-x',
      currency: 'EUR',
    });
  });
  test.each([
    '',
    '2026-11#ana',
    '2026-13#ana#EUR',
    '2026-11#a#EUR',
    '2026-11#ana#eur',
    '2026-11#ana b#EUR',
    `2026-11#${'x'.repeat(65)}#EUR`,
    '2026-11#ana#EUR#x',
  ])('%j is no payout id', (id) => expect(parsePayoutId(id)).toBeUndefined());
});

describe('a settlement request', () => {
  it('trims the reference and makes the time canonical', () => {
    expect(settlePayoutSchema.parse({ reference: '  TX 1 ', settledAt: '2026-12-01T10:00:00Z' })).toEqual({
      reference: 'TX 1',
      settledAt: '2026-12-01T10:00:00.000Z',
    });
  });
  test.each([
    [{}],
    [{ reference: '   ' }],
    [{ reference: 'x'.repeat(201) }],
    [{ reference: 'line\nbreak' }],
    [{ reference: 'tab\there' }],
    [{ reference: 'zero\u200bwidth' }],
    [{ reference: 'TX', settledAt: '2026-12-01' }],
    [{ reference: 'TX', settledAt: '2026-12-01T10:00:00+01:00' }],
    [{ reference: 'TX', settledAt: '1999-12-31T23:59:59Z' }],
    [{ reference: 'TX', extra: true }],
    [{ reference: 7 }],
  ])('refuses %j', (body) => expect(settlePayoutSchema.safeParse(body).success).toBe(false));
  it('takes 200 characters, and printable ones of any script', () => {
    expect(settlePayoutSchema.safeParse({ reference: 'x'.repeat(200) }).success).toBe(true);
    expect(settlePayoutSchema.safeParse({ reference: 'Überweisung №42 · 振込' }).success).toBe(true);
  });
});
