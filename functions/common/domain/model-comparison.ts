/**
 * The attribution model comparison (CONTRACT §10): each of a merchant's credited orders credited
 * again under each model of §6, as if the merchant had used it, from what its first crediting kept:
 * the same candidate clicks, the same coupon fallback, the same rates and the same refunds. Pure.
 *
 * The weights come from the real attribution code (`attributeToInfluencers`, with its 20-influencer
 * bound) and the money from the real split (`splitRatedCommission` on the kept lines, each
 * influencer on its own rates), so the entry of the model an order was credited under is its real
 * credit, unit for unit: the same functions on the same inputs. A property test holds it to that
 * against `planLedger`.
 */
import { type AttributableClick, attributeToInfluencers } from './attribution';
import { ATTRIBUTION_MODELS, type AttributionModel } from './attribution-models';
import { BPS_PER_WHOLE, type CommissionRates, type OrderLine } from './commission';
import { splitRatedCommission } from './deal-commission';

/** What the comparison needs of one credited order. */
export interface ComparableOrder {
  readonly currency: string;
  /** Order time, epoch milliseconds (time_decay weighs clicks by age). */
  readonly occurredAtMs: number;
  /** The candidate clicks that counted, or the coupon's owner when no click did. */
  readonly basis:
    | { readonly kind: 'clicks'; readonly candidates: readonly AttributableClick[] }
    | { readonly kind: 'coupon'; readonly influencerId: string };
  /** The order's lines after its refunds. */
  readonly keptLines: readonly OrderLine[];
  /** The order's rates (the merchant's when it was first credited). */
  readonly rates: CommissionRates;
  /** The influencers on terms of their own when it was first credited, with those rates. */
  readonly ownRates: ReadonlyMap<string, CommissionRates>;
}

export interface ModelFigures {
  currency: string;
  orders: number;
  commissionMinor: number;
}

export interface ModelEntry {
  model: AttributionModel;
  currencies: ModelFigures[];
  byInfluencer: Array<{ influencerId: string; currencies: ModelFigures[] }>;
}

export interface ModelCredit {
  commissionMinor: number;
  /** Influencers with a weight above 0, in the split's tie-break order. */
  parts: Array<{ influencerId: string; weightBps: number; commissionMinor: number }>;
}

/** The order's shares under `model`: the coupon's owner at 100 % whatever the model. */
export function modelShares(
  order: ComparableOrder,
  model: AttributionModel,
): Array<{ influencerId: string; weightBps: number }> {
  if (order.basis.kind === 'coupon')
    return [{ influencerId: order.basis.influencerId, weightBps: BPS_PER_WHOLE }];
  if (order.basis.candidates.length === 0) return [];
  return attributeToInfluencers(order.basis.candidates, model, order.occurredAtMs)
    .filter((share) => share.weightBps > 0)
    .map(({ influencerId, weightBps }) => ({ influencerId, weightBps }));
}

/** What the order would have credited under `model`, after its refunds. */
export function modelCredit(order: ComparableOrder, model: AttributionModel): ModelCredit {
  const shares = modelShares(order, model);
  const split = splitRatedCommission(
    order.keptLines,
    shares.map((share) => ({ ...share, rates: order.ownRates.get(share.influencerId) ?? order.rates })),
  );
  return {
    commissionMinor: split.commissionMinor,
    parts: shares.map((share, i) => ({ ...share, commissionMinor: split.parts[i] ?? 0 })),
  };
}

interface Tally {
  orders: number;
  commissionMinor: bigint;
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

function tallyOf(map: Map<string, Tally>, currency: string): Tally {
  let tally = map.get(currency);
  if (!tally) {
    tally = { orders: 0, commissionMinor: 0n };
    map.set(currency, tally);
  }
  return tally;
}

/** Per currency, by currency code; RangeError for a sum beyond JSON's safe integers (CONTRACT §1). */
function figuresOf(map: Map<string, Tally>): ModelFigures[] {
  return [...map]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, tally]) => {
      if (tally.commissionMinor > MAX_SAFE_BIG || tally.commissionMinor < -MAX_SAFE_BIG)
        throw new RangeError(`a commission total of ${tally.commissionMinor} ${currency} is beyond 2^53`);
      return { currency, orders: tally.orders, commissionMinor: Number(tally.commissionMinor) };
    });
}

/**
 * Adds orders one at a time (a report reads them page by page) and gives the five entries, in the
 * order of ATTRIBUTION_MODELS. Sums are BigInt until the end.
 */
export function modelComparison() {
  const totals = new Map(ATTRIBUTION_MODELS.map((model) => [model, new Map<string, Tally>()]));
  const perInfluencer = new Map(
    ATTRIBUTION_MODELS.map((model) => [model, new Map<string, Map<string, Tally>>()]),
  );
  return {
    add(order: ComparableOrder): void {
      for (const model of ATTRIBUTION_MODELS) {
        const credit = modelCredit(order, model);
        if (credit.parts.length === 0) continue;
        const total = tallyOf(totals.get(model) as Map<string, Tally>, order.currency);
        total.orders += 1;
        total.commissionMinor += BigInt(credit.commissionMinor);
        const byInfluencer = perInfluencer.get(model) as Map<string, Map<string, Tally>>;
        for (const part of credit.parts) {
          let currencies = byInfluencer.get(part.influencerId);
          if (!currencies) {
            currencies = new Map();
            byInfluencer.set(part.influencerId, currencies);
          }
          const tally = tallyOf(currencies, order.currency);
          tally.orders += 1;
          tally.commissionMinor += BigInt(part.commissionMinor);
        }
      }
    },

    result(): ModelEntry[] {
      return ATTRIBUTION_MODELS.map((model) => ({
        model,
        currencies: figuresOf(totals.get(model) as Map<string, Tally>),
        byInfluencer: [...(perInfluencer.get(model) as Map<string, Map<string, Tally>>)]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([influencerId, currencies]) => ({ influencerId, currencies: figuresOf(currencies) })),
      }));
    },
  };
}

/** The five entries over a list of orders. */
export function compareModels(orders: Iterable<ComparableOrder>): ModelEntry[] {
  const comparison = modelComparison();
  for (const order of orders) comparison.add(order);
  return comparison.result();
}
