/**
 * The attribution model comparison (CONTRACT §10) over a merchant with 10,000 credited orders in
 * the range, generated straight into DynamoDB Local as the attribution worker writes their roots
 * (the real `rootPut` items, so the real index keys): orders per second of the comparison route
 * and DynamoDB items read per order, beside a plain paged Query of the same index items measured in
 * the same run and process (bench/attribution-models-child.ts). The goal is API Gateway's 29 s
 * limit with room to spare: at most a third of it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { attributeToInfluencers, DAY_MS } from '../functions/common/domain/attribution';
import type { CommissionRates, OrderLine } from '../functions/common/domain/commission';
import { formatInstant } from '../functions/common/domain/instant';
import { keptLinesAfter } from '../functions/common/domain/order-ledger';
import { type OrderRoot, orderRepo } from '../functions/common/repos/orders';
import { provisionLocal, sdkLocal, startLocalStores, storesEnv } from '../lib/local/stores';
import { spawnNode } from './lib/child';
import { fixed, int, median, table } from './lib/format';
import type { BenchModule, Row } from './lib/types';

const ORDERS = Number(process.env.BENCH_MODELS_ORDERS ?? '10000');
const INFLUENCERS = 40;
const MERCHANT = 'bench-models';
const FROM = '2026-10-01';
const TO = '2026-10-30';
/** API Gateway ends a request after 29 s; "comfortably" is a third of it. */
const GOAL_MS = 29_000 / 3;
const WRITERS = 8;

interface ChildFigures {
  handlerMs: number[];
  floorMs: number[];
  handlerCalls: number;
  handlerItems: number;
  floorItems: number;
  ordersPerModel: Array<{ model: string; orders: number }>;
}

