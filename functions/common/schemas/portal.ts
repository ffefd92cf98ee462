/** Schemas of the portal's routes and of the admin route that makes its login links (CONTRACT §11). */
import { codeSchema, idSchema, isoTimeSchema, periodSchema } from './common';
import * as z from './zod';

export const loginLinkSchema = z.object({ url: z.url(), expiresAt: isoTimeSchema });

/** Any segment: a token that cannot exist is simply unknown (the 401 page). */
export const loginTokenPathSchema = z.object({ token: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)) });

export const portalStatementPathSchema = z.object({ period: periodSchema });
export const portalLinkPathSchema = z.object({ code: idSchema });

/** A form field left empty is absent: the same as not sending it. */
const emptyAsAbsent = () => z.transform((value: unknown) => (value === '' ? undefined : value));

/** The portal's "new link" form, as its fields arrive (strings; an empty field is absent). */
export const portalLinkFormSchema = z.object({
  merchantId: idSchema,
  targetUrl: z.string().check(z.minLength(1, 'Enter the product page address.'), z.maxLength(2048)),
  code: z.pipe(emptyAsAbsent(), z.optional(codeSchema)),
  campaign: z.pipe(emptyAsAbsent(), z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128)))),
});
export type PortalLinkForm = z.output<typeof portalLinkFormSchema>;
