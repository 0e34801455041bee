import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchLike } from '../../../src/core/probe/nodeFetch';
import { ProbeHttpClient } from '../../../src/core/probe/probeHttpClient';
import { redactUrl } from '../../../src/core/secrets/urlRedaction';
import { Timeline } from '../../../src/core/probe/timeline';
import { Secret } from '../../../src/core/secret';

const KEY = 'canary0unit0key0000000000000000099';
const creds = { label: 'key', headers: { 'Ocp-Apim-Subscription-Key': Secret.of(KEY), Authorization: Secret.of('Bearer canary.token.value') } };

function recordingFetch(respond: (url: URL) => Response): { fetch: FetchLike; seen: { url: string; headers: Record<string, string> }[] } {
  const seen: { url: string; headers: Record<string, string> }[] = [];
  return {
    seen,
    fetch: async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input.href);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      seen.push({ url: url.href, headers });
      return respond(url);
    },
  };
}

const origins: { name: string; url: string; gets: boolean }[] = [
  { name: 'same origin', url: 'https://contoso.azure-api.net/products/mcp', gets: true },
  { name: 'same origin, other path', url: 'https://contoso.azure-api.net/.well-known/oauth-protected-resource', gets: true },
  { name: 'other host', url: 'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration', gets: false },
  { name: 'same host, other port', url: 'https://contoso.azure-api.net:8443/products/mcp', gets: false },
  { name: 'same host, http', url: 'http://contoso.azure-api.net/products/mcp', gets: false },
  { name: 'look-alike host', url: 'https://contoso.azure-api.net.evil.invalid/products/mcp', gets: false },
];

for (const o of origins) {
  test(`secret headers go only to the MCP origin: ${o.name}`, async () => {
    for (const mode of ['send', 'sdk'] as const) {
      const rec = recordingFetch(() => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));
      const client = new ProbeHttpClient({ fetch: rec.fetch, secretOrigin: 'https://contoso.azure-api.net/products/mcp', timeline: new Timeline() });
      if (mode === 'send') await client.send('t', { url: o.url, credentials: creds });
      else await client.fetchFor('t', creds)(o.url, { method: 'POST', body: '{}' });
      const h = rec.seen[0]!.headers;
      assert.equal(h['ocp-apim-subscription-key'] === KEY, o.gets, `${mode}: key`);
      assert.equal(h['authorization'] === 'Bearer canary.token.value', o.gets, `${mode}: token`);
      const recorded = JSON.stringify(client.exchanges);
      assert.ok(!recorded.includes(KEY) && !recorded.includes('canary.token.value'), 'exchanges never hold secret values');
    }
  });
}

test('a plain header named like a secret header cannot smuggle a value past the rule', async () => {
  const rec = recordingFetch(() => new Response('', { status: 200 }));
  const client = new ProbeHttpClient({ fetch: rec.fetch, secretOrigin: 'https://a.example', timeline: new Timeline() });
  await client.send('t', { url: 'https://b.example/x', headers: { 'Ocp-Apim-Subscription-Key': 'plain' }, credentials: creds });
  assert.equal(rec.seen[0]!.headers['ocp-apim-subscription-key'], undefined);
});

test('redirects are bounded', async () => {
  const rec = recordingFetch((url) => new Response(null, { status: 302, headers: { location: `${url.pathname}x` } }));
  const client = new ProbeHttpClient({ fetch: rec.fetch, secretOrigin: 'https://a.example', timeline: new Timeline(), maxRedirects: 3 });
  const e = await client.send('t', { url: 'https://a.example/r' });
  assert.equal(e.failure?.kind, 'redirect');
  assert.equal(rec.seen.length, 4);
});

test('an https → http redirect is not followed', async () => {
  const rec = recordingFetch(() => new Response(null, { status: 301, headers: { location: 'http://a.example/plain' } }));
  const client = new ProbeHttpClient({ fetch: rec.fetch, secretOrigin: 'https://a.example', timeline: new Timeline() });
  const e = await client.send('t', { url: 'https://a.example/r', credentials: creds });
  assert.equal(e.failure?.kind, 'redirect');
  assert.equal(rec.seen.length, 1);
});

test('bodies are cut at the cap and marked', async () => {
  const rec = recordingFetch(() => new Response('x'.repeat(10_000), { status: 200 }));
  const client = new ProbeHttpClient({ fetch: rec.fetch, secretOrigin: 'https://a.example', timeline: new Timeline(), maxBodyBytes: 1000 });
  const e = await client.send('t', { url: 'https://a.example/big' });
  assert.equal(e.bodyText.length, 1000);
  assert.equal(e.truncated, true);
});

const urls: [string, string][] = [
  ['https://h/p?subscription-key=abc&x=1', 'https://h/p?subscription-key=***&x=1'],
  ['https://h/cb?code=abc&state=s', 'https://h/cb?code=***&state=s'],
  ['https://user:pw@h/p', 'https://***@h/p'],
  ['not a url', '(invalid URL)'],
  ['https://h/products/mcp', 'https://h/products/mcp'],
  ['https://user:pw@h/p?token=t', 'https://***@h/p?token=***'],
];
for (const [raw, shown] of urls) {
  test(`redactUrl ${raw}`, () => assert.equal(redactUrl(raw), shown));
}

test('20: a credential set checked once is checked again when a secret in it changes (the new one is redacted too)', async () => {
  const first = 'canary0first0key000000000000000001';
  const second = 'canary0second0key00000000000000002';
  const headers: Record<string, Secret> = { 'Ocp-Apim-Subscription-Key': Secret.of(first) };
  const changing = { label: 'key', headers };
  const rec = recordingFetch((url) => new Response(`echo ${url.searchParams.get('say') === '2' ? second : first}`, { status: 200 }));
  const client = new ProbeHttpClient({ fetch: rec.fetch, secretOrigin: 'https://a.example', timeline: new Timeline() });
  assert.equal((await client.send('t', { url: 'https://a.example/p?say=1', credentials: changing })).bodyText, 'echo ***');
  headers['Ocp-Apim-Subscription-Key'] = Secret.of(second);
  const e = await client.send('t', { url: 'https://a.example/p?say=2', credentials: changing });
  assert.equal(e.bodyText, 'echo ***', 'the secret sent second is redacted from what came back');
  headers['Ocp-Apim-Subscription-Key'] = Secret.of('two\nlines');
  assert.match((await client.send('t', { url: 'https://a.example/p', credentials: changing })).failure?.message ?? '', /not sent/i, 'and it is checked before it is sent');
});
