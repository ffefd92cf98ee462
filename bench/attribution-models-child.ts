/**
 * Child process of the attribution model comparison bench: calls the reports handler's comparison
 * route (the exact exported handler, as API Gateway would) over the orders the parent generated,
 * and, in the same process and run, the baseline: a plain paged Query of the same index items,
 * nothing parsed or computed. Rounds alternate which goes first. Reports over IPC.
 */
import '../lib/local/esm-only-packages';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from '../lib/local/api-gateway-event';
import { sdkLocal } from '../lib/local/stores';

const merchantId = process.env.BENCH_MERCHANT ?? '';
const from = process.env.BENCH_FROM ?? '';
const to = process.env.BENCH_TO ?? '';
const rounds = Number(process.env.BENCH_ROUNDS_MODELS ?? '3');

function comparisonEvent(): APIGatewayProxyEventV2 {
  const path = `/admin/reports/merchants/${merchantId}/attribution-models`;
  const routeKey = 'GET /admin/reports/merchants/{merchantId}/attribution-models';
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: `from=${from}&to=${to}`,
    queryStringParameters: { from, to },
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}` },
    pathParameters: { merchantId },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

async function main() {
  const aws = await import('../functions/common/clients/aws');
  let calls = 0;
  let itemsRead = 0;
  aws.dynamo().middlewareStack.add(
    (next) => async (args) => {
      calls++;
      const result = await next(args);
      const output = result.output as { Items?: unknown[]; Item?: unknown };
      itemsRead += output.Items?.length ?? (output.Item ? 1 : 0);
      return result;
    },
    { step: 'initialize', name: 'countCallsAndItems' },
  );
  // The route checks that the merchant exists.
  const { merchantRepo } = await import('../functions/common/repos/merchants');
  await merchantRepo(process.env.CONFIG_TABLE_NAME ?? '').create({
    merchantId,
    name: 'Bench models',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    clickIdParam: 'clk',
    attributionModel: 'linear',
    attributionWindowDays: 30,
    holdDays: 30,
    commission: { defaultBps: 1_000, categoryBps: { beauty: 1_200 } },
    createdAt: new Date().toISOString(),
    webhookSecrets: [],
    version: 1,
  });
  const handler = (await import('../functions/reports/handler')).handler as unknown as (
    e: APIGatewayProxyEventV2,
    c: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;

  const floorClient = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, ...sdkLocal() }),
  );
  const plainQuery = async () => {
    let items = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await floorClient.send(
        new QueryCommand({
          TableName: process.env.ORDERS_TABLE_NAME,
          IndexName: 'creditedByMerchant',
          KeyConditionExpression: 'ordersOf = :m AND orderSort BETWEEN :low AND :high',
          ExpressionAttributeValues: {
            ':m': merchantId,
            ':low': `${from}T00:00:00.000Z`,
            ':high': `${to}T23:59:59.999Z#~`,
          },
          // The handler's page size (functions/common/actions/attribution-models.ts): the same calls.
          Limit: 1_000,
          ExclusiveStartKey: start,
        }),
      );
      items += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  let floorItems = 0;
  let body: { models: Array<{ model: string; currencies: Array<{ orders: number }> }> } | undefined;
  let handlerCalls = 0;
  let handlerItems = 0;
  const runHandler = async () => {
    calls = 0;
    itemsRead = 0;
    const started = performance.now();
    const res = await handler(comparisonEvent(), lambdaContext('reports', 29));
    handlerMs.push(performance.now() - started);
    if (res.statusCode !== 200) throw new Error(`comparison answered ${res.statusCode}: ${res.body}`);
    body = JSON.parse(res.body ?? '{}');
    handlerCalls = calls;
    handlerItems = itemsRead;
  };
  const runFloor = async () => {
    const started = performance.now();
    floorItems = await plainQuery();
    floorMs.push(performance.now() - started);
  };
  // A first call of each warms the module and the connection; it is not counted.
  await runHandler();
  await runFloor();
  handlerMs.length = 0;
  floorMs.length = 0;
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await runHandler();
      await runFloor();
    } else {
      await runFloor();
      await runHandler();
    }
  }
  floorClient.destroy();
  process.send?.({
    handlerMs,
    floorMs,
    handlerCalls,
    handlerItems,
    floorItems,
    ordersPerModel: (body?.models ?? []).map((m) => ({
      model: m.model,
      orders: m.currencies.reduce((n, c) => n + c.orders, 0),
    })),
  });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
