import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per function (service name from POWERTOOLS_SERVICE_NAME). Nothing that
 * identifies a shopper (IP, cookie) or a secret is ever passed to it: events are not logged whole.
 */
export const logger = new Logger({ serviceName: 'creditlink' });
