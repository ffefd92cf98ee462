import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ErrorCode, type ErrorIssue, errorCatalog } from './errors';

export { apiError, type ErrorCode, type ErrorIssue, HttpError, notFound } from './errors';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** The contract's error body: `{"error": {"code", "message", "issues"?}}`. */
export function errorBody(code: string, message: string, issues?: ErrorIssue[]) {
  return { error: issues ? { code, message, issues } : { code, message } };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** An error answer; its status comes from the catalog (errors.ts). */
export function error(code: ErrorCode, message?: string, issues?: ErrorIssue[]): HttpResult {
  const entry = errorCatalog[code];
  return json(entry.status, errorBody(code, message ?? entry.message, issues));
}
