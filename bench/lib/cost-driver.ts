/**
 * The child side of bench/cost-measure.ts: one function's exported handler, bundled the way CDK
 * bundles it and run alone in a fresh Node.js process, invoked over and over with the events the
 * parent prepared. It reports, per invocation, the wall time and the CPU time this process spent,
 * the DynamoDB capacity every call consumed (DynamoDB Local's own ConsumedCapacity, asked for on
 * every request), and at the end the process's peak resident memory. Nothing in it is a timing
 * assertion: the parent only prints medians.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../../functions/common/clients/aws';
import { lambdaContext } from '../../lib/local/api-gateway-event';

export interface DriverInput {
  fn: string;
  timeoutSeconds: number;
  /** Invocations before the measured ones: the first ones pay for module loading and caches. */
  warmup: number;
  events: unknown[];
}

export interface CallCapacity {
  /** `Operation table` (index capacity is named `Operation table/index`). */
  key: string;
  calls: number;
  units: number;
}

export interface DriverOutput {
  wallMs: number[];
  cpuMs: number[];
  /** Capacity of the measured invocations only, by operation and table or index. */
  capacity: CallCapacity[];
  /** Resident memory at its peak over the whole process (module loading included), MiB. */
  maxRssMiB: number;
  heapUsedMiB: number;
  /** Time to load the bundle's modules (the handler's init), ms. */
  initMs: number;
  /** What the measured invocations wrote to stdout and stderr (CloudWatch Logs ingests it), bytes. */
  logBytes: number;
  /** A few of those lines, to tell what they are. */
  logSample: string[];
  results: unknown[];
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export async function drive(handler: Handler, initStartedAt: number): Promise<void> {
  const initMs = performance.now() - initStartedAt;
  const input = JSON.parse(readFileSync(String(process.env.COST_DRIVER_INPUT), 'utf8')) as DriverInput;
  let measuring = false;
  const capacity = new Map<string, CallCapacity>();
  const note = (operation: string, consumed: ConsumedCapacity | undefined) => {
    if (!consumed || !measuring) return;
    const add = (key: string, units: number | undefined) => {
      const entry = capacity.get(key) ?? { key, calls: 0, units: 0 };
      entry.calls += 1;
      entry.units += units ?? 0;
      capacity.set(key, entry);
    };
    add(`${operation} ${consumed.TableName}`, consumed.Table?.CapacityUnits ?? consumed.CapacityUnits);
    for (const [index, units] of Object.entries(consumed.GlobalSecondaryIndexes ?? {}))
      add(`${operation} ${consumed.TableName}/${index}`, units.CapacityUnits);
  };
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.input as Record<string, unknown>;
      request.ReturnConsumedCapacity ??= 'INDEXES';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
        .ConsumedCapacity;
      const operation = String(context.commandName).replace(/Command$/, '');
      for (const one of Array.isArray(consumed) ? consumed : [consumed]) note(operation, one);
      return out;
    },
    { step: 'initialize', name: 'costConsumedCapacity' },
  );

  // Lambda ships whatever a function writes to stdout and stderr to CloudWatch Logs, billed per byte.
  let logBytes = 0;
  const logSample: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (measuring) {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        logBytes += Buffer.byteLength(text);
        if (logSample.length < 4) logSample.push(text.slice(0, 600));
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }

  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const results: unknown[] = [];
  for (const [i, event] of input.events.entries()) {
    measuring = i >= input.warmup;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    results.push(await handler(event, lambdaContext(input.fn, input.timeoutSeconds)));
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (measuring) {
      wallMs.push(wall);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
  }
  const output: DriverOutput = {
    wallMs,
    cpuMs,
    capacity: [...capacity.values()],
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    initMs,
    logBytes,
    logSample,
    results: results.slice(0, 3),
  };
  measuring = false;
  writeFileSync(String(process.env.COST_DRIVER_OUTPUT), JSON.stringify(output));
}
