/** GET /healthz — ok only when the stores answer (CONTRACT §3). */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../common/clients/aws';
import { requireEnv } from '../common/config/env';
import { httpHandler } from '../common/http/handler';
import { error, json } from '../common/http/responses';
import { logger } from '../common/logger';

const configTable = requireEnv('CONFIG_TABLE_NAME');

export const handler = httpHandler(async () => {
  try {
    await dynamo().send(new DescribeTableCommand({ TableName: configTable }));
    return json(200, { status: 'ok' });
  } catch (err) {
    logger.warn('Health check cannot reach DynamoDB', err as Error);
    return error(503, 'unavailable', 'The API cannot reach its stores.');
  }
});