/** A small deterministic generator, so every run compares the same orders. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function generatedRoots(count: number): OrderRoot[] {
  const next = random(42);
  const pick = (n: number) => Math.floor(next() * n);
  const ownRates = new Map<string, CommissionRates>(
    Array.from({ length: 8 }, (_, i) => [`inf-${i * 5}`, { defaultBps: 1_500 + i * 100 }]),
  );
  const rangeStartMs = Date.parse(`${FROM}T00:00:00.000Z`);
  const roots: OrderRoot[] = [];
  for (let n = 0; n < count; n++) {
    const orderId = `bench-order-${String(n).padStart(6, '0')}`;
    const occurredAtMs = rangeStartMs + pick(30 * DAY_MS);
    const lines: OrderLine[] = Array.from({ length: 1 + pick(3) }, (_, i) => ({
      sku: `sku-${i}`,
      quantity: 1 + pick(3),
      unitPriceMinor: 500 + pick(20_000),
      ...(i === 0 ? { category: 'beauty' } : {}),
    }));
    const refunds =
      n % 7 === 0
        ? [
            {
              eventId: `r-${n}`,
              occurredAt: formatInstant(occurredAtMs + DAY_MS),
              lines: [{ sku: 'sku-0', quantity: 1 }],
            },
          ]
        : [];
    const coupon = n % 10 === 0;
    const candidates = coupon
      ? []
      : Array.from({ length: 1 + pick(10) }, (_, i) => ({
          clickId: `01JBENCH${String(n).padStart(6, '0')}${String(i).padStart(4, '0')}`,
          influencerId: `inf-${pick(INFLUENCERS)}`,
          occurredAt: formatInstant(occurredAtMs - pick(30 * DAY_MS)),
        }));
    const influencers = coupon
      ? [`inf-${pick(INFLUENCERS)}`]
      : [...new Set(candidates.map((c) => c.influencerId))];
    const shares = coupon
      ? [{ influencerId: influencers[0] ?? 'inf-0', weightBps: 10_000, clickIds: [] }]
      : attributeToInfluencers(
          candidates.map((c) => ({ ...c, occurredAtMs: Date.parse(c.occurredAt) })),
          'linear',
          occurredAtMs,
        );
    roots.push({
      merchantId: MERCHANT,
      orderId,
      status: 'credited',
      currency: n % 5 === 0 ? 'EUR' : 'USD',
      occurredAt: formatInstant(occurredAtMs),
      lines,
      rates: { defaultBps: 1_000, categoryBps: { beauty: 1_200 } },
      holdDays: 30,
      method: coupon ? 'coupon' : 'linear',
      shares: shares.map((s) => {
        const rates = ownRates.get(s.influencerId);
        return rates ? { ...s, rates } : s;
      }),
      candidates,
      candidateRates: influencers.flatMap((id) => {
        const rates = ownRates.get(id);
        return rates ? [{ influencerId: id, rates }] : [];
      }),
      keptLines: keptLinesAfter(lines, refunds),
      // Not what the comparison reads; present so the items are as large as real ones.
      originalAmountMinor: 0,
      amountMinor: 0,
      commissionMinor: 0,
    });
  }
  return roots;
}

async function writeRoots(client: DynamoDBDocumentClient, tableName: string, roots: OrderRoot[]) {
  const repo = orderRepo(tableName);
  const items = roots.map((root) => repo.rootPut(root, undefined).Put?.Item ?? {});
  let cursor = 0;
  const writer = async () => {
    while (cursor < items.length) {
      const batch = items.slice(cursor, cursor + 25);
      cursor += 25;
      let pending: Array<{ PutRequest: { Item: Record<string, unknown> } }> | undefined = batch.map(
        (Item) => ({
          PutRequest: { Item },
        }),
      );
      while (pending && pending.length > 0) {
        const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = out.UnprocessedItems?.[tableName] as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

export const attributionModelsBench: BenchModule = {
  id: 'models',
  async run({ scope, log }) {
    const stores = await startLocalStores({});
    scope.defer('stores', () => stores.stop());
    const provisioned = await provisionLocal(stores, 'bench-models');
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() }),
      {
        marshallOptions: { removeUndefinedValues: true },
      },
    );
    scope.defer('dynamo client', async () => client.destroy());
    const generated = Date.now();
    await writeRoots(client, provisioned.tables.orders, generatedRoots(ORDERS));
    log(
      `${int(ORDERS)} credited orders written in ${fixed((Date.now() - generated) / 1000, 1)} s; comparing`,
    );

    const child = spawnNode(scope, 'attribution-models', ['bench/attribution-models-child.ts'], {
      ipc: true,
      env: {
        ...process.env,
        ...storesEnv(stores, provisioned),
        CREDITLINK_STAGE: 'local',
        ADMIN_TOKEN: 'bench-admin-token',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        BENCH_MERCHANT: MERCHANT,
        BENCH_FROM: FROM,
        BENCH_TO: TO,
      },
    });
    const f = (await Promise.race([
      child.firstMessage,
      child.exited.then((code) => {
        throw new Error(`attribution models child exited (${code}): ${child.output()}`);
      }),
    ])) as ChildFigures;
    await child.exited;

    const handlerMs = median(f.handlerMs);
    const floorMs = median(f.floorMs);
    const ordersPerSecond = (ORDERS / handlerMs) * 1000;
    const floorPerSecond = (f.floorItems / floorMs) * 1000;
    const problems: string[] = [];
    for (const { model, orders } of f.ordersPerModel)
      if (orders !== ORDERS) problems.push(`the ${model} entry counts ${orders} orders, not ${ORDERS}`);
    if (f.floorItems !== ORDERS) problems.push(`the plain Query read ${f.floorItems} items, not ${ORDERS}`);
    const rows: Row[] = [
      {
        figure: `Attribution model comparison, ${int(ORDERS)} credited orders (orders/s)`,
        value: int(ordersPerSecond),
        baseline: `${int(floorPerSecond)} (plain Query of the same index items)`,
        ratio: `${fixed(ordersPerSecond / floorPerSecond, 2)}×`,
        goal: '',
      },
      {
        figure: `Attribution model comparison, ${int(ORDERS)} credited orders (s)`,
        value: fixed(handlerMs / 1000, 2),
        baseline: `${fixed(floorMs / 1000, 2)} (plain Query)`,
        ratio: `${fixed(handlerMs / floorMs, 2)}×`,
        goal: `≤ ${fixed(GOAL_MS / 1000, 1)} s (a third of API Gateway's 29 s)`,
        met: handlerMs <= GOAL_MS,
      },
      {
        figure: 'Attribution model comparison: DynamoDB items read per order',
        value: fixed(f.handlerItems / ORDERS, 3),
        baseline: fixed(f.floorItems / ORDERS, 3),
        ratio: `${fixed(f.handlerItems / f.floorItems, 2)}×`,
        goal: '',
      },
    ];
    return {
      title: 'Attribution model comparison',
      rows,
      details: [
        table(
          ['Orders', 'Comparison runs (s)', 'Plain Query runs (s)', 'DynamoDB calls', 'Items read'],
          [
            [
              int(ORDERS),
              f.handlerMs.map((ms) => fixed(ms / 1000, 2)).join(', '),
              f.floorMs.map((ms) => fixed(ms / 1000, 2)).join(', '),
              int(f.handlerCalls),
              int(f.handlerItems),
            ],
          ],
        ),
      ],
      howMeasured:
        `Attribution model comparison: ${int(ORDERS)} credited order roots of one merchant over 30 days ` +
        '(1 to 10 candidate clicks over 40 influencers, 8 of them on terms of their own, one order in 10 by ' +
        'coupon, one in 7 partly refunded, two currencies), written as the worker writes them into a fresh ' +
        'in-memory DynamoDB Local. A child process calls the reports handler for the 30-day range, and runs ' +
        'a plain paged Query of the same index items (nothing parsed or computed) in the same process and ' +
        'run; the median of 3 rounds each (alternating which goes first, after one warm-up call of each). ' +
        "Items read are those returned by the handler's own DynamoDB calls (the merchant's GetItem included).",
      ...(problems.length ? { problems } : {}),
    };
  },
};
