import { csvText, STATEMENT_HEADER, statementCsv } from '../../functions/common/domain/statement';

describe('csvText', () => {
  it.each([
    ['A-1001', 'A-1001'],
    ['has,comma', '"has,comma"'],
    ['has "quote"', '"has ""quote"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
  ])('%j → %j', (input, output) => {
    expect(csvText(input)).toBe(output);
  });
});

describe('statementCsv', () => {
  it('has one row per order (credit and clawbacks together), sorted, and a total per currency', () => {
    const csv = statementCsv([
      {
        merchantId: 'm',
        orderId: 'B',
        occurredAt: '2026-01-02T00:00:00.000Z',
        currency: 'USD',
        kind: 'credit',
        amountMinor: 500,
      },
      {
        merchantId: 'm',
        orderId: 'A',
        occurredAt: '2026-01-01T00:00:00.000Z',
        currency: 'USD',
        kind: 'credit',
        amountMinor: 700,
      },
      {
        merchantId: 'm',
        orderId: 'A',
        occurredAt: '2026-01-01T00:00:00.000Z',
        currency: 'USD',
        kind: 'adjustment',
        amountMinor: -200,
      },
      {
        merchantId: 'm',
        orderId: 'C',
        occurredAt: '2026-01-03T00:00:00.000Z',
        currency: 'EUR',
        kind: 'adjustment',
        amountMinor: -50,
      },
    ]);
    expect(csv.split('\n')).toEqual([
      STATEMENT_HEADER,
      'A,m,2026-01-01T00:00:00.000Z,USD,700,-200,0,500,,',
      'B,m,2026-01-02T00:00:00.000Z,USD,500,0,0,500,,',
      'C,m,2026-01-03T00:00:00.000Z,EUR,0,-50,0,-50,,',
      'TOTAL,,,EUR,,,,-50,,',
      'TOTAL,,,USD,,,,1000,,',
      '',
    ]);
  });

  it('has one row per fee with its id and memo, escaped, after the orders of its merchant', () => {
    const fee = (feeId: string, amountMinor: number, memo?: string) => ({
      merchantId: 'm',
      orderId: '',
      occurredAt: '2026-01-15T00:00:00.000Z',
      currency: 'USD',
      kind: 'fee' as const,
      amountMinor,
      feeId,
      ...(memo !== undefined ? { memo } : {}),
    });
    const csv = statementCsv([
      fee('launch', 5000, 'Launch post, "hero" shot'),
      fee('bonus', 1000, '=SUM(A1)'),
      fee('plain', 250),
      {
        merchantId: 'm',
        orderId: 'A',
        occurredAt: '2026-01-01T00:00:00.000Z',
        currency: 'USD',
        kind: 'credit',
        amountMinor: 700,
      },
    ]);
    expect(csv.split('\n')).toEqual([
      STATEMENT_HEADER,
      'A,m,2026-01-01T00:00:00.000Z,USD,700,0,0,700,,',
      ",m,2026-01-15T00:00:00.000Z,USD,0,0,1000,1000,bonus,'=SUM(A1)",
      ',m,2026-01-15T00:00:00.000Z,USD,0,0,5000,5000,launch,"Launch post, ""hero"" shot"',
      ',m,2026-01-15T00:00:00.000Z,USD,0,0,250,250,plain,',
      'TOTAL,,,USD,,,,6950,,',
      '',
    ]);
  });

  it('is only the header for no items', () => {
    expect(statementCsv([])).toBe(`${STATEMENT_HEADER}\n`);
  });
});
