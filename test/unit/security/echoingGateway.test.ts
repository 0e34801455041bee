import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { renderHuman, renderJson } from '../../../src/cli/diagnoseCommand';
import { checkGatewayAccess } from '../../../src/core/apim/startupCheck';
import { diagnose, renderMarkdownReport, type Diagnosis } from '../../../src/core/diagnosis';
import { createNodeFetch } from '../../../src/core/probe/nodeFetch';
import { ProbeHttpClient } from '../../../src/core/probe/probeHttpClient';
import { Timeline } from '../../../src/core/probe/timeline';
import { Secret } from '../../../src/core/secret';
import type { TestServer } from '../probe/hostileServers';
import { fragmentsIn, rareSecret, startHostileMcp } from './hostileMcp';

/**
 * Issue 16, items 3 and 4: a gateway that echoes what it was sent. Redaction happens where answers are captured,
 * before any quote is cut, so neither a whole secret nor a piece of one reaches findings, timeline, report, terminal
 * output or the startup check's message, wherever in the answer the echo lands.
 */
const KEY = rareSecret(32);
const SIGNATURE = rareSecret(43);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const TOKEN = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ aud: 'api://x', iss: 'https://sts.windows.net/t/', exp: 4102444800 })}.${SIGNATURE}`;

function leaks(text: string): string[] {
  return [...fragmentsIn(text, KEY), ...fragmentsIn(text, SIGNATURE)];
}

function everything(d: Diagnosis): string {
  return [JSON.stringify(d), renderMarkdownReport(d), renderHuman(d, false), renderJson(d)].join('\n');
}

async function run(server: TestServer, options: { maxBodyBytes?: number } = {}): Promise<Diagnosis> {
  const net = createNodeFetch();
  try {
    return await diagnose(
      { url: `${server.origin}/mcp`, subscriptionKey: Secret.of(KEY), accessToken: Secret.of(TOKEN) },
      { fetch: net.fetch, timeoutMs: 3000, maxBodyBytes: options.maxBodyBytes },
    );
  } finally {
    net.close();
  }
}

/** An APIM-shaped 401 whose message repeats the request headers after `pad` characters. */
function echo(pad: number) {
  return (req: import('node:http').IncomingMessage, _body: string, res: import('node:http').ServerResponse) => {
    const sent = `${req.headers['ocp-apim-subscription-key'] ?? ''} ${req.headers.authorization ?? ''}`;
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 401, message: `${'x'.repeat(pad)}${sent}` }));
  };
}

describe('an echoing gateway (issue 16, items 3 and 4)', () => {
  // The quote starts with `{"statusCode":401,"message":"` (29 characters): from 240 on, the key straddles the 300th.
  for (const pad of [0, 240, 250, 260, 268]) {
    it(`echoed headers after ${pad} characters: no piece of the key or token in any output, the 300-character quote limit included`, async () => {
      const server = await startHostileMcp({ mcp: echo(pad), routes: { '/.well-known/oauth-protected-resource': echo(pad), '/.well-known/oauth-protected-resource/mcp': echo(pad) } });
      try {
        const d = await run(server);
        assert.ok(server.received.some((h) => h['ocp-apim-subscription-key'] === KEY), 'the key was sent to its own origin');
        const text = everything(d);
        assert.ok(text.includes(`"message":"${'x'.repeat(pad)}`), 'the echoing answer is quoted');
        if (pad === 0) assert.ok(text.includes(`"message":"${'x'.repeat(pad)}***`), 'the echo is quoted, redacted');
        assert.deepEqual(leaks(text), []);
      } finally {
        await server.close();
      }
    });
  }

  it('a secret cut at the body-size cap is redacted as far as it got', async () => {
    const server = await startHostileMcp({
      mcp: (req, _body, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${'y'.repeat(100)}${req.headers['ocp-apim-subscription-key'] ?? 'none'}${'y'.repeat(100)}`);
      },
    });
    try {
      const d = await run(server, { maxBodyBytes: 115 });
      assert.ok(d.findings.some((f) => f.evidence.some((e) => e.includes('y'.repeat(100)))), 'the cut body was quoted');
      assert.deepEqual(leaks(everything(d)), []);
    } finally {
      await server.close();
    }
  });

  it('a secret split across two chunks of an event stream does not reach the SDK error quoted in the findings', async () => {
    const server = await startHostileMcp({
      mcp: (req, body, res) => {
        const id = (JSON.parse(body) as { id?: number }).id;
        if (id === undefined) return void res.writeHead(202).end();
        const sent = String(req.headers['ocp-apim-subscription-key'] ?? 'none');
        const event = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: `rejected ${sent}` } })}\n\n`;
        const cut = event.indexOf(sent) + 10;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(event.slice(0, cut));
        void delay(40).then(() => res.end(event.slice(cut)));
      },
    });
    try {
      const d = await run(server);
      const text = everything(d);
      assert.ok(text.includes('rejected ***'), 'the SDK error with the redacted echo is in the findings');
      assert.deepEqual(leaks(text), []);
    } finally {
      await server.close();
    }
  });

  it('secrets echoed in response headers (a custom header, the challenge\'s name parameter) are redacted', async () => {
    const server = await startHostileMcp({
      mcp: (req, _body, res) => {
        const sent = String(req.headers['ocp-apim-subscription-key'] ?? 'none');
        res.writeHead(401, { 'content-type': 'application/json', 'x-echo': `${sent} ${req.headers.authorization ?? ''}`, 'www-authenticate': `AzureApiManagementKey realm="r", name="${sent}", type="header"` });
        res.end(JSON.stringify({ statusCode: 401, message: 'Access denied due to missing subscription key.' }));
      },
    });
    try {
      const d = await run(server);
      assert.deepEqual(leaks(everything(d)), []);
    } finally {
      await server.close();
    }
  });
});

describe('the startup check against an echoing gateway (issue 16, item 3)', () => {
  it('keeps the key out of its message, its outcome and its error, also at the 16 KB cut', async () => {
    const before = '{"statusCode":401,"message":"Access denied due to invalid subscription key '.length;
    // The second answer puts the middle of the key on the 16 KB cap.
    for (const pad of [0, 16 * 1024 - before - 16]) {
      const server = await startHostileMcp({
        mcp: (req, _body, res) => {
          const sent = String(req.headers['ocp-apim-subscription-key'] ?? 'none');
          res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `AzureApiManagementKey realm="r", name="${sent}", type="header"` });
          res.end(JSON.stringify({ statusCode: 401, message: `Access denied due to invalid subscription key ${'z'.repeat(pad)}${sent}` }));
        },
      });
      try {
        const result = await checkGatewayAccess(fetch, `${server.origin}/mcp`, { 'Ocp-Apim-Subscription-Key': Secret.of(KEY) }, 3000);
        assert.equal(result.reached, true);
        assert.deepEqual(leaks(JSON.stringify(result)), [], `pad ${pad}`);
      } finally {
        await server.close();
      }
    }
  });
});

describe('secrets with control characters (issue 16, item 4)', () => {
  const BAD = [`${KEY}\n`, `${KEY.slice(0, 16)}\n${KEY.slice(16)}`, `${KEY}\u0000`, `\r${KEY}`, `${KEY}€`];

  it('the startup check refuses to build the header and names it, never the value', async () => {
    const server = await startHostileMcp();
    try {
      for (const bad of BAD) {
        const result = await checkGatewayAccess(fetch, `${server.origin}/mcp`, { 'Ocp-Apim-Subscription-Key': Secret.of(bad) }, 3000);
        assert.equal(result.reached, false);
        assert.match(result.reached ? '' : result.error, /Ocp-Apim-Subscription-Key header/);
        assert.deepEqual(leaks(JSON.stringify(result)), []);
      }
      assert.equal(server.received.length, 0, 'nothing was sent');
    } finally {
      await server.close();
    }
  });

  it('the diagnosis refuses them before any request, and the probe client never builds such a header', async () => {
    const server = await startHostileMcp();
    const net = createNodeFetch();
    try {
      for (const bad of BAD) {
        await assert.rejects(diagnose({ url: `${server.origin}/mcp`, subscriptionKey: Secret.of(bad) }, { fetch: net.fetch, timeoutMs: 2000 }), (error: Error) => {
          assert.match(error.message, /The subscription key contains/);
          assert.deepEqual(leaks(error.message), []);
          return true;
        });
        const timeline = new Timeline();
        const client = new ProbeHttpClient({ fetch: net.fetch, secretOrigin: server.origin, timeline });
        const exchange = await client.send('x', { url: `${server.origin}/mcp`, credentials: { label: 'key', headers: { 'Ocp-Apim-Subscription-Key': Secret.of(bad) } } });
        assert.match(exchange.failure?.message ?? '', /Ocp-Apim-Subscription-Key header/);
        assert.deepEqual(leaks(JSON.stringify({ exchange, timeline: timeline.entries() })), []);
      }
      assert.equal(server.received.length, 0, 'nothing was sent');
    } finally {
      net.close();
      await server.close();
    }
  });
});
