/** What merchants and influencers read of themselves with their API keys (CONTRACT §11). */
import { z } from 'zod';
import { commissionSchema, linkSchema } from './catalog';
import { currencySchema, idSchema, minorSchema } from './common';

export const programSchema = z
  .object({
    merchantId: idSchema,
    name: z.string(),
    allowedDomains: z.array(z.string()),
    currency: currencySchema,
    /** The rates in force for this influencer: its terms' commission, else the merchant's. */
    commission: commissionSchema,
  })
  .meta({ id: 'Program' });

export const meSchema = z
  .object({
    influencerId: idSchema,
    handle: z.string(),
    name: z.string(),
    payoutMinimumMinor: minorSchema,
    couponCodes: z.array(z.string()),
    programs: z.array(programSchema),
  })
  .meta({ id: 'Me' });

export const linkListSchema = z.object({ items: z.array(linkSchema) }).meta({ id: 'LinkList' });
