/**
 * The report counters (issue 5): what each change to a click, storefront view or order adds to the
 * per-day counter items, and how those items are keyed and read back. Pure: the aggregator decodes
 * stream records into the facts below, resolves the lookups, and writes what this module returns.
 *
 * Counter items (counters table), one per scope and UTC day:
 *   pk = INF#<influencerId>  sk = D#<day>                  the influencer's totals
 *   pk = INF#<influencerId>  sk = D#<day>#L#<code>         one of the influencer's links
 *   pk = MER#<merchantId>    sk = D#<day>                  the merchant's totals
 *   pk = MER#<merchantId>    sk = D#<day>#I#<influencerId> the merchant's figures for one influencer
 * so that a report is one Query per scope over a day range, whose size is bounded by days × links
 * (or days × influencers) and never by the traffic. Attributes: `clicks`, `botClicks`,
 * `storefrontViews`, per currency `orders_<CUR>`, `revenueMinor_<CUR>`, `commissionMinor_<CUR>`
 * (flat names, because DynamoDB's ADD cannot create a nested map path), and `visitors`, a
 * HyperLogLog sketch (hyperloglog.ts) on the influencer and link items.
 *
 * Money follows the ORDER's day (its `occurredAt`), also for later refunds and clawbacks, so a day's
 * revenue and commission always describe that day's orders:
 * - an order root counts while it is `credited`: +1 order for the merchant and for each credited
 *   influencer, and its amount (after refunds) split between the influencers by their weights with
 *   the largest-remainder method, so the parts add up to the amount exactly. Any change to the root
 *   adds `contribution(new) − contribution(old)`: crediting adds the order, a refund adds the
 *   revenue difference, and the order itself keeps counting (a fully refunded order is still an
 *   order, with no revenue left).
 * - a credit (commission owed to one influencer) adds `new amount − old amount`;
 * - a clawback adjustment adds its (negative) amount.
 * Flat fees (CONTRACT §10) follow their `dueAt` day and count only in the merchant's scopes (its
 * totals and its figures for the influencer), as `flatFeesMinor_<CUR>`: a fee adds its amount while
 * it is owed, so a change of amount or day, or a cancellation, moves its counts.
 * Per link, money goes to the link of the influencer's representative click (the attribution's
 * `clickId`); a coupon-only credit has no click, so it is in the influencer's totals but in no link.
 */
import { splitByWeight } from './split';

/** A UTC calendar day, `YYYY-MM-DD`. */
export type Day = string;

export interface CounterKey {
  pk: string;
  sk: string;
}

export const COUNT_FIELDS = ['clicks', 'botClicks', 'storefrontViews'] as const;
export type CountField = (typeof COUNT_FIELDS)[number];
export const MONEY_FIELDS = ['orders', 'revenueMinor', 'commissionMinor', 'flatFeesMinor'] as const;
export type MoneyField = (typeof MONEY_FIELDS)[number];

/** The attribute holding the visitor sketch. */
export const SKETCH_ATTRIBUTE = 'visitors';

const CURRENCY = /^[A-Z]{3}$/;
const MONEY_ATTRIBUTE = /^(orders|revenueMinor|commissionMinor|flatFeesMinor)_([A-Z]{3})$/;

export const moneyAttribute = (field: MoneyField, currency: string) => `${field}_${currency}`;

export const counterKeys = {
  influencerDay: (influencerId: string, day: Day): CounterKey => ({
    pk: `INF#${influencerId}`,
    sk: `D#${day}`,
  }),
  linkDay: (influencerId: string, day: Day, code: string): CounterKey => ({
    pk: `INF#${influencerId}`,
    sk: `D#${day}#L#${code}`,
  }),
  merchantDay: (merchantId: string, day: Day): CounterKey => ({ pk: `MER#${merchantId}`, sk: `D#${day}` }),
  merchantInfluencerDay: (merchantId: string, day: Day, influencerId: string): CounterKey => ({
    pk: `MER#${merchantId}`,
    sk: `D#${day}#I#${influencerId}`,
  }),
};

export const influencerPartition = (influencerId: string) => `INF#${influencerId}`;
export const merchantPartition = (merchantId: string) => `MER#${merchantId}`;

/** Sort-key bounds that select every item of the days `from` to `to` (inclusive) in a partition. */
export function dayRangeBounds(from: Day, to: Day): { low: string; high: string } {
  // `D#<to>#~` sorts after `D#<to>` and after every `D#<to>#L#…` / `D#<to>#I#…` ('~' > 'L', 'I').
  return { low: `D#${from}`, high: `D#${to}#~` };
}

