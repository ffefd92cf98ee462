import { isValidCode } from '../../functions/common/domain/ids';
import { formatMinor } from '../../functions/common/domain/money-text';
import { chartGeometry } from '../../functions/common/domain/portal-chart';
import { renderPortalPage } from '../../functions/common/domain/portal-page';

describe('money as text', () => {
  test.each([
    [0, 'USD', '0.00 USD'],
    [5, 'USD', '0.05 USD'],
    [123456789, 'USD', '1,234,567.89 USD'],
    [-250, 'EUR', '−2.50 EUR'],
    [1500, 'JPY', '1,500 JPY'],
    [1234, 'KWD', '1.234 KWD'],
  ])('%d %s is %s', (minor, currency, text) => expect(formatMinor(minor, currency)).toBe(text));
});

describe('the activity chart', () => {
  it('scales the tallest bar and the highest commission to the plot, and zero days to nothing', () => {
    const { bars, points } = chartGeometry([
      { day: '2026-11-01', clicks: 0, commissionMinor: 0 },
      { day: '2026-11-02', clicks: 10, commissionMinor: 500 },
      { day: '2026-11-03', clicks: 5, commissionMinor: 250 },
    ]);
    expect(bars.map((b) => b.height)).toEqual([0, 122, 61]);
    expect(points[1]?.y).toBe(16);
    expect(points[0]?.y).toBe(138);
    for (const b of bars) expect(b.x + b.width).toBeLessThanOrEqual(320);
  });
});

describe('the portal page', () => {
  const view = {
    influencerName: 'Ann',
    monthLabel: 'November 2026',
    month: { clicks: 3, currencies: [{ currency: 'USD', orders: 1, commissionMinor: 150 }] },
    unpaid: [{ currency: 'USD', amountMinor: 150 }],
    paid: [],
    chart: { days: [{ day: '2026-11-30', clicks: 3, commissionMinor: 150 }], currency: 'USD' },
    links: [],
    payouts: [],
    programs: [{ merchantId: 'm1', name: 'Shop' }],
    form: { values: {}, errors: {} },
    csrfToken: 'tok',
  };

  it('writes the chart’s figures out as text for screen readers', () => {
    const page = renderPortalPage(view);
    expect(page).toContain('<th scope="row">2026-11-30</th><td>3</td><td>1.50 USD</td>');
    expect(page).toContain('aria-hidden="true"');
  });

  it('puts the session’s CSRF token in the form', () => {
    expect(renderPortalPage(view)).toContain('<input type="hidden" name="csrf" value="tok">');
  });

  it('shows when a payout was paid and its reference, escaped, per currency when a period has several', () => {
    const page = renderPortalPage({
      ...view,
      payouts: [
        {
          period: '2026-10',
          status: 'payable',
          amounts: [{ currency: 'USD', amountMinor: 1100 }],
          settlements: [
            { currency: 'USD', settledAt: '2026-11-03T09:30:00.000Z', reference: 'TX <1> & "2"' },
          ],
        },
        {
          period: '2026-09',
          status: 'payable',
          amounts: [
            { currency: 'EUR', amountMinor: 2000 },
            { currency: 'USD', amountMinor: 1500 },
          ],
          settlements: [{ currency: 'EUR', settledAt: '2026-10-02T00:00:00.000Z', reference: 'SEPA-9' }],
        },
        { period: '2026-08', status: 'payable', amounts: [{ currency: 'USD', amountMinor: 1000 }] },
      ],
    });
    expect(page).toContain('Paid on 2026-11-03 · ref TX &lt;1&gt; &amp; &quot;2&quot;');
    expect(page).not.toContain('TX <1>');
    expect(page).toContain('EUR: Paid on 2026-10-02 · ref SEPA-9');
    expect(page.match(/Paid on/g)).toHaveLength(2);
  });
});

test('portal is a reserved link code', () => {
  expect(isValidCode('portal')).toBe(false);
  expect(isValidCode('PORTAL')).toBe(false);
  expect(isValidCode('portals')).toBe(true);
});
