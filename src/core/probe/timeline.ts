/** One step of a diagnosis run, as shown in the timeline. `detail` never holds secrets: it is built from redacted parts. */
export interface TimelineEntry {
  readonly step: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly status: 'ok' | 'warning' | 'error' | 'skipped';
  readonly detail: string;
}

export class Timeline {
  readonly #entries: TimelineEntry[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  add(entry: Omit<TimelineEntry, 'startedAt'> & { startedAtMs: number }): void {
    const { startedAtMs, ...rest } = entry;
    this.#entries.push({ ...rest, startedAt: new Date(startedAtMs).toISOString() });
  }

  skipped(step: string, detail: string): void {
    this.add({ step, startedAtMs: this.#now(), durationMs: 0, status: 'skipped', detail });
  }

  /** Runs `work` as one step and records its outcome; the step's status and detail come from `describe`. */
  async step<T>(
    step: string,
    work: () => Promise<T>,
    describe: (result: T) => { status: TimelineEntry['status']; detail: string },
  ): Promise<T> {
    const started = this.#now();
    const result = await work();
    const { status, detail } = describe(result);
    this.add({ step, startedAtMs: started, durationMs: this.#now() - started, status, detail });
    return result;
  }

  entries(): readonly TimelineEntry[] {
    return [...this.#entries].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
