import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '../logger';
import { logMetrics } from '../metrics';
import { HttpError } from './errors';
import { error, type HttpResult } from './responses';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/**
 * Wraps an HTTP handler with the house middleware: structured logs carrying the Lambda request id
 * and API Gateway's request id as correlation id, and one place that turns an `HttpError` into the
 * contract's error body (or, for HTML pages, into the page that `renderError` draws). Anything else is logged and answered with a 500 that reveals nothing.
 */
export function httpHandler(
  handle: HttpHandler,
  renderError: (err: HttpError) => HttpResult = (err) => error(err.code, err.message, err.issues),
) {
  return middy<APIGatewayProxyEventV2, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics())
    .handler(async (event, context) => {
      logger.setCorrelationId(event.requestContext?.requestId);
      try {
        return await handle(event, context);
      } catch (err) {
        if (err instanceof HttpError) return renderError(err);
        logger.error('Unhandled error', err as Error);
        return error('internal_error');
      }
    });
}
