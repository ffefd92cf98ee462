/**
 * The wiring manifest: every table, queue, function, HTTP route and schedule of creditlink, written
 * once as data. The CDK stack (lib/stack.ts) builds AWS resources from it and the local runtime
 * (lib/local/) builds its stores, HTTP router, queue pollers and timers from it, so a route cannot
 * exist in one and not the other. Nothing here imports aws-cdk-lib: handlers may read it too.
 */
import { adminRoutes } from '../functions/admin/routes';
import type { SecretKey } from '../functions/common/config/secret-specs';
import { routeKeyOf } from '../functions/common/http/route-key';
import type { RouteSpec as DeclaredRoute, RouteSpecs } from '../functions/common/http/route-spec';
import { healthRoutes } from '../functions/health/routes';
import { ingestRoutes } from '../functions/ingest/routes';
import { openApiRoutes } from '../functions/openapi/routes';
import { payoutRoutes } from '../functions/payouts/routes';
import { portalRoutes } from '../functions/portal/routes';
import { redirectRoutes } from '../functions/redirect/routes';
import { reportRoutes } from '../functions/reports/routes';
import { selfServiceRoutes } from '../functions/self-service/routes';
import { storefrontRoutes } from '../functions/storefront/routes';

// ---------------------------------------------------------------- tables

export interface TableSpec {
  /** Logical id in CloudFormation and suffix of the local table name. */
  id: string;
  /** Environment variable through which functions learn the physical name. */
  envVar: string;
  partitionKey: string;
  sortKey?: string;
  indexes: Array<{ name: string; partitionKey: string; sortKey?: string }>;
  /** Attribute holding an epoch-seconds expiry; DynamoDB deletes the item some time after it. */
  ttlAttribute?: string;
  /** Stream view for consumers of changes (reports aggregate from it). */
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  description: string;
}

export const tables = {
  config: {
    id: 'ConfigTable',
    envVar: 'CONFIG_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    // Only portal login links and sessions carry it: DynamoDB removes them after they expire.
    ttlAttribute: 'expiresAt',
    description:
      'Merchants (with encrypted webhook secrets), influencers, coupon codes, links, storefronts, enrollments, API key hashes, portal login links and sessions.',
  },
  clicks: {
    id: 'ClicksTable',
    envVar: 'CLICKS_TABLE_NAME',
    partitionKey: 'clickId',
    indexes: [{ name: 'byVisitor', partitionKey: 'visitorId', sortKey: 'clickId' }],
    ttlAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    description:
      'One item per redirect, keyed by its ULID; the sparse visitor index (human clicks only) serves attribution.',
  },
  orders: {
    id: 'OrdersTable',
    envVar: 'ORDERS_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      { name: 'unpaidByInfluencer', partitionKey: 'unpaidFor', sortKey: 'eligibleAt' },
      { name: 'byPayout', partitionKey: 'payoutId', sortKey: 'payoutSort' },
      { name: 'payees', partitionKey: 'payeeShard', sortKey: 'influencerId' },
      { name: 'creditedByMerchant', partitionKey: 'ordersOf', sortKey: 'orderSort' },
      // An influencer's credits, clawbacks and fees by date (GET /v1/me/credits).
      { name: 'creditsByInfluencer', partitionKey: 'creditsOf', sortKey: 'creditSort' },
    ],
    stream: 'NEW_AND_OLD_IMAGES',
    description:
      'One partition per order: its root item, refund events, credits per influencer and clawback adjustments.',
  },
  webhookInbox: {
    id: 'WebhookInboxTable',
    envVar: 'WEBHOOK_INBOX_TABLE_NAME',
    partitionKey: 'pk',
    indexes: [{ name: 'pending', partitionKey: 'pendingShard', sortKey: 'receivedAt' }],
    ttlAttribute: 'expiresAt',
    description:
      'Every accepted webhook by (merchant, webhook-id): de-duplication for 7 days, and the outbox of events not yet processed.',
  },
  payouts: {
    id: 'PayoutsTable',
    envVar: 'PAYOUTS_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    // An influencer's payouts of every period (GET /v1/me/payouts); only payout items carry `payoutsOf`.
    indexes: [{ name: 'payoutsByInfluencer', partitionKey: 'payoutsOf', sortKey: 'payoutId' }],
    // A payout made final or settled is an outgoing event (functions/events).
    stream: 'NEW_AND_OLD_IMAGES',
    description:
      'Payout runs by period: the run, a job marker per payee (pending, then done), the payouts; and the latest period.',
  },
  deliveries: {
    id: 'DeliveriesTable',
    envVar: 'DELIVERIES_TABLE_NAME',
    partitionKey: 'endpointId',
    sortKey: 'eventId',
    // Pending deliveries by when they are due: the redrive's overdue ones (a lost queue message).
    indexes: [{ name: 'due', partitionKey: 'dueShard', sortKey: 'dueAt' }],
    ttlAttribute: 'expiresAt',
    description:
      'Outgoing events per endpoint: the signed body, attempts and state of each delivery; the delivery log (30 days).',
  },
  counters: {
    id: 'CountersTable',
    envVar: 'COUNTERS_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
    // Only the aggregator's markers expire (3 days); counter items are kept.
    ttlAttribute: 'expiresAt',
    description:
      'Report counters per UTC day (influencer, link, merchant, merchant × influencer), built from the clicks and orders streams; and the markers of the stream records already counted.',
  },
} as const satisfies Record<string, TableSpec>;
export type TableKey = keyof typeof tables;

