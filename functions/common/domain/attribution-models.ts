/** The attribution models a merchant can choose (CONTRACT §6). */
export const ATTRIBUTION_MODELS = [
  'last_click',
  'first_click',
  'linear',
  'time_decay',
  'position_based',
] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];
