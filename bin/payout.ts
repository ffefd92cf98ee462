/**
 * `npm run payout -- --period 2026-11`: runs the payout job of a period on the running local system
 * (`npm start`), through the same code as the monthly schedule and `POST /admin/payouts/runs`.
 */
import { parseArgs } from 'node:util';

async function main() {
  const { values } = parseArgs({ options: { period: { type: 'string' } } });
  const period = values.period;
  if (!period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
    console.error('Usage: npm run payout -- --period YYYY-MM');
    process.exit(2);
  }
  const api = process.env.CREDITLINK_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const token = process.env.ADMIN_TOKEN ?? 'local-admin-token';
  let res: Response;
  try {
    res = await fetch(`${api}/admin/payouts/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ period }),
    });
  } catch {
    console.error(
      `creditlink is not answering at ${api}: start it with \`npm start\` (or set CREDITLINK_URL).`,
    );
    process.exit(1);
  }
  const body = await res.text();
  console.log(body);
  if (!res.ok) process.exit(1);
}

void main();