// ---------------------------------------------------------------- buckets

export interface BucketSpec {
  id: string;
  description: string;
  /** Holds the bucket name in AWS. */
  envVar: string;
  /** Holds a directory under DATA_DIR where the local runtime keeps the same objects. */
  localDirEnvVar: string;
}

export const buckets = {
  statements: {
    id: 'StatementsBucket',
    description: 'Payout statements (CSV), private and encrypted.',
    envVar: 'STATEMENTS_BUCKET',
    localDirEnvVar: 'STATEMENTS_DIR',
  },
} as const satisfies Record<string, BucketSpec>;
export type BucketKey = keyof typeof buckets;

// ---------------------------------------------------------------- secrets

export { type SecretKey, secretSpecs as secrets } from '../functions/common/config/secret-specs';

// ---------------------------------------------------------------- queues

export interface QueueSpec {
  id: string;
  envVar: string;
  description: string;
  /** The function that consumes the queue in batches (partial batch failures reported); checked below. */
  consumer: string;
  /** At least 6x the consumer's timeout, so a message is never handled twice at once. */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  deadLetter: { id: string; retentionDays: number };
}

export const queues = {
  orders: {
    id: 'OrdersQueue',
    envVar: 'ORDERS_QUEUE_URL',
    description: 'Accepted order webhooks waiting for attribution.',
    consumer: 'attribution',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    deadLetter: { id: 'OrdersDeadLetterQueue', retentionDays: 14 },
  },
  payoutJobs: {
    id: 'PayoutJobsQueue',
    envVar: 'PAYOUT_JOBS_QUEUE_URL',
    description: 'One job per influencer of a payout run.',
    consumer: 'payoutWorker',
    visibilityTimeoutSeconds: 720,
    maxReceiveCount: 5,
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    deadLetter: { id: 'PayoutJobsDeadLetterQueue', retentionDays: 14 },
  },
  deliveries: {
    id: 'DeliveriesQueue',
    envVar: 'DELIVERIES_QUEUE_URL',
    description: 'Attempts of outgoing event deliveries, each delayed until it is due (hops of 15 minutes).',
    consumer: 'deliveries',
    visibilityTimeoutSeconds: 180,
    // Failed attempts are retried by the worker's own schedule, not by SQS: a receive fails only
    // when the store does, and five such receives are worth an operator's look.
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    deadLetter: { id: 'DeliveriesDeadLetterQueue', retentionDays: 14 },
  },
} as const satisfies Record<string, QueueSpec>;
export type QueueKey = keyof typeof queues;

// ---------------------------------------------------------------- functions

/** Bucket access: read-only, or read and write (never delete). */
export type Access = 'RO' | 'RW';

/**
 * A DynamoDB action a function may perform on a table (the IAM action without `dynamodb:`). A
 * transaction needs the action of each of its parts (Put → PutItem, Update → UpdateItem); a Query
 * or Scan is granted on the table's indexes too. Only what the function's code really calls is
 * declared, so no function gets DeleteItem or BatchWriteItem by default.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem'
  | 'DescribeTable';

/** Table actions that also apply to a table's global secondary indexes. */
export const INDEX_ACTIONS: readonly TableAction[] = ['Query', 'Scan'];

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** The exact DynamoDB actions per table, read from the function's code and its repos. */
  tables: Partial<Record<TableKey, readonly TableAction[]>>;
  /** Queues the function sends to (consumers are named on the queue). */
  sends?: QueueKey[];
  buckets?: Partial<Record<BucketKey, Access>>;
  /** The secrets it may read, each granted on its own (the redirect has the IP-hash key only). */
  secrets: SecretKey[];
}

