import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchLike } from '../../../src/core/probe/nodeFetch';
import { diagnose } from '../../../src/core/diagnosis/diagnose';
import { createNodeFetch } from '../../../src/core/probe/nodeFetch';
import { ProbeHttpClient } from '../../../src/core/probe/probeHttpClient';
import { Timeline } from '../../../src/core/probe/timeline';
import { Secret } from '../../../src/core/secret';
import { startSandbox } from '../../sandbox/index';

/** A clock the test moves: durations are what the test says they are, never what the machine's load makes them. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => t, advance: (ms) => (t += ms) };
}

const EVENT_1 = 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n';
const EVENT_2 = 'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n';

test('18.8 a streamed 200 reply is timed and sized at its end, not at its headers ("0 ms · 0 B")', async () => {
  const clock = manualClock();
  const encoder = new TextEncoder();
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (push = c) });
  const fetch: FetchLike = async () => {
    clock.advance(20);
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  const timeline = new Timeline(clock.now);
  const client = new ProbeHttpClient({ fetch, secretOrigin: 'https://a.example', timeline });
  const response = await client.fetchFor('mcp (key)', { label: 'key', headers: {} })('https://a.example/mcp', { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });

  assert.match(timeline.entries()[0]!.detail, /→ 200 · stream open$/, 'while the stream is open, no size is claimed');
  const reading = response.text();
  push.enqueue(encoder.encode(EVENT_1));
  clock.advance(150);
  push.enqueue(encoder.encode(EVENT_2));
  push.close();
  assert.equal(await reading, EVENT_1 + EVENT_2);

  const [entry] = timeline.entries();
  assert.equal(timeline.entries().length, 1, 'the entry is replaced, not added twice');
  assert.equal(entry!.durationMs, 170);
  assert.match(entry!.detail, new RegExp(`→ 200 · ${Buffer.byteLength(EVENT_1 + EVENT_2)} B$`));
});

test('18.8 answers a probe is sent to see are "expected"; the same answers elsewhere stay warnings', async () => {
  const fetch: FetchLike = async (input) => new Response('{}', { status: new URL(typeof input === 'string' ? input : input.href).pathname === '/mcp' ? 401 : 404 });
  const timeline = new Timeline();
  const client = new ProbeHttpClient({ fetch, secretOrigin: 'https://a.example', timeline });
  await client.send('prm candidate', { url: 'https://a.example/.well-known/oauth-protected-resource', expectedStatuses: [404] });
  await client.send('path check', { url: 'https://a.example/other' });
  await client.fetchFor('mcp (no credentials)', { label: 'none', headers: {} }, [401])('https://a.example/mcp', { method: 'POST', body: '{}' });
  await client.fetchFor('mcp (key)', { label: 'key', headers: {} })('https://a.example/mcp', { method: 'POST', body: '{}' });
  const byStep = Object.fromEntries(timeline.entries().map((e) => [e.step, e]));
  assert.equal(byStep['prm candidate']!.status, 'expected');
  assert.match(byStep['prm candidate']!.detail, /404 · 2 B · expected for this probe$/);
  assert.equal(byStep['path check']!.status, 'warning');
  assert.equal(byStep['mcp (no credentials) POST']!.status, 'expected');
  assert.equal(byStep['mcp (key) POST']!.status, 'warning', 'a 401 to the request that carried the credentials is not expected');
});

test('18.8 a healthy key server: no warning on the timeline, and every streamed reply has a size', async () => {
  const sb = await startSandbox('healthy-key');
  const net = createNodeFetch();
  try {
    const key = sb.endpoints.subscriptionKey!;
    const result = await diagnose({ url: sb.endpoints.mcpUrl, auth: 'subscriptionKey', subscriptionKey: Secret.of(key) }, { fetch: net.fetch });
    assert.deepEqual(result.findings.filter((f) => f.severity !== 'info').map((f) => f.id), []);
    const shown = result.timeline.map((t) => `${t.status} ${t.step}: ${t.detail}`);
    assert.deepEqual(result.timeline.filter((t) => t.status === 'warning' || t.status === 'error').map((t) => t.step), [], shown.join('\n'));
    assert.ok(result.timeline.some((t) => t.status === 'expected' && t.step === 'mcp (no credentials) initialize'), shown.join('\n'));
    const toolsList = result.timeline.find((t) => t.step === 'mcp (subscription key) tools/list');
    assert.match(toolsList?.detail ?? '', /→ 200 · [1-9]\d* B$/, shown.join('\n'));
  } finally {
    net.close();
    await sb.stop();
  }
});

test('20: entries come back in start order to the millisecond (ties in the order added), with ISO start times', () => {
  const timeline = new Timeline();
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const add = (step: string, startedAtMs: number) => timeline.add({ step, startedAtMs, durationMs: 1, status: 'ok', detail: step });
  add('late', t0 + 30);
  const replaceEarly = add('early', t0 + 10);
  add('tie a', t0 + 20.9);
  add('tie b', t0 + 20.1);
  replaceEarly({ step: 'early (ended)', startedAtMs: t0 + 10, durationMs: 5, status: 'ok', detail: 'ended' });
  const entries = timeline.entries();
  assert.deepEqual(entries.map((e) => e.step), ['early (ended)', 'tie a', 'tie b', 'late']);
  assert.deepEqual(entries.map((e) => e.startedAt), ['2026-01-01T00:00:00.010Z', '2026-01-01T00:00:00.020Z', '2026-01-01T00:00:00.020Z', '2026-01-01T00:00:00.030Z']);
});
