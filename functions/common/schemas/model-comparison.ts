/** The attribution model comparison's query and answer (CONTRACT §10). */
import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import { currencySchema, idSchema } from './common';
import { reportQuerySchema } from './reports';
import * as z from './zod';

/** The same day range as the merchant report; JSON only. */
export const modelComparisonQuerySchema = z.pick(reportQuerySchema, { from: true, to: true });

const modelFiguresSchema = z.object({
  currency: currencySchema,
  orders: z.int().check(z.minimum(0)),
  commissionMinor: z.int(),
});

export const modelComparisonSchema = z
  .object({
    merchantId: idSchema,
    from: z.string(),
    to: z.string(),
    /** The merchant's model now: its entry is what was credited, if it was the model all along. */
    attributionModel: z.enum(ATTRIBUTION_MODELS),
    models: z.array(
      z.object({
        model: z.enum(ATTRIBUTION_MODELS),
        currencies: z.array(modelFiguresSchema),
        byInfluencer: z.array(z.object({ influencerId: idSchema, currencies: z.array(modelFiguresSchema) })),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'AttributionModelComparison' });
