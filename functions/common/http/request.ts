import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../schemas/zod';
import { apiError, type ErrorCode, type ErrorIssue } from './errors';

/** Largest request body the contract accepts (CONTRACT §1). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The raw body exactly as sent: signatures are computed over these bytes. */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

export function assertBodySize(body: Buffer): void {
  if (body.length > MAX_BODY_BYTES) {
    throw apiError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
}

export function zodIssues(error: z.core.$ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** JSON parse and schema validation of a request body (400 `invalid_body` with `issues`). */
export function parseJsonBuffer<S extends z.core.$ZodType>(body: Buffer, schema: S): z.output<S> {
  let data: unknown;
  try {
    // JSON is UTF-8 (RFC 8259): invalid bytes are refused, not silently replaced by U+FFFD.
    data = JSON.parse(strictUtf8.decode(body));
  } catch {
    throw apiError('invalid_body', 'The request body is not valid JSON.', [
      { path: '', message: 'Malformed JSON' },
    ]);
  }
  return validate(schema, data, 'invalid_body');
}

/**
 * Validates `data` against `schema`, or raises `code` (with the schema's issues where `withIssues`;
 * an error that stands for "does not exist" says no more than that).
 */
export function validate<S extends z.core.$ZodType>(
  schema: S,
  data: unknown,
  code: ErrorCode,
  message?: string,
  withIssues = true,
): z.output<S> {
  const result = z.safeParse(schema, data);
  if (!result.success) throw apiError(code, message, withIssues ? zodIssues(result.error) : undefined);
  return result.data;
}

/** Case-insensitive header lookup (API Gateway lower-cases them, but be tolerant). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Cookies from payload 2.0's `cookies` array (API Gateway moves the Cookie header there). */
export function cookie(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const pair of event.cookies ?? []) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
