/** GET /healthz — ok only when the stores answer (CONTRACT §3). */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../common/clients/aws';
import { requireEnv } from '../common/config/env';
import { routeHandler } from '../common/http/adapter';
import { error, json } from '../common/http/responses';
import { logger } from '../common/logger';
import { healthRoutes } from './routes';

const configTable = requireEnv('CONFIG_TABLE_NAME');

export const handler = routeHandler(healthRoutes, {
  health: async () => {
    try {
      await dynamo().send(new DescribeTableCommand({ TableName: configTable }));
      return json(200, { status: 'ok' });
    } catch (err) {
      logger.warn('Health check cannot reach DynamoDB', err as Error);
      return error('unavailable', 'The API cannot reach its stores.');
    }
  },
});
