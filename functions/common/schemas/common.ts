import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import { ID_PATTERN, isReservedCode } from '../domain/ids';
import { formatInstant } from '../domain/instant';
import { errorCatalog, errorCodes } from '../http/errors';
import * as z from './zod';

export const idSchema = z.string().check(z.regex(ID_PATTERN, 'Must be 3 to 64 letters, digits, "_" or "-".'));

export const codeSchema = idSchema.check(z.refine((code) => !isReservedCode(code), 'This code is reserved.'));

export const currencySchema = z
  .string()
  .check(z.regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code in capitals, like "USD".'));

export const bpsSchema = z.int().check(z.minimum(0), z.maximum(10_000));

/** Money and counts: integers within JSON's safe range, never floats (CONTRACT §1). */
export const minorSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));

/** A time in a response: the canonical form every stored time has. */
export const isoTimeSchema = z.iso.datetime({ offset: false, precision: 3 });

/** CONTRACT §1: every time in a request is in the years 2000 to 2999 (any other is a 400). */
export const REQUEST_YEARS = { min: 2000, max: 2999 } as const;
const YEARS_MESSAGE = `Must be in the years ${REQUEST_YEARS.min} to ${REQUEST_YEARS.max}.`;

/** Whether an instant (epoch ms) falls in the years a request may name, in UTC. */
export function isRequestYear(epochMs: number): boolean {
  const year = new Date(epochMs).getUTCFullYear();
  return year >= REQUEST_YEARS.min && year <= REQUEST_YEARS.max;
}

/**
 * Every time of every request body: ISO 8601 UTC (`Z`, any precision), in the years 2000 to 2999,
 * turned into the one canonical form (`formatInstant`: milliseconds, `Z`). The bound keeps every
 * time computed from a request (a hold of up to a year, a window, a cut-off) within four-digit
 * years, where stored times keep one shape and sort as times.
 */
export const requestTimeSchema = z
  .pipe(
    z.iso
      .datetime({ offset: false })
      .check(z.refine((value) => isRequestYear(Date.parse(value)), YEARS_MESSAGE)),
    z.transform((value: string) => formatInstant(Date.parse(value))),
  )
  .register(z.globalRegistry, {
    description: `ISO 8601 UTC, in the years ${REQUEST_YEARS.min} to ${REQUEST_YEARS.max}.`,
  });

/**
 * A day of a query (`YYYY-MM-DD`, or an ISO 8601 time standing for its UTC day) whose UTC day is
 * in the years of `REQUEST_YEARS`. Only the years are checked here; whether the day exists and how
 * days make a range is the caller's (domain/report-range.ts).
 */
export function requestDayOrTimeSchema(patternMessage: string) {
  return z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}(T\S+)?$/, patternMessage),
    z.refine((value) => {
      const ms = Date.parse(value.length === 10 ? `${value}T00:00:00.000Z` : value);
      return Number.isNaN(ms) || isRequestYear(ms);
    }, YEARS_MESSAGE),
  );
}

export const periodSchema = z
  .string()
  .check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Must be a month as YYYY-MM.'));

export const attributionModelSchema = z.enum(ATTRIBUTION_MODELS);

/** The contract's error body, for the OpenAPI document. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).register(z.globalRegistry, {
        description: `One of the error catalog's codes: ${errorCodes
          .map((code) => `\`${code}\` (${errorCatalog[code].status})`)
          .join(', ')}.`,
      }),
      message: z.string(),
      issues: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    }),
  })
  .register(z.globalRegistry, { id: 'Error' });
