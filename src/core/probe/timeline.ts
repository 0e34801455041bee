/** One step of a diagnosis run, as shown in the timeline. `detail` never holds secrets: it is built from redacted parts. */
export interface TimelineEntry {
  readonly step: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** 'expected': an answer the probe was sent to see (the keyless request's 401, a discovery candidate's 404). */
  readonly status: 'ok' | 'expected' | 'warning' | 'error' | 'skipped';
  readonly detail: string;
}

type NewEntry = Omit<TimelineEntry, 'startedAt'> & { startedAtMs: number };

export class Timeline {
  /** Kept with their start as a number: the ISO timestamp is written once, when the entries are read. */
  readonly #entries: NewEntry[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  /** Adds an entry; returns a function that replaces it (a stream's entry once the stream has ended). */
  add(entry: NewEntry): (replacement: NewEntry) => void {
    this.#entries.push(entry);
    let current = entry;
    return (replacement) => {
      const index = this.#entries.indexOf(current);
      current = replacement;
      if (index >= 0) this.#entries[index] = current;
    };
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

  /** In start order, to the millisecond the timestamps show (ties keep the order they were added in). */
  entries(): readonly TimelineEntry[] {
    const startMs = (e: NewEntry) => new Date(e.startedAtMs).getTime();
    return [...this.#entries]
      .sort((a, b) => startMs(a) - startMs(b))
      .map(({ startedAtMs, ...rest }) => ({ ...rest, startedAt: new Date(startedAtMs).toISOString() }));
  }
}
