/**
 * Business metrics as CloudWatch Embedded Metric Format (EMF): Powertools Metrics writes them as one
 * JSON log line, which CloudWatch Logs turns into metrics. Nothing here calls CloudWatch, so a metric
 * costs no request, in AWS or locally (where the lines are just part of the log). Names, units and
 * dimensions are listed in ./observability.ts; every metric also has the `service` dimension.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import type { MiddlewareObj } from '@middy/core';
import { serviceName } from './logger';
import { type BusinessMetricName, METRICS_NAMESPACE } from './observability';

const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE;

/**
 * The function's metrics, flushed once at the end of each invocation by `logMetrics()`. Its `service`
 * dimension is added per invocation (by `logMetrics()`, as it writes the line) instead of being Powertools' default
 * dimension: in AWS both are POWERTOOLS_SERVICE_NAME, but the local runtime runs every function in
 * one process with this one instance, and default dimensions are instance-wide while the dimensions
 * of an invocation are kept in its own context.
 */
export const metrics = new Metrics({ namespace });
metrics.clearDefaultDimensions();

export interface MetricValue {
  /** Dimensions besides `service`; the catalog in ./observability.ts says which a metric has. */
  dimensions?: Readonly<Record<string, string>>;
  value?: number;
  unit?: Unit;
}

export interface ItemMetricValue extends MetricValue {
  /**
   * The `service` dimension, when the series belongs to another function than the one writing it:
   * the stream aggregator counts the redirect's clicks under the redirect's service (see
   * BusinessMetric.Clicks). The invocation's own service otherwise.
   */
  service?: string;
}

/**
 * A metric of the invocation's one outcome (an HTTP request's), written with the invocation's other
 * metrics when it ends. Its dimensions apply to everything the invocation records, so a batch whose
 * records have different outcomes uses `addItemMetric` instead.
 */
export function addMetric(
  name: BusinessMetricName,
  { dimensions = {}, value = 1, unit = MetricUnit.Count }: MetricValue = {},
) {
  for (const [key, dimension] of Object.entries(dimensions)) metrics.addDimension(key, dimension);
  metrics.addMetric(name, unit, value);
}

/**
 * A metric of one record of a batch, or of a batch's records of one kind, with dimensions of its
 * own: its own EMF line, written now (Powertools' single-metric mode, for the invocation's service
 * unless `service` names another).
 */
export function addItemMetric(
  name: BusinessMetricName,
  { dimensions = {}, value = 1, unit = MetricUnit.Count, service }: ItemMetricValue = {},
) {
  const single = new Metrics({ namespace, serviceName: service ?? serviceName(), singleMetric: true });
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, unit, value);
}

/**
 * The middy middleware of every handler wrapper: writes what the invocation recorded when it returns
 * or throws, with the invocation's `service` as a dimension. Like Powertools' own `logMetrics`,
 * except that an invocation that recorded nothing (most admin requests) writes nothing, instead of
 * a warning line per request.
 *
 * The service is read when the invocation starts and kept with middy's request object, and added
 * only as the line is written: under the local runtime's concurrent invocations, a dimension added
 * before the handler's first DynamoDB call was missing from about one line in five (the
 * per-invocation store seen after that call is not always the one seen before it), while the
 * request object is the invocation's own whatever the async context.
 */
export function logMetrics(): MiddlewareObj {
  const services = new WeakMap<object, string>();
  const flush = (request: object) => {
    if (metrics.hasStoredMetrics()) {
      metrics.addDimension('service', services.get(request) ?? serviceName());
      metrics.publishStoredMetrics();
    } else metrics.clearDimensions();
  };
  return {
    before: (request) => {
      services.set(request, serviceName());
      // (A no-op where Powertools keeps dimensions per invocation; elsewhere invocations take turns.)
      metrics.clearDimensions();
    },
    after: flush,
    onError: flush,
  };
}