export const functions = {
  redirect: {
    entry: 'functions/redirect/handler.ts',
    description: 'GET/HEAD /{code}: logs the click and redirects to the merchant with a click id.',
    // Sized by measurement (docs/cost.md): peak RSS ~120 MiB rules out 128; the fewest GB-s per click here.
    memoryMb: 256,
    timeoutSeconds: 5,
    // Link and merchant by key; one PutItem per click.
    tables: { config: ['GetItem'], clicks: ['PutItem'] },
    secrets: ['ipHashKey'],
  },
  admin: {
    entry: 'functions/admin/handler.ts',
    description: 'Operator API for merchants, influencers, programs, links, clicks, orders and storefronts.',
    memoryMb: 512,
    timeoutSeconds: 10,
    tables: {
      // Create (PutItem; an influencer with coupon codes, a link with its enrollment, in one
      // transaction), read, rotate secrets, disable links, put storefronts and enrollments
      // (UpdateItem), check a storefront's links (BatchGetItem), a merchant's program (Query),
      // end an enrollment (DeleteItem); make an API key (a transaction that checks its owner exists:
      // ConditionCheckItem) and delete one (DeleteItem); event endpoints the same way (a transaction
      // of owner checks, counts and the endpoint; Query of the ENDPOINTS partition).
      config: [
        'GetItem',
        'BatchGetItem',
        'PutItem',
        'UpdateItem',
        'Query',
        'DeleteItem',
        'ConditionCheckItem',
      ],
      // A click by id; the visitor's other clicks for its duplicate flag (byVisitor index).
      clicks: ['GetItem', 'Query'],
      // The order view reads the order's partition, an enrollment's fees theirs (Query); fees are
      // created (PutItem), changed or cancelled (UpdateItem) in the enrollment's transaction, and
      // their influencer marked as a payee (PutItem). A fee is never deleted.
      orders: ['Query', 'PutItem', 'UpdateItem'],
      // An endpoint's delivery log (Query), a delivery reopened by a retry (UpdateItem).
      deliveries: ['Query', 'UpdateItem'],
    },
    // A retried delivery's attempt.
    sends: ['deliveries'],
    // The seal key seals a new merchant's webhook secret and every rotated one.
    secrets: ['adminToken', 'webhookSealKey'],
  },
  ingest: {
    entry: 'functions/ingest/handler.ts',
    description: 'POST /webhooks/{merchantId}/orders: verifies, validates, keeps and queues an order event.',
    // Sized by measurement (docs/cost.md): peak RSS ~125 MiB; the fewest GB-s per webhook here.
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: {
      config: ['GetItem'],
      // The inbox item is put in the acceptance transaction; a duplicate is read back.
      webhookInbox: ['PutItem', 'GetItem'],
      // The order's "pending" stub, an update in the same transaction.
      orders: ['UpdateItem'],
    },
    sends: ['orders'],
    // The seal key opens the merchant's webhook secrets.
    secrets: ['webhookSealKey'],
  },
  attribution: {
    entry: 'functions/attribution/handler.ts',
    description: 'Orders queue consumer: credits each order to the clicks that earned it, applies refunds.',
    // Sized by measurement (docs/cost.md): peak RSS ~160 MiB; a batch of 10 orders bills the fewest GB-s here.
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: {
      // Merchant settings and coupon owners; the credited influencers' enrollments (their terms),
      // read, and checked in the order's transaction (ConditionCheckItem).
      config: ['GetItem', 'BatchGetItem', 'ConditionCheckItem'],
      // The clicked click; the visitor's clicks in the window (byVisitor index).
      clicks: ['GetItem', 'Query'],
      // The order's partition, then its root, refunds, credits, adjustments and payee marker.
      orders: ['Query', 'PutItem', 'UpdateItem'],
      // Marks the inbox item processed, in the order's transaction.
      webhookInbox: ['UpdateItem'],
    },
    secrets: [],
  },
  payouts: {
    entry: 'functions/payouts/handler.ts',
    description: 'Operator API for payout runs and statements.',
    memoryMb: 512,
    timeoutSeconds: 29,
    tables: {
      // The run and the latest period, the start transaction, recorded payee pages (job-marker puts
      // and the run's update), job markers read back, queueing progress, the run's payouts.
      payouts: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
      // Payees and the items a payout paid (indexes payees, byPayout).
      orders: ['Query'],
    },
    sends: ['payoutJobs'],
    buckets: { statements: 'RW' },
    secrets: ['adminToken'],
  },
  payoutSchedule: {
    entry: 'functions/payout-schedule/handler.ts',
    description: "Monthly: starts the payout run of the previous month (from Scheduler's scheduledTime).",
    memoryMb: 512,
    timeoutSeconds: 300,
    // The same start of a run as the payouts function (payouts/start-run.ts): the run and the
    // latest period, recorded payee pages, job markers read back (Query), queueing progress.
    tables: { payouts: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], orders: ['Query'] },
    sends: ['payoutJobs'],
    secrets: [],
  },
  payoutWorker: {
    entry: 'functions/payout-worker/handler.ts',
    description:
      "Payout-jobs consumer: pays one influencer's due credits and clawbacks, or carries them over.",
    memoryMb: 512,
    timeoutSeconds: 120,
    tables: {
      // The job marker, payouts created and progressed, the job marked done and the run completed;
      // continuing a run: the run read, payee pages recorded (a transaction of job-marker puts and
      // the run's update), job markers read back (Query) and the queueing progress updated.
      payouts: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
      // Unpaid items (unpaidByInfluencer index), confirmed by BatchGetItem, marked paid; payees
      // (payees index) when continuing a run.
      orders: ['Query', 'BatchGetItem', 'UpdateItem'],
      // The influencer's payout minimum.
      config: ['GetItem'],
    },
    // Continuing a run: its jobs, and the next continuation.
    sends: ['payoutJobs'],
    secrets: [],
  },
  outboxRedrive: {
    entry: 'functions/outbox-redrive/handler.ts',
    description: 'Re-queues accepted webhooks whose processing has not been recorded (the outbox).',
    memoryMb: 256,
    timeoutSeconds: 60,
    // Pending items (pending index), each marked as redriven.
    tables: { webhookInbox: ['Query', 'UpdateItem'] },
    sends: ['orders'],
    secrets: [],
  },
  events: {
    entry: 'functions/events/handler.ts',
    description:
      'Orders and payouts stream consumer: turns committed changes into deliveries to event endpoints.',
    memoryMb: 512,
    timeoutSeconds: 60,
    tables: {
      // Every endpoint (one Query of its partition).
      config: ['Query'],
      // A credited order's partition, for its view.
      orders: ['Query'],
      // A delivery per endpoint (conditional PutItem), read back when it existed.
      deliveries: ['PutItem', 'GetItem'],
    },
    sends: ['deliveries'],
    secrets: [],
  },
  deliveries: {
    entry: 'functions/deliveries/handler.ts',
    description: 'Deliveries consumer: POSTs a signed event to its endpoint, and schedules its retries.',
    memoryMb: 512,
    // Ten attempts of 10 seconds at most, at once.
    timeoutSeconds: 30,
    tables: {
      // The endpoint and its sealed secret.
      config: ['GetItem'],
      // The delivery, read and its attempt recorded (a conditional update).
      deliveries: ['GetItem', 'UpdateItem'],
    },
    sends: ['deliveries'],
    // Opens the endpoint's signing secret.
    secrets: ['webhookSealKey'],
  },
  deliveryRedrive: {
    entry: 'functions/delivery-redrive/handler.ts',
    description: 'Re-queues pending deliveries whose attempt is long overdue (a lost queue message).',
    memoryMb: 256,
    timeoutSeconds: 60,
    // Pending deliveries by due time (due index).
    tables: { deliveries: ['Query'] },
    sends: ['deliveries'],
    secrets: [],
  },
  health: {
    entry: 'functions/health/handler.ts',
    description: 'GET /healthz: answers ok when the stores can be reached.',
    memoryMb: 256,
    timeoutSeconds: 5,
    // DescribeTable answers whether the store can be reached without reading any item.
    tables: { config: ['DescribeTable'] },
    secrets: [],
  },
  openapi: {
    entry: 'functions/openapi/handler.ts',
    description: 'GET /openapi.json: the OpenAPI 3.1 document generated from the request schemas.',
    memoryMb: 256,
    timeoutSeconds: 5,
    tables: {},
    secrets: [],
  },
  storefront: {
    entry: 'functions/storefront/handler.ts',
    description: 'GET/HEAD /s/{handle}: the curated storefront page; writes one view event per counted view.',
    memoryMb: 512,
    timeoutSeconds: 5,
    // View events are items of the clicks table, whose stream feeds the reports (repos/storefronts.ts).
    tables: { config: ['GetItem', 'BatchGetItem'], clicks: ['PutItem'] },
    secrets: [],
  },
  aggregator: {
    entry: 'functions/aggregator/handler.ts',
    description:
      'Clicks and orders stream consumer: keeps the per-day report counters, each record counted once.',
    // Sized by measurement (docs/cost.md): peak RSS ~125 MiB; CPU-bound time grows as memory shrinks, yet GB-s per batch is least here.
    memoryMb: 256,
    timeoutSeconds: 60,
    // clicks and orders: the link of an attributed click, the day of a clawback's order.
    tables: {
      // Applied-record markers, the counting transaction (Put marker, Update counters), sketches.
      counters: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'],
      clicks: ['BatchGetItem'],
      orders: ['BatchGetItem'],
    },
    secrets: [],
  },
  reports: {
    entry: 'functions/reports/handler.ts',
    description:
      "Operator API for ROI reports: an influencer's or a merchant's figures over days, JSON or CSV.",
    memoryMb: 512,
    timeoutSeconds: 29,
    // Counters by day; the merchant; a merchant's credited orders (creditedByMerchant index).
    tables: { counters: ['Query'], config: ['GetItem'], orders: ['Query'] },
    secrets: ['adminToken'],
  },
  selfService: {
    entry: 'functions/self-service/handler.ts',
    description: "Merchants' and influencers' own API (/v1/*) on their API keys.",
    memoryMb: 512,
    // Reports, the model comparison and a first statement read as much as the operator's do (29 s,
    // within API Gateway's 30).
    timeoutSeconds: 29,
    tables: {
      // The API key by its hash, the influencer, its merchants, a link, an enrollment, a storefront
      // (GetItem); its programs and links (gsi1, Query); a storefront's links (BatchGetItem); the
      // key's last use, a rotated webhook secret, a link disabled, an enrollment's terms, a
      // storefront (UpdateItem); a new link (PutItem) checked against its enrollment in the same
      // transaction (ConditionCheckItem); a merchant ending an enrollment (DeleteItem); its event
      // endpoints as the operator's (ConditionCheckItem, UpdateItem, PutItem, DeleteItem, Query).
      config: [
        'GetItem',
        'BatchGetItem',
        'Query',
        'PutItem',
        'UpdateItem',
        'DeleteItem',
        'ConditionCheckItem',
      ],
      // An order's partition, an enrollment's fees, the influencer's ledger (creditsByInfluencer) and
      // a payout's items (byPayout): Query. Fees created and the payee marker (PutItem), changed or
      // cancelled (UpdateItem), in the enrollment's transaction, as the operator's route does.
      orders: ['Query', 'PutItem', 'UpdateItem'],
      // A period's payouts of the influencer, and all of its payouts (payoutsByInfluencer).
      payouts: ['Query'],
      // The report counters by day.
      counters: ['Query'],
      // Its endpoints' delivery logs (Query), a delivery reopened by a retry (UpdateItem).
      deliveries: ['Query', 'UpdateItem'],
    },
    // A retried delivery's attempt.
    sends: ['deliveries'],
    // Statements are built once and kept, as the operator's route does.
    buckets: { statements: 'RW' },
    // The admin token, to answer it 403 rather than 401 (CONTRACT §11); the seal key seals a
    // rotated webhook secret.
    secrets: ['adminToken', 'webhookSealKey'],
  },
  portal: {
    entry: 'functions/portal/handler.ts',
    description: 'The influencer portal (/portal): login links, sessions, the dashboard and its link form.',
    memoryMb: 512,
    timeoutSeconds: 10,
    tables: {
      // Sessions, the influencer, its merchants and enrollments, a link (GetItem); its links and
      // programs (gsi1, Query); a new session and a new link (PutItem); a login link used up by a
      // conditional delete, and a session ended by signing out (DeleteItem).
      config: ['GetItem', 'Query', 'PutItem', 'DeleteItem'],
      // The report counters of the last month's days.
      counters: ['Query'],
      // Unpaid credits (unpaidByInfluencer) and what a payout paid, for its statement (byPayout).
      orders: ['Query'],
      // The influencer's payouts of each recent period.
      payouts: ['Query'],
    },
    // A statement is built once and kept, as the operator's route does.
    buckets: { statements: 'RW' },
    secrets: [],
  },
  notFound: {
    entry: 'functions/not-found/handler.ts',
    description: 'Any request that matches no route: a 404 in the contract error shape.',
    memoryMb: 128,
    timeoutSeconds: 3,
    tables: {},
    secrets: [],
  },
} as const satisfies Record<string, FunctionSpec>;
export type FunctionKey = keyof typeof functions;

