/**
 * The shape every bench module returns. `bench/run.ts` runs the modules in order and assembles
 * their rows into one table in bench/RESULTS.md, so a later issue adds a benchmark by adding a
 * module, not by editing the report writer.
 */
import type { Scope } from './scope';

/** One line of the results table. Strings, because each figure has its own unit and precision. */
export interface Row {
  figure: string;
  value: string;
  /** The same-run figure the value is compared with, or '—' where there is none. */
  baseline: string;
  ratio: string;
  /** What the issue asks for ('' when it sets no goal). */
  goal: string;
  /** Whether the goal is met; undefined when there is no goal. */
  met?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
  /** Markdown blocks printed under the section's heading: per-run tables, breakdowns, findings. */
  details: string[];
  /** One paragraph for the "How measured" part of the report. */
  howMeasured: string;
  /** Caveats a reader of the summary table must see (e.g. a machine too busy to trust the ratio). */
  warnings?: string[];
  /** Parts that could not be measured; the report lists them and the run exits non-zero. */
  problems?: string[];
}

export interface Settings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Each round measures the baseline and the runtime once; the report gives the median. */
  rounds: number;
}

export interface BenchContext {
  settings: Settings;
  /** A fresh directory for this module, removed when the run ends. */
  tmpDir: string;
  /** Everything the module starts registers its stop here, so a failure or Ctrl-C stops it too. */
  scope: Scope;
  log(message: string): void;
}

export interface BenchModule {
  id: string;
  run(ctx: BenchContext): Promise<Section>;
}
