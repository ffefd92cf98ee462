/**
 * Alarms on the request path, built from the wiring manifest: one on every function's `Errors`, one
 * on the HTTP API's rate of 5xx answers. (Queues and schedules alarm on their own dead-letter queues
 * in queues.ts and schedules.ts.) Every alarm notifies the AlarmTopic.
 */
import { MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FunctionKey } from '../wiring';
import { ALARM_PERIOD, type AlarmTopic } from './alarms';
import type { CreditlinkHttpApi } from './http-api';

/**
 * The API alarm fires when, within one period, at least `minErrors` requests got a 5xx and they are at
 * least `ratePercent` of all requests: a handful of errors in a burst of traffic is noise, and a
 * quiet API answering nothing but errors must still page.
 */
export const API_5XX = { ratePercent: 5, minErrors: 5 } as const;

export interface MonitoringProps {
  readonly alarms: AlarmTopic;
  readonly functions: ReadonlyArray<readonly [FunctionKey, IFunction]>;
  readonly api: CreditlinkHttpApi;
}

export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { alarms } = props;

    // `Errors` counts invocations that threw, timed out or ran out of memory, never a handled 4xx or
    // 5xx answer: for every function here one of those is a bug or an outage worth a look. (A queue
    // consumer reports failed messages through batchItemFailures, which is not an error either.)
    for (const [key, fn] of props.functions) {
      alarms.alarm(this, `${key.charAt(0).toUpperCase()}${key.slice(1)}Errors`, {
        metric: fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
        threshold: 1,
        description: `The ${key} function failed (threw, timed out or ran out of memory) in the last ${ALARM_PERIOD.toMinutes()} minutes. Its log group has the stack traces.`,
      });
    }

    const rate = new MathExpression({
      expression: `IF(errors >= ${API_5XX.minErrors}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: props.api.httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
        requests: props.api.httpApi.metricCount({ period: ALARM_PERIOD, statistic: 'Sum' }),
      },
      period: ALARM_PERIOD,
      label: 'HTTP API 5xx (% of requests)',
    });
    alarms.alarm(this, 'Api5xxRate', {
      metric: rate,
      threshold: API_5XX.ratePercent,
      description: `${API_5XX.ratePercent} % or more of the requests to the HTTP API (and at least ${API_5XX.minErrors}) got a 5xx in the last ${ALARM_PERIOD.toMinutes()} minutes. The access logs name the routes; the functions' logs have the errors.`,
    });
  }
}