/** Every queue's consumer is a function of this manifest (a compile-time check). */
export const queueConsumers: { [Q in QueueKey]: FunctionKey } = Object.fromEntries(
  Object.entries(queues).map(([key, spec]) => [key, spec.consumer]),
) as { [Q in QueueKey]: (typeof queues)[Q]['consumer'] };

// ---------------------------------------------------------------- streams

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/**
 * A table's DynamoDB stream feeding a function (an event source mapping in AWS, a poller locally,
 * lib/local/streams.ts). The consumer answers with partial batch responses.
 */
export interface StreamSpec {
  /** Logical id prefix of the stream's resources (its on-failure queue and alarms). */
  id: string;
  /** The table whose stream is read; it must declare a `stream` view. */
  table: TableKey;
  consumer: FunctionKey;
  description: string;
  /** TRIM_HORIZON: a new consumer starts with the oldest record still kept, so nothing is missed. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** Retries of a failing batch before its position is sent to the on-failure queue and skipped. */
  retryAttempts: number;
  /** Records older than this are skipped (and reported to the on-failure queue). */
  maxRecordAgeSeconds: number;
  /**
   * Splitting a failing batch in two would start a retry in the middle of a batch; the aggregator's
   * exactly-once proof (functions/aggregator/aggregate.ts) relies on retries starting only where a
   * batch or a reported failure starts, so it is off, and the consumer skips unreadable records itself.
   */
  bisectBatchOnFunctionError: false;
  /** One batch per shard at a time, in order: required by the same proof. */
  parallelizationFactor: 1;
  /** Only these kinds of change reach the consumer (all when absent). */
  eventNames?: readonly StreamEventName[];
  /** Where the position of a batch that failed every retry goes (an alarmed SQS queue). */
  onFailure: { id: string; retentionDays: number };
  /** How often the local poller reads an idle shard (at most 1 s: a click shows within 10 s). */
  localPollIntervalMs: number;
}

