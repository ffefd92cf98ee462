import {
  attributionModelSchema,
  bpsSchema,
  codeSchema,
  currencySchema,
  idSchema,
  isoTimeSchema,
  minorSchema,
} from './common';
import * as z from './zod';

/** A bare host name such as `shop.example.com`: no scheme, port, path or wildcard. */
const HOSTNAME = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
export const hostnameSchema = z
  .pipe(
    z.string(),
    z.transform((s: string) => s.trim().toLowerCase().replace(/\.$/, '')),
  )
  .check(
    z.refine(
      (s) => HOSTNAME.test(s),
      'Must be a host name like "shop.example.com" (no scheme, port or path).',
    ),
  );

export const clickIdParamSchema = z.string().check(
  z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'Must be 1 to 64 letters, digits, ".", "_" or "-".'),
  z.refine((p) => !p.toLowerCase().startsWith('utm_'), 'Must not be a utm_ parameter.'),
);

export const commissionSchema = z.strictObject({
  defaultBps: bpsSchema,
  categoryBps: z.optional(z.record(z.string().check(z.minLength(1), z.maxLength(128)), bpsSchema)),
});

export const createMerchantSchema = z
  .strictObject({
    merchantId: z.optional(idSchema),
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    allowedDomains: z.array(hostnameSchema).check(z.minLength(1), z.maxLength(50)),
    currency: currencySchema,
    clickIdParam: z._default(clickIdParamSchema, 'clk'),
    attributionModel: z._default(attributionModelSchema, 'last_click'),
    attributionWindowDays: z._default(z.int().check(z.minimum(1), z.maximum(365)), 30),
    holdDays: z._default(z.int().check(z.minimum(0), z.maximum(365)), 30),
    commission: commissionSchema,
  })
  .register(z.globalRegistry, { id: 'CreateMerchant' });
export type CreateMerchantInput = z.output<typeof createMerchantSchema>;

export const merchantSchema = z
  .object({
    merchantId: idSchema,
    name: z.string(),
    allowedDomains: z.array(z.string()),
    currency: currencySchema,
    clickIdParam: z.string(),
    attributionModel: attributionModelSchema,
    attributionWindowDays: z.int(),
    holdDays: z.int(),
    commission: commissionSchema,
    createdAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Merchant' });

export const merchantCreatedSchema = z
  .extend(merchantSchema, { webhookSecret: z.string().check(z.startsWith('whsec_')) })
  .register(z.globalRegistry, { id: 'MerchantCreated' });

export const secretRotatedSchema = z
  .object({
    merchantId: idSchema,
    webhookSecret: z.string().check(z.startsWith('whsec_')),
    previousSecretsValidUntil: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'SecretRotated' });

export const couponCodeSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Must be 1 to 64 letters, digits, "_" or "-".'));

export const createInfluencerSchema = z
  .strictObject({
    influencerId: z.optional(idSchema),
    handle: z
      .string()
      .check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'Must be 1 to 64 letters, digits, ".", "_" or "-".')),
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    payoutMinimumMinor: z._default(minorSchema, 1000),
    couponCodes: z
      ._default(z.array(couponCodeSchema).check(z.maxLength(50)), [])
      .check(
        z.refine(
          (codes) => new Set(codes.map((c) => c.toUpperCase())).size === codes.length,
          'Coupon codes must be unique (case-insensitively).',
        ),
      ),
  })
  .register(z.globalRegistry, { id: 'CreateInfluencer' });
export type CreateInfluencerInput = z.output<typeof createInfluencerSchema>;

export const influencerSchema = z
  .object({
    influencerId: idSchema,
    handle: z.string(),
    name: z.string(),
    payoutMinimumMinor: minorSchema,
    couponCodes: z.array(z.string()),
    createdAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Influencer' });

export const createLinkSchema = z
  .strictObject({
    code: z.optional(codeSchema),
    influencerId: idSchema,
    merchantId: idSchema,
    targetUrl: z.string().check(z.minLength(1), z.maxLength(2048)),
    campaign: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))),
  })
  .register(z.globalRegistry, { id: 'CreateLink' });
export type CreateLinkInput = z.output<typeof createLinkSchema>;

export const updateLinkSchema = z
  .strictObject({ disabled: z.boolean() })
  .register(z.globalRegistry, { id: 'UpdateLink' });
export type UpdateLinkInput = z.output<typeof updateLinkSchema>;

export const linkSchema = z
  .object({
    code: z.string(),
    shortUrl: z.string(),
    influencerId: idSchema,
    merchantId: idSchema,
    targetUrl: z.string(),
    campaign: z.optional(z.string()),
    disabled: z.boolean(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Link' });

export const merchantPathSchema = z.object({ merchantId: idSchema });
export const influencerPathSchema = z.object({ influencerId: idSchema });
export const linkPathSchema = z.object({ code: idSchema });
