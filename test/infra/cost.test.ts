/**
 * docs/cost.md derives its figures from the synthesized template; its machine-readable block of
 * assumptions must say what the template actually deploys, so a change of memory, architecture,
 * index projection or batch size cannot leave the cost figures silently stale.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type FunctionKey, functions, tables } from '../../lib/wiring';
import { inspect } from './inspect';
import { removeSynthOutput, synthTemplate } from './synth';

interface CostAssumptions {
  functions: Record<string, { memoryMb: number; architecture: string }>;
  clicksTable: { index: string; projection: string };
  clicksStreamBatchSize: number;
  ordersQueueBatchSize: number;
  /** The log bytes counted assume no Lambda START/END/REPORT lines: JSON format, system logs at WARN. */
  functionLogging: { LogFormat: string; SystemLogLevel: string; ApplicationLogLevel: string };
}

const doc = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'cost.md'), 'utf8');
const block = /```json cost-assumptions\n([\s\S]*?)\n```/.exec(doc)?.[1];
const assumed = JSON.parse(block ?? 'null') as CostAssumptions | null;

const { stack, template } = synthTemplate();
const { props, ofType, functionId } = inspect(stack, template);
afterAll(removeSynthOutput);

test('docs/cost.md carries its assumptions block', () => {
  expect(assumed).not.toBeNull();
});

describe.each(Object.keys(assumed?.functions ?? {}))('function %s', (key) => {
  test('has the memory and architecture the cost figures assume', () => {
    const fn = assumed?.functions[key];
    expect(props(functionId(key as FunctionKey))).toMatchObject({
      MemorySize: fn?.memoryMb,
      Architectures: [fn?.architecture],
    });
  });
});

test("the clicks table's visitor index projects what the item sizes assume", () => {
  const clicks = props(tables.clicks.id);
  const indexes = clicks.GlobalSecondaryIndexes as Array<{
    IndexName: string;
    Projection: { ProjectionType: string };
  }>;
  expect(indexes.map((i) => [i.IndexName, i.Projection.ProjectionType])).toEqual([
    [assumed?.clicksTable.index, assumed?.clicksTable.projection],
  ]);
});

test('the stream and queue batch sizes are those the per-batch costs are divided by', () => {
  const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties ?? {});
  const clicksStream = tables.clicks.id;
  const ofClicks = mappings.filter((m) => JSON.stringify(m.EventSourceArn).includes(clicksStream));
  expect(ofClicks.map((m) => m.BatchSize)).toEqual([assumed?.clicksStreamBatchSize]);
  const ofOrdersQueue = mappings.filter((m) => JSON.stringify(m.EventSourceArn).includes('OrdersQueue'));
  expect(ofOrdersQueue.map((m) => m.BatchSize)).toEqual([assumed?.ordersQueueBatchSize]);
});

test('every function logs as the log-byte figures assume (no system lines at INFO)', () => {
  for (const key of Object.keys(functions) as FunctionKey[]) {
    expect(props(functionId(key)).LoggingConfig).toMatchObject(assumed?.functionLogging ?? { missing: true });
  }
});