export const streams = {
  clicks: {
    id: 'ClicksStream',
    table: 'clicks',
    consumer: 'aggregator',
    description: 'Clicks and storefront views, counted per day for the reports.',
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    // Each batch rewrites its counter items: below 50 clicks/s a 2 s window halves the batches of a
    // 1 s one, and a click still shows within about 3 s of being written (CONTRACT: 10 s).
    maxBatchingWindowSeconds: 2,
    retryAttempts: 10,
    maxRecordAgeSeconds: 86_400,
    bisectBatchOnFunctionError: false,
    parallelizationFactor: 1,
    // A click counts when it is written; TTL deletions a year later must not wake the function.
    eventNames: ['INSERT'],
    onFailure: { id: 'ClicksStreamFailures', retentionDays: 14 },
    localPollIntervalMs: 500,
  },
  orders: {
    id: 'OrdersStream',
    table: 'orders',
    consumer: 'aggregator',
    description:
      'Order roots, credits and clawbacks: orders, revenue and commission per day for the reports.',
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 10,
    maxRecordAgeSeconds: 86_400,
    bisectBatchOnFunctionError: false,
    parallelizationFactor: 1,
    onFailure: { id: 'OrdersStreamFailures', retentionDays: 14 },
    localPollIntervalMs: 500,
  },
  ordersEvents: {
    id: 'OrdersEventsStream',
    table: 'orders',
    consumer: 'events',
    description: 'Order roots credited, changed or unattributed: outgoing events.',
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 10,
    maxRecordAgeSeconds: 86_400,
    bisectBatchOnFunctionError: false,
    parallelizationFactor: 1,
    // Deletions (none today) are no event.
    eventNames: ['INSERT', 'MODIFY'],
    onFailure: { id: 'OrdersEventsStreamFailures', retentionDays: 14 },
    localPollIntervalMs: 200,
  },
  payoutsEvents: {
    id: 'PayoutsEventsStream',
    table: 'payouts',
    consumer: 'events',
    description: 'Payouts made final or settled: outgoing events.',
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 10,
    maxRecordAgeSeconds: 86_400,
    bisectBatchOnFunctionError: false,
    parallelizationFactor: 1,
    eventNames: ['INSERT', 'MODIFY'],
    onFailure: { id: 'PayoutsEventsStreamFailures', retentionDays: 14 },
    localPollIntervalMs: 200,
  },
} as const satisfies Record<string, StreamSpec>;
export type StreamKey = keyof typeof streams;

