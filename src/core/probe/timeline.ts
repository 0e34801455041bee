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
  readonly #entries: TimelineEntry[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  /** Adds an entry; returns a function that replaces it (a stream's entry once the stream has ended). */
  add(entry: NewEntry): (replacement: NewEntry) => void {
    const toEntry = ({ startedAtMs, ...rest }: NewEntry): TimelineEntry => ({ ...rest, startedAt: new Date(startedAtMs).toISOString() });
    const added = toEntry(entry);
    this.#entries.push(added);
    let current = added;
    return (replacement) => {
      const index = this.#entries.indexOf(current);
      current = toEntry(replacement);
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

  /** In start order. ISO timestamps of one format sort as plain strings; localeCompare would load ICU's collator. */
  entries(): readonly TimelineEntry[] {
    return [...this.#entries].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }
}
