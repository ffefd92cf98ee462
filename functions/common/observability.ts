/**
 * The names creditlink's logs and metrics are found by, in one place: read by the functions (logger,
 * metrics), the CDK stack (each function's environment, the dashboard) and the local runtime (the
 * service of each invocation). Pure data: nothing here logs or emits.
 */

/**
 * Where the local runtime keeps the per-function environment of an invocation (what Lambda sets
 * on each function: lib/function-env.ts), in the invocation's own context (`awslambda.InvokeStore`,
 * the store Lambda's runtime keeps per invocation and Powertools reads; lib/local/invocation.ts).
 * Every function runs in one process there, so `process.env` cannot differ per function.
 */
export const INVOCATION_ENV_KEY = Symbol.for('creditlink.invocation.environment');

interface InvokeStoreLike {
  get(key: symbol): unknown;
}

/** A variable of the function's own environment: the invocation's (locally), else `process.env`. */
export function functionEnv(name: string): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: InvokeStoreLike } }).awslambda?.InvokeStore;
  const scoped = store?.get(INVOCATION_ENV_KEY) as Readonly<Record<string, string>> | undefined;
  return scoped?.[name] ?? process.env[name];
}

/** The CloudWatch namespace of every business metric (EMF, written by functions/common/metrics.ts). */
export const METRICS_NAMESPACE = 'Creditlink';

/**
 * The service a function logs and emits metrics under: `creditlink-` and its wiring-manifest key in
 * kebab case (`payoutWorker` -> `creditlink-payout-worker`). It is the function's
 * POWERTOOLS_SERVICE_NAME in AWS, and the `service` of each local invocation.
 */
export function serviceNameOf(functionKey: string): string {
  return `creditlink-${functionKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Every business metric, with its unit and dimensions (besides `service`, which every metric has).
 * Renaming one breaks the dashboard's history and anyone's saved queries: add, don't rename.
 */
export const BusinessMetric = {
  /**
   * Redirects that logged a click (HEAD requests are not clicks). Dimension `kind`: human | bot.
   * Written by the stream aggregator, once per batch and kind, as it counts the clicks for the
   * reports, yet under the redirect's service (the series operators have always read): a log line
   * per redirect would cost more than the rest of the redirect's logging together (docs/cost.md).
   * Its timestamp is therefore when the click was counted, a second or so after the redirect.
   */
  Clicks: 'Clicks',
  /** Order webhooks accepted (a 202 "accepted"). */
  WebhooksAccepted: 'WebhooksAccepted',
  /** Order webhooks whose webhook-id was seen before (a 202 "duplicate"). */
  WebhooksDuplicate: 'WebhooksDuplicate',
  /** Order webhooks refused. Dimension `reason`: invalid_signature | invalid_body | payload_too_large. */
  WebhooksRejected: 'WebhooksRejected',
  /** New orders credited to one or more influencers (by click or by coupon). */
  OrdersCredited: 'OrdersCredited',
  /** New orders credited to nobody. Dimension `reason`: the order's `unattributedReason`. */
  OrdersUnattributed: 'OrdersUnattributed',
  /** Payouts an influencer was paid (marked paid), one per currency. Dimension `currency`. */
  PayoutsMade: 'PayoutsMade',
  /** The amount of those payouts, in minor units of `currency` (a Sum is the period's total paid). */
  PayoutAmountMinor: 'PayoutAmountMinor',
  /** Queue messages that failed their last allowed receive: they are now in the dead-letter queue. */
  MessagesDeadLettered: 'MessagesDeadLettered',
} as const;
export type BusinessMetricName = (typeof BusinessMetric)[keyof typeof BusinessMetric];

/** The reasons a webhook is rejected, as the `reason` dimension of WebhooksRejected. */
export const WEBHOOK_REJECTION_REASONS = ['invalid_signature', 'invalid_body', 'payload_too_large'] as const;
