/** Storefronts (CONTRACT §3): the admin request and response bodies and the path parameters. */
import { safeImageUrl } from '../domain/storefront-html';
import { codeSchema, idSchema, isoTimeSchema } from './common';
import * as z from './zod';

/** At most 100 items per storefront (CONTRACT §3). */
export const MAX_STOREFRONT_ITEMS = 100;

/** Handles follow the rules of link codes: 3 to 64 letters, digits, "_" or "-". */
export const handleSchema = idSchema;

/**
 * An absolute https URL without credentials, stored normalised (so what is checked is what is
 * served). Plain http would be mixed content on an https page; anything else could be a script.
 */
export const imageUrlSchema = z.pipe(
  z.string().check(z.minLength(1), z.maxLength(2048)),
  z.transform((value: string, ctx) => {
    const url = safeImageUrl(value);
    if (url === undefined || url.length > 2048) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: 'Must be an absolute https URL (at most 2048 characters).',
      });
      return z.NEVER;
    }
    return url;
  }),
);

export const storefrontItemInputSchema = z.strictObject({
  code: codeSchema,
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  imageUrl: z.optional(imageUrlSchema),
  note: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
});

export const putStorefrontSchema = z
  .strictObject({
    influencerId: idSchema,
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    items: z.array(storefrontItemInputSchema).check(
      z.maxLength(MAX_STOREFRONT_ITEMS, `At most ${MAX_STOREFRONT_ITEMS} items.`),
      z.superRefine((items, ctx) => {
        // The same product twice is an editing mistake; naming the second copy says which to drop.
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.code)) {
            ctx.addIssue({ code: 'custom', message: 'This code is already listed.', path: [index, 'code'] });
          }
          seen.add(item.code);
        });
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'PutStorefront' });
export type PutStorefrontInput = z.output<typeof putStorefrontSchema>;

export const storefrontSchema = z
  .object({
    handle: handleSchema,
    influencerId: idSchema,
    title: z.string(),
    items: z.array(
      z.object({
        code: z.string(),
        title: z.string(),
        imageUrl: z.optional(z.string()),
        note: z.optional(z.string()),
      }),
    ),
    /** The public page, e.g. `https://go.example.com/s/anna-summer`. */
    url: z.string(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Storefront' });

export const storefrontPathSchema = z.object({ handle: handleSchema });

/** The public page's path: any segment reaches the handler, which answers 404 for what cannot exist. */
export const storefrontPagePathSchema = z.object({ handle: z.string() });
