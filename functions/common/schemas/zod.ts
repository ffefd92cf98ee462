/**
 * The one place functions and lib import zod from: `zod/mini`, the same library and schemas as the
 * classic API but tree-shakable, so a bundle carries only the validators it uses (classic zod is
 * most of every bundle and of its cold start).
 *
 * zod/mini loads no locale, and without one every issue says only "Invalid input". English is
 * configured here, before any schema can parse, so that clients read the same messages as before;
 * importing the one locale (not `z.locales`, which holds them all) keeps the others out of bundles.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
