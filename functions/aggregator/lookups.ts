/**
 * What the aggregator reads besides the stream: the link code of the clicks that orders were
 * attributed to (a credit names its click, not its link) and, for clawback adjustments, the order's
 * day and shares (an adjustment carries neither). One BatchGetItem per 100 keys; click codes never
 * change, so they are kept in memory for the life of the function instance.
 */
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../common/clients/aws';
import type { Lookups, OrderShareFact } from '../common/domain/report-counters';
import { orderPk } from '../common/repos/orders';
import { sharesOf } from './decode';

/** Enough for a day of a busy shard's attributed orders; a miss costs one read. */
const CODE_CACHE_SIZE = 50_000;
const MAX_ATTEMPTS = 8;

export interface Needs {
  clickIds: Iterable<string>;
  orders: Iterable<[merchantId: string, orderId: string]>;
}

export interface ResolvedLookups extends Lookups {
  /** Orders that were needed but have no root (logged by the caller). */
  missingOrders: Array<[string, string]>;
}

export function streamLookups(tables: { clicks: string; orders: string }) {
  const codes = new Map<string, string>();

  async function batchGet(
    table: string,
    keys: Array<Record<string, unknown>>,
    projection: string,
    consistent: boolean,
  ): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> | undefined = keys.slice(i, i + 100);
      for (let attempt = 1; pending && pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) throw new Error(`BatchGetItem on ${table} left keys unprocessed.`);
        if (attempt > 1) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out: BatchGetCommandOutput = await dynamo().send(
          new BatchGetCommand({
            RequestItems: {
              [table]: { Keys: pending, ProjectionExpression: projection, ConsistentRead: consistent },
            },
          }),
        );
        items.push(...(out.Responses?.[table] ?? []));
        pending = out.UnprocessedKeys?.[table]?.Keys;
      }
    }
    return items;
  }

  return {
    async resolve(needs: Needs): Promise<ResolvedLookups> {
      const clickIds = [...new Set(needs.clickIds)].filter((id) => !codes.has(id));
      if (clickIds.length > 0) {
        const clicks = await batchGet(
          tables.clicks,
          clickIds.map((clickId) => ({ clickId })),
          'clickId, code',
          false,
        );
        for (const click of clicks) {
          if (typeof click.clickId === 'string' && typeof click.code === 'string') {
            if (codes.size >= CODE_CACHE_SIZE) {
              const oldest = codes.keys().next().value;
              if (oldest !== undefined) codes.delete(oldest);
            }
            codes.set(click.clickId, click.code);
          }
        }
      }

      const orderKeys = new Map<string, [string, string]>();
      for (const [merchantId, orderId] of needs.orders)
        orderKeys.set(orderPk(merchantId, orderId), [merchantId, orderId]);
      const orders = new Map<string, { occurredAt: string; shares: OrderShareFact[] }>();
      if (orderKeys.size > 0) {
        // Consistent: the root was written in the same transaction as the adjustment being counted.
        const roots = await batchGet(
          tables.orders,
          [...orderKeys.keys()].map((pk) => ({ pk, sk: 'ROOT' })),
          'pk, occurredAt, shares',
          true,
        );
        for (const root of roots) {
          if (typeof root.pk === 'string' && typeof root.occurredAt === 'string') {
            orders.set(root.pk, { occurredAt: root.occurredAt, shares: sharesOf(root.shares) });
          }
        }
      }

      return {
        codeOf: (clickId) => (clickId === undefined ? undefined : codes.get(clickId)),
        orderOf: (merchantId, orderId) => orders.get(orderPk(merchantId, orderId)),
        missingOrders: [...orderKeys.entries()].filter(([pk]) => !orders.has(pk)).map(([, key]) => key),
      };
    },
  };
}
export type StreamLookups = ReturnType<typeof streamLookups>;
