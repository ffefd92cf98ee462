/**
 * One CloudWatch dashboard: the business metrics the functions write as EMF (namespace and names in
 * functions/common/observability.ts) beside the state of every alarm of the stack. Graphs only: the
 * alarms themselves stay with the constructs that own their resources.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { UNATTRIBUTED_REASONS } from '../../functions/common/domain/attribution';
import {
  BusinessMetric,
  type BusinessMetricName,
  METRICS_NAMESPACE,
  serviceNameOf,
  WEBHOOK_REJECTION_REASONS,
} from '../../functions/common/observability';
import { type FunctionKey, type QueueKey, type QueueSpec, queues } from '../wiring';

/** Business graphs sum over 5 minutes, like the alarms (ALARM_PERIOD). */
const PERIOD = Duration.minutes(5);

function count(
  fn: FunctionKey,
  name: BusinessMetricName,
  dimensions: Record<string, string> = {},
  label?: string,
) {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: serviceNameOf(fn), ...dimensions },
    statistic: 'Sum',
    period: PERIOD,
    label: label ?? name,
  });
}

/** Every currency's series of a metric with a `currency` dimension (currencies are not known here). */
function perCurrency(fn: FunctionKey, name: BusinessMetricName, label: string): IMetric {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},currency,service} MetricName="${name}" service="${serviceNameOf(fn)}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });
}

export class CreditlinkDashboard extends Construct {
  readonly dashboard: Dashboard;

  /** Built last in the stack: it shows every alarm created before it. */
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const alarms = Stack.of(this)
      .node.findAll()
      .filter((c): c is Alarm => c instanceof Alarm);
    const consumers = (Object.entries(queues) as Array<[QueueKey, QueueSpec]>).map(
      ([key, spec]) => [key, spec.consumer as FunctionKey] as const,
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown: `# creditlink\nBusiness metrics (namespace \`${METRICS_NAMESPACE}\`, written by the functions as EMF log lines) and the state of every alarm.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            title: 'Clicks (redirects that logged a click)',
            left: ['human', 'bot'].map((kind) => count('redirect', BusinessMetric.Clicks, { kind }, kind)),
            width: 12,
          }),
          new GraphWidget({
            title: 'Order webhooks',
            left: [
              count('ingest', BusinessMetric.WebhooksAccepted, {}, 'accepted'),
              count('ingest', BusinessMetric.WebhooksDuplicate, {}, 'duplicate'),
              ...WEBHOOK_REJECTION_REASONS.map((reason) =>
                count('ingest', BusinessMetric.WebhooksRejected, { reason }, `rejected: ${reason}`),
              ),
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'New orders: credited and unattributed',
            left: [
              count('attribution', BusinessMetric.OrdersCredited, {}, 'credited'),
              ...UNATTRIBUTED_REASONS.map((reason) =>
                count(
                  'attribution',
                  BusinessMetric.OrdersUnattributed,
                  { reason },
                  `unattributed: ${reason}`,
                ),
              ),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Messages moved to a dead-letter queue',
            left: consumers.map(([queue, fn]) =>
              count(fn, BusinessMetric.MessagesDeadLettered, {}, `${queue} queue`),
            ),
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Payouts made (per currency)',
            left: [perCurrency('payoutWorker', BusinessMetric.PayoutsMade, 'payouts')],
            width: 12,
          }),
          new GraphWidget({
            title: 'Amount paid out (minor units, per currency)',
            left: [perCurrency('payoutWorker', BusinessMetric.PayoutAmountMinor, 'paid')],
            width: 12,
          }),
        ],
        [
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms,
            width: 24,
            height: Math.max(3, Math.ceil(alarms.length / 4) + 1),
          }),
        ],
      ],
    });
  }
}