/** What a counter item's sort key says: its day, and the link or influencer it is about. */
export type ParsedSortKey =
  | { day: Day; scope: 'total' }
  | { day: Day; scope: 'link'; code: string }
  | { day: Day; scope: 'influencer'; influencerId: string };

export function parseSortKey(sk: string): ParsedSortKey | undefined {
  const match = /^D#(\d{4}-\d{2}-\d{2})(?:#([LI])#(.+))?$/.exec(sk);
  const day = match?.[1];
  if (!match || !day) return undefined;
  const [, , kind, id] = match;
  if (kind === undefined) return { day, scope: 'total' };
  if (!id) return undefined;
  return kind === 'L' ? { day, scope: 'link', code: id } : { day, scope: 'influencer', influencerId: id };
}

/** The UTC day of an ISO 8601 time, or undefined when it is not one. */
export function dayOf(isoTime: string | undefined): Day | undefined {
  if (isoTime === undefined) return undefined;
  const ms = Date.parse(isoTime);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

// ---------------------------------------------------------------- facts from the streams

export interface ClickFact {
  code: string;
  influencerId: string;
  merchantId: string;
  visitorId: string;
  occurredAt: string;
  bot: boolean;
}

export interface StorefrontViewFact {
  influencerId: string;
  occurredAt: string;
}

export interface OrderShareFact {
  influencerId: string;
  weightBps: number;
  clickId?: string;
}

export interface OrderRootFact {
  merchantId: string;
  orderId: string;
  status?: string;
  currency?: string;
  occurredAt?: string;
  amountMinor?: number;
  shares?: OrderShareFact[];
}

export interface CreditFact {
  merchantId: string;
  orderId: string;
  influencerId: string;
  currency: string;
  /** The order's time (credits carry it). */
  occurredAt: string;
  amountMinor: number;
  clickId?: string;
}

export interface AdjustmentFact {
  merchantId: string;
  orderId: string;
  influencerId: string;
  currency: string;
  amountMinor: number;
}

/** A flat fee while it is owed (a cancelled fee has no fact). */
export interface FeeFact {
  merchantId: string;
  influencerId: string;
  currency: string;
  dueAt: string;
  amountMinor: number;
}

/** One stream record, decoded: the item's image before and after the change (either may be absent). */
export type SourceChange =
  | { kind: 'click'; click: ClickFact }
  | { kind: 'storefrontView'; view: StorefrontViewFact }
  | { kind: 'orderRoot'; before?: OrderRootFact; after?: OrderRootFact }
  | { kind: 'credit'; before?: CreditFact; after?: CreditFact }
  | { kind: 'adjustment'; before?: AdjustmentFact; after?: AdjustmentFact }
  | { kind: 'fee'; before?: FeeFact; after?: FeeFact };

/** What the aggregator looks up before computing: click codes and the orders of adjustments. */
export interface Lookups {
  /** The link code of a click, when the click is still stored. */
  codeOf(clickId: string | undefined): string | undefined;
  /** The order's time and its shares' representative clicks (for adjustments). */
  orderOf(merchantId: string, orderId: string): { occurredAt: string; shares: OrderShareFact[] } | undefined;
}

/** The clicks and orders a change needs looked up. */
export function lookupsNeeded(change: SourceChange): { clickIds: string[]; orders: Array<[string, string]> } {
  const clickIds: string[] = [];
  const orders: Array<[string, string]> = [];
  if (change.kind === 'orderRoot') {
    for (const root of [change.before, change.after]) {
      for (const share of root?.shares ?? []) if (share.clickId) clickIds.push(share.clickId);
    }
  } else if (change.kind === 'credit') {
    for (const credit of [change.before, change.after]) if (credit?.clickId) clickIds.push(credit.clickId);
  } else if (change.kind === 'adjustment') {
    for (const adjustment of [change.before, change.after]) {
      if (adjustment) orders.push([adjustment.merchantId, adjustment.orderId]);
    }
  }
  return { clickIds, orders };
}

// ---------------------------------------------------------------- contributions

/** What one change adds to one counter item. */
export interface Contribution {
  key: CounterKey;
  /** Attribute name → amount to add (never zero). */
  add: Record<string, number>;
  /** Sketch elements to merge (set union). */
  visitors: number[];
}

/** Accumulates additions per counter item, dropping whatever nets to zero. */
export class ContributionSet {
  private readonly byKey = new Map<string, Contribution>();

  add(key: CounterKey, attribute: string, amount: number): void {
    if (amount === 0) return;
    const entry = this.entry(key);
    const sum = (entry.add[attribute] ?? 0) + amount;
    if (!Number.isSafeInteger(sum)) throw new RangeError(`Counter ${attribute} left the safe integer range.`);
    entry.add[attribute] = sum;
  }

  addVisitors(key: CounterKey, elements: readonly number[]): void {
    if (elements.length > 0) this.entry(key).visitors.push(...elements);
  }

  merge(contributions: readonly Contribution[]): void {
    for (const c of contributions) {
      for (const [attribute, amount] of Object.entries(c.add)) this.add(c.key, attribute, amount);
      this.addVisitors(c.key, c.visitors);
    }
  }

  /** The items that change, each with its non-zero additions. */
  list(): Contribution[] {
    const out: Contribution[] = [];
    for (const entry of this.byKey.values()) {
      const add = Object.fromEntries(Object.entries(entry.add).filter(([, amount]) => amount !== 0));
      if (Object.keys(add).length > 0 || entry.visitors.length > 0) {
        out.push({ key: entry.key, add, visitors: entry.visitors });
      }
    }
    return out;
  }

  /** Keys of the items this set touches (including ones that net to zero so far). */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  private entry(key: CounterKey): Contribution {
    const id = counterKeyString(key);
    let entry = this.byKey.get(id);
    if (!entry) {
      entry = { key, add: {}, visitors: [] };
      this.byKey.set(id, entry);
    }
    return entry;
  }
}

export const counterKeyString = (key: CounterKey) => `${key.pk}\u0000${key.sk}`;

/**
 * What one decoded stream record adds to the counters. `visitorElement` turns a visitor id into its
 * sketch element (hyperloglog.ts), passed in so that this module stays free of hashing.
 */
export function contributionsOf(
  change: SourceChange,
  lookups: Lookups,
  visitorElement: (visitorId: string) => number,
): Contribution[] {
  const set = new ContributionSet();
  switch (change.kind) {
    case 'click':
      addClick(set, change.click, visitorElement);
      break;
    case 'storefrontView': {
      const day = dayOf(change.view.occurredAt);
      if (day) set.add(counterKeys.influencerDay(change.view.influencerId, day), 'storefrontViews', 1);
      break;
    }
    case 'orderRoot':
      if (change.before) addRoot(set, change.before, -1, lookups);
      if (change.after) addRoot(set, change.after, 1, lookups);
      break;
    case 'credit':
      if (change.before) addCredit(set, change.before, -1, lookups);
      if (change.after) addCredit(set, change.after, 1, lookups);
      break;
    case 'adjustment':
      if (change.before) addAdjustment(set, change.before, -1, lookups);
      if (change.after) addAdjustment(set, change.after, 1, lookups);
      break;
    case 'fee':
      if (change.before) addFee(set, change.before, -1);
      if (change.after) addFee(set, change.after, 1);
      break;
  }
  return set.list();
}

/** Every non-bot click counts (duplicates included, CONTRACT §5); bots only as `botClicks`. */
function addClick(set: ContributionSet, click: ClickFact, visitorElement: (visitorId: string) => number) {
  const day = dayOf(click.occurredAt);
  if (!day) return;
  const field: CountField = click.bot ? 'botClicks' : 'clicks';
  const influencer = counterKeys.influencerDay(click.influencerId, day);
  const link = counterKeys.linkDay(click.influencerId, day, click.code);
  for (const key of [
    influencer,
    link,
    counterKeys.merchantDay(click.merchantId, day),
    counterKeys.merchantInfluencerDay(click.merchantId, day, click.influencerId),
  ]) {
    set.add(key, field, 1);
  }
  if (!click.bot) {
    const element = visitorElement(click.visitorId);
    set.addVisitors(influencer, [element]);
    set.addVisitors(link, [element]);
  }
}

function addRoot(set: ContributionSet, root: OrderRootFact, sign: 1 | -1, lookups: Lookups) {
  const day = dayOf(root.occurredAt);
  const shares = root.shares ?? [];
  const amount = root.amountMinor;
  const currency = root.currency;
  if (root.status !== 'credited' || !day || !currency || !CURRENCY.test(currency)) return;
  if (amount === undefined || !Number.isSafeInteger(amount) || shares.length === 0) return;
  const weights = shares.map((s) => s.weightBps);
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0) || weights.every((w) => w === 0)) return;
  const parts = splitByWeight(amount, weights);

  const orders = moneyAttribute('orders', currency);
  const revenue = moneyAttribute('revenueMinor', currency);
  const merchant = counterKeys.merchantDay(root.merchantId, day);
  set.add(merchant, orders, sign);
  set.add(merchant, revenue, sign * amount);
  shares.forEach((share, i) => {
    const part = sign * (parts[i] ?? 0);
    const keys = [
      counterKeys.influencerDay(share.influencerId, day),
      counterKeys.merchantInfluencerDay(root.merchantId, day, share.influencerId),
    ];
    const code = lookups.codeOf(share.clickId);
    if (code) keys.push(counterKeys.linkDay(share.influencerId, day, code));
    for (const key of keys) {
      set.add(key, orders, sign);
      set.add(key, revenue, part);
    }
  });
}

