import { z } from 'zod';
import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import { ID_PATTERN, isReservedCode } from '../domain/ids';
import { errorCatalog, errorCodes } from '../http/errors';

export const idSchema = z.string().regex(ID_PATTERN, 'Must be 3 to 64 letters, digits, "_" or "-".');

export const codeSchema = idSchema.refine((code) => !isReservedCode(code), 'This code is reserved.');

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code in capitals, like "USD".');

export const bpsSchema = z.int().min(0).max(10_000);

/** Money and counts: integers within JSON's safe range, never floats (CONTRACT §1). */
export const minorSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

export const isoTimeSchema = z.iso.datetime({ offset: false, precision: 3 });

export const periodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Must be a month as YYYY-MM.');

export const attributionModelSchema = z.enum(ATTRIBUTION_MODELS);

/** The contract's error body, for the OpenAPI document. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).meta({
        description: `One of the error catalog's codes: ${errorCodes
          .map((code) => `\`${code}\` (${errorCatalog[code].status})`)
          .join(', ')}.`,
      }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });
