import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StaleFileReader } from '../../../src/core/config/staleFileReader';

/** Files in memory; every read is logged, and a read can be held open to change a file while it is under way. */
function fakeFiles(initial: Record<string, string>) {
  const files = new Map(Object.entries(initial));
  const reads: string[] = [];
  const handed: Record<string, string | undefined>[] = [];
  let hold: { file: string; release: Promise<void>; started: () => void } | undefined;
  const source = {
    list: () => [...files.keys()],
    read: async (file: string) => {
      reads.push(file);
      const content = files.get(file);
      if (hold?.file === file) {
        hold.started();
        await hold.release;
      }
      return content;
    },
    changed: (results: ReadonlyMap<string, string | undefined>, list: readonly string[]) => {
      handed.push(Object.fromEntries(list.map((f) => [f, results.get(f)])));
    },
  };
  return {
    files,
    reads,
    handed,
    reader: new StaleFileReader(source),
    /** The next read of `file` waits until the returned `release` is called; `started` resolves when it begins. */
    holdNextRead(file: string) {
      let release!: () => void;
      let started!: () => void;
      const begun = new Promise<void>((r) => (started = r));
      hold = { file, release: new Promise<void>((r) => (release = r)), started };
      return { begun, release: () => ((hold = undefined), release()) };
    },
  };
}

describe('StaleFileReader: re-reads only what changed', () => {
  it('reads every listed file on the first flush and hands the results over in list order', async () => {
    const f = fakeFiles({ '/a': 'A', '/b': 'B' });
    await f.reader.flush();
    assert.deepEqual(f.reads, ['/a', '/b']);
    assert.deepEqual(f.handed, [{ '/a': 'A', '/b': 'B' }]);
  });

  it('reads only the file a change names', async () => {
    const f = fakeFiles({ '/a': 'A', '/b': 'B', '/c': 'C' });
    await f.reader.flush();
    f.files.set('/b', 'B2');
    f.reader.invalidate('/b');
    await f.reader.flush();
    assert.deepEqual(f.reads, ['/a', '/b', '/c', '/b']);
    assert.deepEqual(f.handed.at(-1), { '/a': 'A', '/b': 'B2', '/c': 'C' });
  });

  it('reads everything when a change names a path the list does not hold (another spelling of a listed file)', async () => {
    const f = fakeFiles({ '/a': 'A', '/b': 'B' });
    await f.reader.flush();
    f.files.set('/a', 'A2');
    f.reader.invalidate('/A');
    await f.reader.flush();
    assert.deepEqual(f.reads, ['/a', '/b', '/a', '/b']);
    assert.equal(f.handed.at(-1)!['/a'], 'A2');
  });

  it('reads a newly listed file and drops one no longer listed', async () => {
    const f = fakeFiles({ '/a': 'A', '/b': 'B' });
    await f.reader.flush();
    f.files.delete('/b');
    f.files.set('/c', 'C');
    f.reader.touch();
    await f.reader.flush();
    assert.deepEqual(f.reads, ['/a', '/b', '/c']);
    assert.deepEqual(f.handed.at(-1), { '/a': 'A', '/c': 'C' });
  });

  it('touch hands the results over again without reading', async () => {
    const f = fakeFiles({ '/a': 'A' });
    await f.reader.flush();
    f.reader.touch();
    await f.reader.flush();
    assert.deepEqual(f.reads, ['/a']);
    assert.equal(f.handed.length, 2);
    await f.reader.flush();
    assert.equal(f.handed.length, 2, 'a flush with nothing stale does nothing');
  });

  it('a change made while a read is under way is read before that change’s flush resolves', async () => {
    const f = fakeFiles({ '/a': 'A', '/b': 'B' });
    await f.reader.flush();
    f.reader.invalidate('/a');
    const held = f.holdNextRead('/a');
    const first = f.reader.flush();
    await held.begun;
    // The file changes after the read took its content: the running pass cannot see it.
    f.files.set('/a', 'A2');
    f.reader.invalidate('/a');
    const second = f.reader.flush();
    held.release();
    await second;
    assert.equal(f.handed.at(-1)!['/a'], 'A2');
    await first;
    assert.deepEqual(f.reads, ['/a', '/b', '/a', '/a']);
  });

  it('flushes never overlap: concurrent flushes share one loop', async () => {
    const f = fakeFiles({ '/a': 'A' });
    let inside = 0;
    let most = 0;
    const reader = new StaleFileReader({
      list: () => ['/a'],
      read: async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        return f.files.get('/a');
      },
      changed: () => undefined,
    });
    await Promise.all([reader.flush(), reader.flush(), (reader.invalidate(), reader.flush())]);
    assert.equal(most, 1);
  });

  it('a failed read marks everything stale, so the next flush retries', async () => {
    let fail = true;
    const reads: string[] = [];
    const reader = new StaleFileReader({
      list: () => ['/a', '/b'],
      read: async (file: string) => {
        reads.push(file);
        if (fail && file === '/b') throw new Error('disk gone');
        return file;
      },
      changed: () => undefined,
    });
    await assert.rejects(reader.flush(), /disk gone/);
    fail = false;
    await reader.flush();
    assert.deepEqual(reads, ['/a', '/b', '/a', '/b']);
  });
});
