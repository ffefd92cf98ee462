/**
 * Stops what a benchmark started, newest first, whatever happened: a module registers each stop as
 * soon as the thing exists, so a throw half-way (or Ctrl-C) leaves no server or Java behind.
 */
export class Scope {
  private readonly cleanups: Array<{ name: string; stop: () => Promise<void> }> = [];

  defer(name: string, stop: () => Promise<void>): void {
    this.cleanups.push({ name, stop });
  }

  /** Runs every stop even if one fails, and returns what failed (the caller reports it). */
  async close(): Promise<string[]> {
    const failures: string[] = [];
    for (let cleanup = this.cleanups.pop(); cleanup; cleanup = this.cleanups.pop()) {
      try {
        await cleanup.stop();
      } catch (err) {
        failures.push(`${cleanup.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return failures;
  }
}
