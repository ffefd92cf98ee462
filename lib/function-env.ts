/**
 * The observability environment of each function of the wiring manifest: set on the Lambda function
 * by the CDK stack (lib/constructs/function-with-log-group.ts) and on each of its invocations by the
 * local runtime (lib/local/invocation.ts), so a function logs and counts the same way in both.
 */
import { METRICS_NAMESPACE, serviceNameOf } from '../functions/common/observability';
import { type FunctionKey, type QueueSpec, queues } from './wiring';

export function observabilityEnv(key: FunctionKey): Record<string, string> {
  const consumed = (Object.values(queues) as QueueSpec[]).filter((q) => q.consumer === key);
  const limits = new Set(consumed.map((q) => q.maxReceiveCount));
  if (limits.size > 1) {
    throw new Error(
      `Function "${key}" consumes queues with different maxReceiveCount values; give them one value, ` +
        'or teach functions/common/queue/batch.ts which queue a record came from.',
    );
  }
  const [maxReceiveCount] = limits;
  return {
    POWERTOOLS_SERVICE_NAME: serviceNameOf(key),
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // A consumer counts the messages that fail their last receive (they go to the dead-letter queue).
    ...(maxReceiveCount === undefined ? {} : { QUEUE_MAX_RECEIVE_COUNT: String(maxReceiveCount) }),
  };
}
