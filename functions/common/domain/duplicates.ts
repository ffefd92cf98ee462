/**
 * Duplicate clicks (CONTRACT §3: `duplicate` = "same visitor and link within 30 s").
 *
 * The rule, where the contract leaves room: a non-bot click is a duplicate when the same visitor
 * clicked the same link (code) at most 30 s before it, measured from that visitor's previous non-bot
 * click on that link, whether that click was itself a duplicate or not. A burst of clicks every 20 s
 * therefore stays one counted click for as long as it goes on: the window slides with the burst, it
 * does not restart from the last counted click.
 *
 * Why this rule: repeated clicks seconds apart are what reloads, double taps and click-spamming
 * scripts produce, not fresh intent. Measuring from the last counted click instead would let a
 * script clicking every 20 s earn a new counted (and attributable) click every 40 s forever; the
 * sliding rule gives it one, and a human who comes back after a real pause (more than 30 s of
 * silence on that link) is counted again. It is the same inactivity-gap rule as an analytics
 * session.
 *
 * Bot clicks are never duplicates (they are already excluded as bots and counted apart as
 * `botClicks`) and never make a later human click a duplicate: a crawler's visit says nothing about
 * whether the human's click is a repeat.
 */

/** Same visitor and link within this many milliseconds (inclusive) is a duplicate. */
export const DUPLICATE_WINDOW_MS = 30_000;

export interface DuplicateCandidateClick {
  readonly clickId: string;
  readonly code: string;
  readonly visitorId: string;
  readonly occurredAtMs: number;
  readonly bot: boolean;
}

/**
 * Whether a click at `clickAtMs` repeats the same visitor's previous non-bot click on the same link
 * at `previousClickAtMs` (undefined when there is none). Exactly 30 s apart still counts as within.
 * For the redirect path or a stream consumer that keeps the last click time per (visitor, link).
 */
export function isRepeatClick(previousClickAtMs: number | undefined, clickAtMs: number): boolean {
  if (previousClickAtMs === undefined) return false;
  const gapMs = clickAtMs - previousClickAtMs;
  return gapMs >= 0 && gapMs <= DUPLICATE_WINDOW_MS;
}

/** Click time first, then clickId: ULIDs sort by time, and break ties within a millisecond. */
export function compareClicksChronologically(
  left: { readonly clickId: string; readonly occurredAtMs: number },
  right: { readonly clickId: string; readonly occurredAtMs: number },
): number {
  if (left.occurredAtMs !== right.occurredAtMs) return left.occurredAtMs - right.occurredAtMs;
  if (left.clickId === right.clickId) return 0;
  return left.clickId < right.clickId ? -1 : 1;
}

/**
 * Decides `duplicate` for each click, by the rule at the top of this file. The clicks may come in
 * any order and may mix visitors and links; they are walked in chronological order (time, then
 * clickId), and the result is in the input's order. Pass every click of the visitors concerned
 * from at least 30 s before the first click to decide, or the first ones may be missed.
 */
export function markDuplicates<C extends DuplicateCandidateClick>(
  clicks: readonly C[],
): (C & { duplicate: boolean })[] {
  const chronological = clicks.map((_, index) => index);
  chronological.sort((left, right) => {
    const leftClick = clicks[left];
    const rightClick = clicks[right];
    if (leftClick === undefined || rightClick === undefined) return 0;
    return compareClicksChronologically(leftClick, rightClick) || left - right;
  });

  const duplicate: boolean[] = clicks.map(() => false);
  // Keyed by visitor and link; JSON.stringify of the pair cannot collide the way "a:b" + "c" could.
  const lastHumanClickAtMs = new Map<string, number>();
  for (const index of chronological) {
    const click = clicks[index];
    if (click === undefined || click.bot) continue;
    const key = JSON.stringify([click.visitorId, click.code]);
    duplicate[index] = isRepeatClick(lastHumanClickAtMs.get(key), click.occurredAtMs);
    lastHumanClickAtMs.set(key, click.occurredAtMs);
  }
  return clicks.map((click, index) => ({ ...click, duplicate: duplicate[index] ?? false }));
}