function addCommission(
  set: ContributionSet,
  input: { merchantId: string; influencerId: string; currency: string; day: Day; code?: string },
  amount: number,
) {
  if (!CURRENCY.test(input.currency) || !Number.isSafeInteger(amount)) return;
  const attribute = moneyAttribute('commissionMinor', input.currency);
  const keys = [
    counterKeys.influencerDay(input.influencerId, input.day),
    counterKeys.merchantDay(input.merchantId, input.day),
    counterKeys.merchantInfluencerDay(input.merchantId, input.day, input.influencerId),
  ];
  if (input.code) keys.push(counterKeys.linkDay(input.influencerId, input.day, input.code));
  for (const key of keys) set.add(key, attribute, amount);
}

function addCredit(set: ContributionSet, credit: CreditFact, sign: 1 | -1, lookups: Lookups) {
  const day = dayOf(credit.occurredAt);
  if (!day) return;
  addCommission(set, { ...credit, day, code: lookups.codeOf(credit.clickId) }, sign * credit.amountMinor);
}

function addAdjustment(set: ContributionSet, adjustment: AdjustmentFact, sign: 1 | -1, lookups: Lookups) {
  const order = lookups.orderOf(adjustment.merchantId, adjustment.orderId);
  const day = dayOf(order?.occurredAt);
  // An adjustment exists only for a credited order, whose root is never deleted; without it there
  // is no order day to count it on (the aggregator logs such a record rather than guessing a day).
  if (!day) return;
  const share = order?.shares.find((s) => s.influencerId === adjustment.influencerId);
  addCommission(
    set,
    { ...adjustment, day, code: lookups.codeOf(share?.clickId) },
    sign * adjustment.amountMinor,
  );
}