// ---------------------------------------------------------------- HTTP routes

export type { HttpMethod, ResponseSpec } from '../functions/common/http/route-spec';

/** A route as declared beside its handler, with the function that serves it and its id there. */
export interface RouteSpec extends DeclaredRoute {
  id: string;
  fn: FunctionKey;
}

/** Each function's routes live in `functions/<fn>/routes.ts`, beside the handler that serves them. */
const routesOf = (fn: FunctionKey, specs: RouteSpecs): RouteSpec[] =>
  Object.entries(specs).map(([id, spec]) => ({ ...spec, id, fn }));

export const routes: readonly RouteSpec[] = [
  ...routesOf('health', healthRoutes),
  ...routesOf('openapi', openApiRoutes),
  ...routesOf('redirect', redirectRoutes),
  ...routesOf('ingest', ingestRoutes),
  ...routesOf('admin', adminRoutes),
  ...routesOf('storefront', storefrontRoutes),
  ...routesOf('payouts', payoutRoutes),
  ...routesOf('reports', reportRoutes),
  ...routesOf('selfService', selfServiceRoutes),
  ...routesOf('portal', portalRoutes),
];

/** Requests that match no route go here (API Gateway's `$default` route). */
export const defaultRoute: { fn: FunctionKey } = { fn: 'notFound' };

