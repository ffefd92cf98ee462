import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { functionEnv } from './observability';

/** The service this invocation runs as: its function's POWERTOOLS_SERVICE_NAME (./observability.ts). */
export function serviceName(): string {
  return functionEnv('POWERTOOLS_SERVICE_NAME') ?? 'creditlink';
}

/**
 * Powertools' Logger, except that each line carries the service of the invocation that wrote it.
 * In Lambda that is the POWERTOOLS_SERVICE_NAME the logger was built with; the local runtime runs
 * every function in one process, so there the service comes from the invocation's context.
 */
class FunctionLogger extends Logger {
  protected override createAndPopulateLogItem(
    logLevel: number,
    input: LogItemMessage,
    extraInput: LogItemExtraInput,
  ): LogItem {
    return super
      .createAndPopulateLogItem(logLevel, input, extraInput)
      .addAttributes({ service: serviceName() });
  }
}

/**
 * One structured JSON logger per function (service name from POWERTOOLS_SERVICE_NAME). Nothing that
 * identifies a shopper (IP, cookie) or a secret is ever passed to it: events are not logged whole.
 *
 * Appended keys and the correlation id belong to one invocation: Powertools keeps them in the
 * invocation's context whenever invocations run concurrently (AWS_LAMBDA_MAX_CONCURRENCY set, as the
 * local runtime sets it: lib/local/invocation.ts), and resets them per invocation otherwise.
 */
export const logger: Logger = new FunctionLogger();