function addFee(set: ContributionSet, fee: FeeFact, sign: 1 | -1) {
  const day = dayOf(fee.dueAt);
  if (!day || !CURRENCY.test(fee.currency) || !Number.isSafeInteger(fee.amountMinor)) return;
  const attribute = moneyAttribute('flatFeesMinor', fee.currency);
  for (const key of [
    counterKeys.merchantDay(fee.merchantId, day),
    counterKeys.merchantInfluencerDay(fee.merchantId, day, fee.influencerId),
  ]) {
    set.add(key, attribute, sign * fee.amountMinor);
  }
}

// ---------------------------------------------------------------- reading items back

export interface MoneyTotals {
  orders: number;
  revenueMinor: number;
  commissionMinor: number;
  flatFeesMinor: number;
}

/** A counter item's figures, as the reports read them. */
export interface CounterValues {
  clicks: number;
  botClicks: number;
  storefrontViews: number;
  money: Map<string, MoneyTotals>;
  visitors: number[];
}

export const emptyMoney = (): MoneyTotals => ({
  orders: 0,
  revenueMinor: 0,
  commissionMinor: 0,
  flatFeesMinor: 0,
});

/** Reads the figures of a stored counter item (as the document client returns it). */
export function valuesOfItem(item: Record<string, unknown>): CounterValues {
  const number = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : 0);
  const values: CounterValues = {
    clicks: number(item.clicks),
    botClicks: number(item.botClicks),
    storefrontViews: number(item.storefrontViews),
    money: new Map(),
    visitors: [],
  };
  for (const [attribute, value] of Object.entries(item)) {
    const match = MONEY_ATTRIBUTE.exec(attribute);
    const field = match?.[1] as MoneyField | undefined;
    const currency = match?.[2];
    if (!field || !currency) continue;
    const totals = values.money.get(currency) ?? emptyMoney();
    totals[field] += number(value);
    values.money.set(currency, totals);
  }
  const sketch = item[SKETCH_ATTRIBUTE];
  if (sketch instanceof Set) {
    for (const element of sketch) if (typeof element === 'number') values.visitors.push(element);
  }
  return values;
}
