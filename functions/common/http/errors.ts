/**
 * Every error code the API answers with, its HTTP status and a default message: the one catalog
 * that handlers raise from (`apiError`), the adapter answers with, and the OpenAPI document lists.
 * A code's status never varies by route, so a client can branch on the code alone.
 */
export const errorCatalog = {
  invalid_path: { status: 400, message: 'A path parameter is not valid.' },
  invalid_query: { status: 400, message: 'The query is not valid.' },
  invalid_body: { status: 400, message: 'The request body is not valid.' },
  invalid_endpoint: {
    status: 400,
    message:
      'The endpoint URL must be https with a public host (no private, loopback or link-local address).',
  },
  unauthorized: {
    status: 401,
    message: 'A valid credential is required: Authorization: Bearer <token>.',
  },
  invalid_signature: { status: 401, message: 'The webhook signature is missing, wrong or too old.' },
  forbidden: { status: 403, message: 'This credential may not use this route.' },
  not_found: { status: 404, message: 'Not found.' },
  merchant_exists: { status: 409, message: 'A merchant with this id already exists.' },
  influencer_exists: { status: 409, message: 'An influencer with this id already exists.' },
  handle_taken: { status: 409, message: 'The handle is already taken.' },
  coupon_taken: { status: 409, message: 'The coupon code is already taken.' },
  code_taken: { status: 409, message: 'The link code is already taken.' },
  api_key_limit: {
    status: 409,
    message: 'This owner already has the most API keys allowed; delete one first.',
  },
  endpoint_limit: {
    status: 409,
    message: 'This owner, or the service, already has the most event endpoints allowed; delete one first.',
  },
  fee_paid: {
    status: 409,
    message: 'A flat fee already paid must stay in the list unchanged.',
  },
  period_before_latest_run: {
    status: 409,
    message: 'A later payout period has already run; this one can no longer be started.',
  },
  not_payable: {
    status: 409,
    message: 'This payout is not payable (carried over, or its total is still being counted).',
  },
  already_settled: {
    status: 409,
    message: 'This payout is settled already, with another reference.',
  },
  link_disabled: { status: 410, message: 'This link has been disabled.' },
  payload_too_large: { status: 413, message: 'The request body is larger than 65536 bytes.' },
  internal_error: {
    status: 500,
    message: 'Something went wrong on our side; the request can be retried.',
  },
  busy: { status: 503, message: 'The resource was changed concurrently; try again.' },
  statement_not_ready: {
    status: 503,
    message: 'The statement is still being prepared; try again shortly.',
  },
  unavailable: { status: 503, message: 'The API cannot reach its stores; try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];

export interface ErrorIssue {
  path: string;
  message: string;
}

/** A failure raised on purpose; the adapter turns it into the contract's error body. */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string = errorCatalog[code].message,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = errorCatalog[code].status;
  }
}

export const apiError = (code: ErrorCode, message?: string, issues?: ErrorIssue[]) =>
  new HttpError(code, message, issues);

export const notFound = (what: string) => new HttpError('not_found', `${what} was not found.`);
