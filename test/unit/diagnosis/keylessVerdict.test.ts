/**
 * Issue 18 item 2: a diagnosis that ran without the key VS Code keeps for an mcp.json server never gives an error
 * verdict for what the key decides, and still says what a keyless client proves (host, path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../sandbox/index';
import { diagnose, type Diagnosis, type DiagnoseInput } from '../../../src/core/diagnosis';
import { hasErrors } from '../../../src/core/diagnosis/finding';
import { keylessVerdict } from '../../../src/core/diagnosis/heldCredentials';
import { inputFor, sandboxFetch } from './sandboxClient';

/** The scenario diagnosed as the panel does for an mcp.json server whose key only VS Code holds: no key sent. */
async function diagnoseWithoutKey(scenario: string): Promise<Diagnosis> {
  const sb = await startSandbox(scenario);
  const net = sandboxFetch(sb);
  try {
    const input: DiagnoseInput = { ...(await inputFor(sb)), subscriptionKey: undefined };
    return await diagnose(input, { fetch: net.fetch, timeoutMs: 5000 });
  } finally {
    net.close();
    await sb.stop();
  }
}

const ids = (d: Diagnosis, severity: string) => d.findings.filter((f) => f.severity === severity).map((f) => f.id).sort();

test('a working key server probed without its key: the missing key is an observation, not an error verdict', async () => {
  const raw = await diagnoseWithoutKey('healthy-key');
  assert.deepEqual(ids(raw, 'error'), ['apim.key.missing'], 'the engine alone blames the missing key');
  const judged = keylessVerdict(raw);
  assert.equal(hasErrors(judged), false);
  assert.ok(ids(judged, 'info').includes('apim.key.missing'), 'what was seen is still reported');
  assert.deepEqual(judged.timeline, raw.timeline);
});

test('a wrong path is an error with or without the key: a keyless probe proves it', async () => {
  const judged = keylessVerdict(await diagnoseWithoutKey('path-not-found'));
  assert.ok(ids(judged, 'error').includes('apim.path.notFound'), JSON.stringify(judged.findings.map((f) => [f.id, f.severity])));
});

test('errors come first again after the re-grading', async () => {
  const judged = keylessVerdict(await diagnoseWithoutKey('path-not-found'));
  const order = judged.findings.map((f) => f.severity);
  assert.deepEqual(order, [...order].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
});
