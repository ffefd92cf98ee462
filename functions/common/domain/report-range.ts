/**
 * The day range of a report. Reports have day granularity (their counters are per UTC day), so
 * `from` and `to` are days, both included: `YYYY-MM-DD`, or an ISO 8601 time, which stands for its
 * UTC day (`2026-11-03T23:30:00-02:00` is 2026-11-04). Without `to` the range ends today (UTC);
 * without `from` it covers the 30 days that end at `to`. A range may cover at most 400 days, and
 * `from` after `to` is an error. Pure: "today" is passed in.
 */
import type { Day } from './report-counters';

export const MAX_REPORT_DAYS = 400;
export const DEFAULT_REPORT_DAYS = 30;
const DAY_MS = 86_400_000;

export interface DayRange {
  from: Day;
  to: Day;
  /** Number of days in the range, both ends included. */
  days: number;
}

export type RangeResult =
  | { ok: true; range: DayRange }
  | { ok: false; issues: Array<{ path: string; message: string }> };

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day a query value stands for, or undefined when it is neither a day nor an ISO time. */
export function toDay(value: string): Day | undefined {
  const day = DAY_PATTERN.exec(value);
  if (day) {
    const [, y, m, d] = day;
    const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
    // Date.UTC rolls 2026-02-30 over to March: a day that does not round-trip does not exist.
    return new Date(ms).toISOString().slice(0, 10) === value ? value : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

export const dayMs = (day: Day) => Date.parse(`${day}T00:00:00.000Z`);
export const addDays = (day: Day, days: number): Day =>
  new Date(dayMs(day) + days * DAY_MS).toISOString().slice(0, 10);

/** Days from `from` to `to`, both included (0 or less when `from` is after `to`). */
export const daysInRange = (from: Day, to: Day) => Math.round((dayMs(to) - dayMs(from)) / DAY_MS) + 1;

export function parseDayRange(input: { from?: string; to?: string }, today: Date): RangeResult {
  const issues: Array<{ path: string; message: string }> = [];
  const parse = (name: 'from' | 'to'): Day | undefined => {
    const raw = input[name];
    if (raw === undefined) return undefined;
    const day = toDay(raw);
    if (!day) issues.push({ path: name, message: 'Must be a day (YYYY-MM-DD) or an ISO 8601 time.' });
    return day;
  };
  const givenFrom = parse('from');
  const givenTo = parse('to');
  if (issues.length > 0) return { ok: false, issues };

  const to = givenTo ?? today.toISOString().slice(0, 10);
  const from = givenFrom ?? addDays(to, 1 - DEFAULT_REPORT_DAYS);
  const days = daysInRange(from, to);
  if (days < 1) return { ok: false, issues: [{ path: 'from', message: '`from` is after `to`.' }] };
  if (days > MAX_REPORT_DAYS) {
    return {
      ok: false,
      issues: [
        { path: 'to', message: `A report covers at most ${MAX_REPORT_DAYS} days; this range has ${days}.` },
      ],
    };
  }
  return { ok: true, range: { from, to, days } };
}
