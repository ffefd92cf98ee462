/**
 * Observability in the synthesized stack: every function logs and counts under its own service name
 * in the one metrics namespace, consumers know when a message leaves for the dead-letter queue, the
 * dashboard shows the business metrics beside every alarm, and no function may call CloudWatch
 * (metrics are EMF log lines).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusinessMetric, METRICS_NAMESPACE, serviceNameOf } from '../../functions/common/observability';
import { type FunctionKey, functions, type QueueSpec, queues } from '../../lib/wiring';
import { asArray, inspect } from './inspect';
import { removeSynthOutput, synthTemplate } from './synth';

const { stack, template } = synthTemplate();
afterAll(removeSynthOutput);
const { ofType, environment, statementsOf } = inspect(stack, template);
const functionKeys = Object.keys(functions) as FunctionKey[];

describe('function environment', () => {
  test.each(functionKeys)('%s has its own service name and the metrics namespace', (key) => {
    expect(environment(key)).toMatchObject({
      POWERTOOLS_SERVICE_NAME: serviceNameOf(key),
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    });
  });

  test('service names are distinct and derived from the manifest keys', () => {
    const names = functionKeys.map((key) => environment(key).POWERTOOLS_SERVICE_NAME);
    expect(new Set(names).size).toBe(functionKeys.length);
    expect(serviceNameOf('payoutWorker')).toBe('creditlink-payout-worker');
    expect(serviceNameOf('redirect')).toBe('creditlink-redirect');
  });

  test("queue consumers know their queue's maxReceiveCount, other functions have none", () => {
    const consumers = new Map(
      (Object.values(queues) as QueueSpec[]).map((q) => [q.consumer, q.maxReceiveCount] as const),
    );
    for (const key of functionKeys) {
      const limit = consumers.get(key);
      if (limit === undefined) expect(environment(key)).not.toHaveProperty('QUEUE_MAX_RECEIVE_COUNT');
      else expect(environment(key).QUEUE_MAX_RECEIVE_COUNT).toBe(String(limit));
    }
  });

  test.each(functionKeys)('%s may not call CloudWatch (its metrics are log lines)', (key) => {
    const actions = statementsOf(key).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('cloudwatch:'))).toEqual([]);
  });

  test('no CloudWatch client is a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).filter((d) => d.includes('cloudwatch'))).toEqual([]);
  });
});

describe('dashboard', () => {
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dashboards[0]?.[1].Properties?.DashboardBody);

  test('there is exactly one', () => {
    expect(dashboards).toHaveLength(1);
  });

  test('graphs every business metric in the namespace, per service', () => {
    expect(body).toContain(`\\"${METRICS_NAMESPACE}\\"`);
    for (const name of Object.values(BusinessMetric)) expect(body).toContain(name);
    for (const key of ['redirect', 'ingest', 'attribution', 'payoutWorker'] as const) {
      expect(body).toContain(serviceNameOf(key));
    }
  });

  test('shows the state of every alarm of the stack', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(alarms.length).toBeGreaterThan(10);
    for (const id of alarms) expect(body).toContain(`"${id}"`);
  });
});
