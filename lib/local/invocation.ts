/**
 * Each local invocation in its own context, as Lambda's runtime runs concurrent invocations on one
 * instance: inside `awslambda.InvokeStore.run`, with AWS_LAMBDA_MAX_CONCURRENCY set. Powertools then
 * keeps appended log keys, the correlation id, the Lambda context and metric dimensions per
 * invocation instead of on its module-wide Logger and Metrics, so the HTTP server's concurrent
 * requests and the queue and stream pollers' batches, all in this one process, never see each
 * other's keys. The context also holds the function's own observability environment (its service
 * name: lib/function-env.ts), which in AWS is the function's environment and here cannot be
 * `process.env`, shared by every function of the process.
 */
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { INVOCATION_ENV_KEY } from '../../functions/common/observability';
import { observabilityEnv } from '../function-env';
import type { FunctionKey } from '../wiring';

/** Powertools reads only whether this is set; Lambda sets it to the instance's concurrency. */
const LOCAL_MAX_CONCURRENCY = '64';

let invokeStore: Promise<InvokeStoreBase> | undefined;

function concurrentInvokeStore(): Promise<InvokeStoreBase> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= LOCAL_MAX_CONCURRENCY;
  // Forced to the per-invocation (AsyncLocalStorage) store; it becomes `globalThis.awslambda.InvokeStore`.
  invokeStore ??= InvokeStore.getInstanceAsync(true);
  return invokeStore;
}

type Handler = (event: never, context: Context) => Promise<unknown>;

/**
 * Loads the handler of function `fn` with `load` and returns it so that each of its calls runs in a
 * context of its own. Loading (a module's top level: Lambda's init phase) runs in a context too:
 * with invocations concurrent, Powertools' stores refuse writes made outside any (a BatchProcessor
 * built at module scope writes its initial state).
 */
export async function perInvocation<H extends Handler>(
  fn: FunctionKey,
  load: () => Promise<H> | H,
): Promise<H> {
  const store = await concurrentInvokeStore();
  const environment = observabilityEnv(fn);
  const handler = await store.run({ [INVOCATION_ENV_KEY]: environment }, load);
  const scoped = (event: never, context: Context) =>
    store.run(
      {
        [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
        [INVOCATION_ENV_KEY]: environment,
      },
      () => handler(event, context),
    );
  return scoped as H;
}
