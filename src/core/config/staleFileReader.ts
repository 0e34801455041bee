/**
 * Keeps what was last read from a set of files and, on each flush, reads again only the files marked stale since
 * (a watcher event names the one file that changed). Flushes never overlap, and a mark made while a read is under
 * way is read in a further pass before that flush resolves: a refresh that fires during a read never just joins it
 * and misses its own change. Pure: the adapter supplies the file list, the read and what to do with the results.
 */
export interface StaleFileSource<T> {
  /** The files to keep read, in the order results are handed over. */
  list(): readonly string[];
  /** Reads one file; must not throw (return what stands for "unreadable" instead). */
  read(file: string): Promise<T>;
  /** Runs after each pass with every file's latest result, in `list()` order. */
  changed(results: ReadonlyMap<string, T>, files: readonly string[]): Promise<void> | void;
}

export class StaleFileReader<T> {
  private readonly results = new Map<string, T>();
  /** Files to read again; `all` when every file, and the list itself, must be read again. */
  private stale: Set<string> | 'all' = 'all';
  /** `changed` must run on the next pass even if no file is stale (something besides the files changed). */
  private notify = true;
  private running: Promise<void> | undefined;

  constructor(private readonly source: StaleFileSource<T>) {}

  /** Marks `file` (or, with no argument, every file and the list) to be read on the next flush. */
  invalidate(file?: string): void {
    if (file === undefined) this.stale = 'all';
    else if (this.stale !== 'all') this.stale.add(file);
  }

  /** Makes the next flush hand the results over again, reading nothing that is not stale. */
  touch(): void {
    this.notify = true;
  }

  /** Reads what is stale until nothing is: resolves once every mark made before it resolves has been read. */
  flush(): Promise<void> {
    if (!this.running) {
      this.running = (async () => {
        await Promise.resolve(); // so the loop's end below always finds `running` set to this promise
        try {
          while (this.stale === 'all' || this.stale.size > 0 || this.notify) await this.pass();
        } finally {
          // Cleared in the same turn as the last check, so a mark made after it starts a new loop.
          this.running = undefined;
        }
      })();
    }
    return this.running;
  }

  private async pass(): Promise<void> {
    const stale = this.stale;
    this.stale = new Set();
    this.notify = false;
    const files = this.source.list();
    const listed = new Set(files);
    // A path the list does not name (another spelling of a listed file, say) cannot be matched: read everything.
    const everything = stale === 'all' || [...stale].some((f) => !listed.has(f));
    try {
      for (const file of files) {
        if (everything || stale.has(file) || !this.results.has(file)) this.results.set(file, await this.source.read(file));
      }
    } catch (error) {
      this.stale = 'all';
      throw error;
    }
    for (const file of [...this.results.keys()]) if (!listed.has(file)) this.results.delete(file);
    await this.source.changed(this.results, files);
  }
}