export const routeKey = routeKeyOf;

// ---------------------------------------------------------------- schedules

export interface ScheduleSpec {
  id: string;
  fn: FunctionKey;
  description: string;
  /** EventBridge Scheduler expression, in UTC. */
  expression: string;
  /** How often the local runtime runs it (`npm start`); 0 turns it off. */
  localEveryMs: number;
  /** Environment variable that overrides `localEveryMs` (0 turns it off). */
  localEveryEnvVar?: string;
}

export const schedules = {
  outboxRedrive: {
    id: 'OutboxRedriveSchedule',
    fn: 'outboxRedrive',
    description: 'Re-queue accepted webhooks that were not processed (lost messages).',
    expression: 'rate(5 minutes)',
    localEveryMs: 30_000,
  },
  deliveryRedrive: {
    id: 'DeliveryRedriveSchedule',
    fn: 'deliveryRedrive',
    description: 'Re-queue pending event deliveries whose attempt is long overdue (lost messages).',
    expression: 'rate(10 minutes)',
    localEveryMs: 60_000,
  },
  monthlyPayouts: {
    id: 'MonthlyPayoutsSchedule',
    fn: 'payoutSchedule',
    description: 'On the 1st of each month (UTC), pay the previous month.',
    expression: 'cron(0 3 1 * ? *)',
    // Locally an hourly pass (a period that ran returns its stored result, so repeating is harmless).
    localEveryMs: 3_600_000,
    localEveryEnvVar: 'PAYOUT_SCHEDULE_EVERY_MS',
  },
} as const satisfies Record<string, ScheduleSpec>;
export type ScheduleKey = keyof typeof schedules;

/**
 * What a scheduled function receives, from EventBridge Scheduler in AWS and from the local timers:
 * not a `ScheduledEvent`, but this input, with the time the run was scheduled for (the same on every
 * retry), so a job never depends on when it actually ran.
 */
export interface ScheduleInvocation {
  /** The key of the schedule in the wiring manifest. */
  schedule: ScheduleKey;
  /** ISO 8601 UTC time the run was scheduled for, e.g. `2026-12-01T00:00:00Z`. */
  scheduledTime: string;
}

// ---------------------------------------------------------------- environment

/** Environment variables a function receives for its tables, besides those of its secrets. */
export function tableEnv(fn: FunctionSpec, nameOf: (table: TableKey) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(fn.tables) as TableKey[]) env[tables[key].envVar] = nameOf(key);
  return env;
}
