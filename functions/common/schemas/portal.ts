/** Schemas of the portal's routes and of the admin route that makes its login links (CONTRACT §11). */
import { z } from 'zod';
import { codeSchema, idSchema, isoTimeSchema, periodSchema } from './common';

export const loginLinkSchema = z.object({ url: z.url(), expiresAt: isoTimeSchema });

/** Any segment: a token that cannot exist is simply unknown (the 401 page). */
export const loginTokenPathSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export const portalStatementPathSchema = z.object({ period: periodSchema });
export const portalLinkPathSchema = z.object({ code: idSchema });

/** The portal's "new link" form, as its fields arrive (strings; an empty field is absent). */
export const portalLinkFormSchema = z.object({
  merchantId: idSchema,
  targetUrl: z.string().min(1, 'Enter the product page address.').max(2048),
  code: z.preprocess((v) => (v === '' ? undefined : v), codeSchema.optional()),
  campaign: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).max(128).optional()),
});
export type PortalLinkForm = z.output<typeof portalLinkFormSchema>;
