// The suite fixtures' cleanup (test/harness/teardown.ts): what it gets wrong leaves a sandbox, code-server or
// Chromium running on a machine other helpers share, and no e2e test would notice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Teardown } from '../../harness/teardown';

describe('Teardown: what a suite started is undone, all of it', () => {
  it('stops the last started first (the browser before code-server, a proxy before its sandbox)', async () => {
    const order: string[] = [];
    const teardown = new Teardown();
    const sandbox = teardown.stopAfter({ stop: async () => void order.push('sandbox') });
    teardown.atTeardown(() => order.push('file deleted'));
    teardown.stopAfter({ stop: () => void order.push('code-server') });
    await teardown.run();
    assert.deepEqual(order, ['code-server', 'file deleted', 'sandbox']);
    assert.equal(typeof sandbox.stop, 'function', 'stopAfter hands back what it was given');
  });

  it('runs every step when one fails, then throws the first failure', async () => {
    const stopped: string[] = [];
    const teardown = new Teardown();
    teardown.stopAfter({ stop: () => void stopped.push('sandbox') });
    teardown.stopAfter({ stop: () => Promise.reject(new Error('proxy would not stop')) });
    teardown.atTeardown(() => {
      throw new Error('browser already gone');
    });
    teardown.stopAfter({ stop: () => void stopped.push('gateway') });
    await assert.rejects(teardown.run(), /browser already gone/);
    assert.deepEqual(stopped, ['gateway', 'sandbox']);
  });

  it('takes apart ({ stopAfter, atTeardown }) and forgets what it ran, so a second run stops nothing twice', async () => {
    let stops = 0;
    const teardown = new Teardown();
    const { stopAfter, atTeardown } = teardown;
    stopAfter({ stop: () => void stops++ });
    atTeardown(() => void stops++);
    await teardown.run();
    await teardown.run();
    assert.equal(stops, 2);
  });
});
