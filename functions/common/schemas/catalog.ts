import { z } from 'zod';
import {
  attributionModelSchema,
  bpsSchema,
  codeSchema,
  currencySchema,
  idSchema,
  isoTimeSchema,
  minorSchema,
} from './common';

/** A bare host name such as `shop.example.com`: no scheme, port, path or wildcard. */
const HOSTNAME = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
export const hostnameSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/\.$/, ''))
  .refine((s) => HOSTNAME.test(s), 'Must be a host name like "shop.example.com" (no scheme, port or path).');

export const clickIdParamSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'Must be 1 to 64 letters, digits, ".", "_" or "-".')
  .refine((p) => !p.toLowerCase().startsWith('utm_'), 'Must not be a utm_ parameter.');

export const commissionSchema = z.strictObject({
  defaultBps: bpsSchema,
  categoryBps: z.record(z.string().min(1).max(128), bpsSchema).optional(),
});

export const createMerchantSchema = z
  .strictObject({
    merchantId: idSchema.optional(),
    name: z.string().trim().min(1).max(200),
    allowedDomains: z.array(hostnameSchema).min(1).max(50),
    currency: currencySchema,
    clickIdParam: clickIdParamSchema.default('clk'),
    attributionModel: attributionModelSchema.default('last_click'),
    attributionWindowDays: z.int().min(1).max(365).default(30),
    holdDays: z.int().min(0).max(365).default(30),
    commission: commissionSchema,
  })
  .meta({ id: 'CreateMerchant' });
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
  .meta({ id: 'Merchant' });

export const merchantCreatedSchema = merchantSchema
  .extend({ webhookSecret: z.string().startsWith('whsec_') })
  .meta({ id: 'MerchantCreated' });

export const secretRotatedSchema = z
  .object({
    merchantId: idSchema,
    webhookSecret: z.string().startsWith('whsec_'),
    previousSecretsValidUntil: isoTimeSchema,
  })
  .meta({ id: 'SecretRotated' });

export const couponCodeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Must be 1 to 64 letters, digits, "_" or "-".');

export const createInfluencerSchema = z
  .strictObject({
    influencerId: idSchema.optional(),
    handle: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'Must be 1 to 64 letters, digits, ".", "_" or "-".'),
    name: z.string().trim().min(1).max(200),
    payoutMinimumMinor: minorSchema.default(1000),
    couponCodes: z
      .array(couponCodeSchema)
      .max(50)
      .default([])
      .refine(
        (codes) => new Set(codes.map((c) => c.toUpperCase())).size === codes.length,
        'Coupon codes must be unique (case-insensitively).',
      ),
  })
  .meta({ id: 'CreateInfluencer' });
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
  .meta({ id: 'Influencer' });

export const createLinkSchema = z
  .strictObject({
    code: codeSchema.optional(),
    influencerId: idSchema,
    merchantId: idSchema,
    targetUrl: z.string().min(1).max(2048),
    campaign: z.string().trim().min(1).max(128).optional(),
  })
  .meta({ id: 'CreateLink' });
export type CreateLinkInput = z.output<typeof createLinkSchema>;

export const updateLinkSchema = z.strictObject({ disabled: z.boolean() }).meta({ id: 'UpdateLink' });
export type UpdateLinkInput = z.output<typeof updateLinkSchema>;

export const linkSchema = z
  .object({
    code: z.string(),
    shortUrl: z.string(),
    influencerId: idSchema,
    merchantId: idSchema,
    targetUrl: z.string(),
    campaign: z.string().optional(),
    disabled: z.boolean(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .meta({ id: 'Link' });

export const merchantPathSchema = z.object({ merchantId: idSchema });
export const influencerPathSchema = z.object({ influencerId: idSchema });
export const linkPathSchema = z.object({ code: idSchema });
