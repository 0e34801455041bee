import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, renderMarkdownReport, type Diagnosis } from '../../../src/core/diagnosis';
import { renderHuman } from '../../../src/cli/diagnoseCommand';
import { createNodeFetch } from '../../../src/core/probe/nodeFetch';
import { ProbeHttpClient } from '../../../src/core/probe/probeHttpClient';
import { Timeline } from '../../../src/core/probe/timeline';
import { Secret } from '../../../src/core/secret';
import { selfSignedCert, startHttp, startHttps, type TestServer } from './hostileServers';

const KEY = 'canary0hostile0key000000000000077';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.canary0hostile0signature0000000000000000077';

function leaks(text: string): boolean {
  return text.includes(KEY) || text.includes(TOKEN) || text.includes('canary0hostile0signature');
}

async function run(server: TestServer, path = '/products/mcp', opts: { timeoutMs?: number; extraCaPem?: string[]; maxBodyBytes?: number } = {}): Promise<{ diagnosis: Diagnosis; ms: number }> {
  const net = createNodeFetch({ extraCaPem: opts.extraCaPem });
  const started = Date.now();
  try {
    const diagnosis = await diagnose(
      { url: `${server.origin}${path}`, subscriptionKey: Secret.of(KEY), accessToken: Secret.of(TOKEN) },
      { fetch: net.fetch, timeoutMs: opts.timeoutMs ?? 2000, maxBodyBytes: opts.maxBodyBytes },
    );
    const all = JSON.stringify(diagnosis) + renderMarkdownReport(diagnosis) + renderHuman(diagnosis, true);
    assert.ok(!leaks(all), 'a secret appears in the diagnosis output');
    return { diagnosis, ms: Date.now() - started };
  } finally {
    net.close();
  }
}

const ids = (d: Diagnosis): string[] => d.findings.map((f) => f.id);

test('a 50 MB body is read only up to the cap and the transfer is aborted', async () => {
  let written = 0;
  let aborted = false;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = await startHttp((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('close', () => (aborted = !res.writableFinished));
    const pump = (): void => {
      while (written < 50 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  try {
    const { diagnosis, ms } = await run(server, '/products/mcp', { timeoutMs: 5000, maxBodyBytes: 256 * 1024 });
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.ok(ids(diagnosis).includes('probe.response.tooLarge'), ids(diagnosis).join());
    assert.ok(ids(diagnosis).includes('mcp.response.invalid'));
    assert.ok(written < 50 * 1024 * 1024, `the server wrote all ${written} bytes`);
    assert.ok(aborted, 'the client did not abort the transfer');
  } finally {
    await server.close();
  }
});

test('a server that never answers yields net.timeout within the time limit', async () => {
  const server = await startHttp(() => undefined);
  try {
    const { diagnosis, ms } = await run(server, '/products/mcp', { timeoutMs: 300 });
    assert.ok(ms < 3000, `took ${ms} ms`);
    const f = diagnosis.findings.find((x) => x.id === 'net.timeout');
    assert.ok(f, ids(diagnosis).join());
    assert.equal(f.severity, 'error');
  } finally {
    await server.close();
  }
});

test('a redirect to another origin never carries the key or the token there', async () => {
  const other = await startHttp((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  const server = await startHttp((req, res) => {
    res.writeHead(307, { location: `${other.origin}${req.url}` });
    res.end();
  });
  try {
    const { diagnosis, ms } = await run(server);
    assert.ok(ms < 3000);
    assert.ok(ids(diagnosis).includes('mcp.url.redirect'), ids(diagnosis).join());
    for (const h of other.received) {
      assert.equal(h['ocp-apim-subscription-key'], undefined);
      assert.equal(h['authorization'], undefined);
    }
    assert.ok(server.received.some((h) => h['ocp-apim-subscription-key'] === KEY), 'the same-origin server did get the key');

    // The plain probe client follows the redirect, and withholds the secrets on the cross-origin hop.
    const timeline = new Timeline();
    const net = createNodeFetch();
    const client = new ProbeHttpClient({ fetch: net.fetch, secretOrigin: server.origin, timeline });
    const before = other.received.length;
    const exchange = await client.send('follow', { url: `${server.origin}/x`, credentials: { label: 'key', headers: { 'Ocp-Apim-Subscription-Key': Secret.of(KEY) } } });
    net.close();
    assert.equal(exchange.status, 200);
    assert.deepEqual(exchange.redirects[0]?.droppedSecretHeaders, ['Ocp-Apim-Subscription-Key']);
    assert.equal(other.received.length, before + 1);
    assert.equal(other.received.at(-1)!['ocp-apim-subscription-key'], undefined);
    assert.match(timeline.entries().at(-1)!.detail, /withheld: Ocp-Apim-Subscription-Key/);
  } finally {
    await server.close();
    await other.close();
  }
});

const badBodies: { name: string; status: number; type: string; body: string; id: string; quoted: RegExp }[] = [
  { name: 'invalid JSON with 200', status: 200, type: 'application/json', body: '{"jsonrpc": "2.0", "result": {', id: 'mcp.response.invalid', quoted: /HTTP 200/ },
  { name: 'HTML error page', status: 502, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>', id: 'mcp.server.error', quoted: /<h1>502 Bad Gateway<\/h1>/ },
  { name: 'HTML page with 200', status: 200, type: 'text/html', body: '<!doctype html><title>Sign in</title>', id: 'mcp.response.invalid', quoted: /Content-Type: text\/html/ },
];

for (const c of badBodies) {
  test(`${c.name} gives ${c.id} quoting what was sent`, async () => {
    const server = await startHttp((req, res) => {
      res.writeHead(c.status, { 'content-type': c.type });
      res.end(c.body);
    });
    try {
      const { diagnosis } = await run(server);
      const f = diagnosis.findings.find((x) => x.id === c.id);
      assert.ok(f, ids(diagnosis).join());
      assert.match(f.evidence.join('\n'), c.quoted);
    } finally {
      await server.close();
    }
  });
}

test('<script> and terminal escapes in a gateway message stay inert text', async () => {
  const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>\u001b[2J\u001b]8;;https://evil.invalid\u0007click';
  const server = await startHttp((req, res) => {
    res.writeHead(403, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="<b>x</b>"' });
    res.end(JSON.stringify({ statusCode: 403, message: hostile }));
  });
  try {
    const { diagnosis } = await run(server);
    const f = diagnosis.findings.find((x) => x.id === 'apim.forbidden');
    assert.ok(f, ids(diagnosis).join());
    const evidence = f.evidence.join('\n');
    assert.ok(evidence.includes('<script>alert(1)</script>'), 'the markup is quoted as text');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(JSON.stringify(diagnosis.findings).replace(/\\u00[0-9a-f]{2}/g, '')), 'no raw control characters');
    assert.ok(!renderHuman(diagnosis, false).includes('\u001b'), 'no terminal escape reaches the console');
    const report = renderMarkdownReport(diagnosis);
    for (const line of report.split('\n').filter((l) => l.includes('<script>'))) {
      const outside = line.replace(/(`+)[\s\S]*?\1/g, '');
      assert.ok(!outside.includes('<script>'), `markup outside a code span: ${line}`);
    }
  } finally {
    await server.close();
  }
});

test('a connection reset gives net.connection quickly', async () => {
  const server = await startHttp((req) => req.socket.destroy());
  try {
    const { diagnosis, ms } = await run(server);
    assert.ok(ms < 3000);
    const f = diagnosis.findings.find((x) => x.id === 'net.connection');
    assert.ok(f, ids(diagnosis).join());
    assert.match(f.evidence.join('\n'), /reset \(ECONNRESET\)/);
  } finally {
    await server.close();
  }
});

test('a self-signed certificate yields net.tls, and trusting it as an extra CA clears it', async () => {
  const tls = selfSignedCert();
  const server = await startHttps(tls, (req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' }));
  });
  try {
    const untrusted = await run(server);
    const f = untrusted.diagnosis.findings.find((x) => x.id === 'net.tls');
    assert.ok(f, ids(untrusted.diagnosis).join());
    assert.match(f.title, /self-signed/);
    assert.match(f.evidence.join('\n'), /DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.equal(server.received.length, 0, 'nothing was sent over the untrusted connection');
    const trusted = await run(server, '/products/mcp', { extraCaPem: [tls.cert] });
    assert.deepEqual(ids(trusted.diagnosis).filter((i) => i.startsWith('net.')), []);
    assert.ok(ids(trusted.diagnosis).includes('apim.key.invalid'));
  } finally {
    await server.close();
  }
});

test('a slow drip (headers, then a byte every 50 ms, never ending) yields net.timeout within the time limit', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const server = await startHttp((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"jsonrpc":"2.0",');
    const timer = setInterval(() => res.write(' '), 50);
    timers.add(timer);
    res.on('close', () => clearInterval(timer));
  });
  try {
    const { diagnosis, ms } = await run(server, '/products/mcp', { timeoutMs: 400 });
    assert.ok(ms < 5000, `took ${ms} ms`);
    const f = diagnosis.findings.find((x) => x.id === 'net.timeout');
    assert.ok(f, ids(diagnosis).join());
    assert.equal(f.severity, 'error');
    assert.match(f.evidence.join('\n'), /no complete answer before the time limit/);
  } finally {
    for (const t of timers) clearInterval(t);
    await server.close();
  }
});

test('a slow drip of headers (status line, then a header line every 50 ms) yields net.timeout within the time limit', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const server = await startHttp((req) => {
    const socket = req.socket;
    socket.write('HTTP/1.1 200 OK\r\n');
    const timer = setInterval(() => socket.write('X-Drip: x\r\n'), 50);
    timers.add(timer);
    socket.on('close', () => clearInterval(timer));
  });
  try {
    const { diagnosis, ms } = await run(server, '/products/mcp', { timeoutMs: 400 });
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.ok(ids(diagnosis).includes('net.timeout'), ids(diagnosis).join());
  } finally {
    for (const t of timers) clearInterval(t);
    await server.close();
  }
});

test('redirect loops (same origin, and ping-pong with another origin) are named as loops, bounded, and the key stays home', async () => {
  const selfLoop = await startHttp((req, res) => {
    res.writeHead(307, { location: req.url });
    res.end();
  });
  let home: TestServer | undefined;
  const away = await startHttp((req, res) => {
    res.writeHead(302, { location: `${home!.origin}${req.url}` });
    res.end();
  });
  home = await startHttp((req, res) => {
    res.writeHead(302, { location: `${away.origin}${req.url}` });
    res.end();
  });
  try {
    for (const server of [selfLoop, home]) {
      const { diagnosis, ms } = await run(server);
      assert.ok(ms < 3000, `took ${ms} ms`);
      const f = diagnosis.findings.find((x) => x.id === 'mcp.url.redirect');
      assert.ok(f, ids(diagnosis).join());
      assert.equal(f.title, 'The MCP URL redirects in a loop');
      assert.match(f.evidence.join('\n'), /more than \d+ redirects/);
      assert.ok(server.received.length < 100, `${server.received.length} requests: the loop was not bounded`);
    }
    assert.ok(away.received.length > 0, 'the ping-pong never reached the other origin');
    for (const h of away.received) {
      assert.equal(h['ocp-apim-subscription-key'], undefined, 'the key went to the other origin');
      assert.equal(h['authorization'], undefined, 'the token went to the other origin');
    }
  } finally {
    await selfLoop.close();
    await home.close();
    await away.close();
  }
});

test('invalid UTF-8 in an APIM error and in a 200 body still gives the finding, quoting the bytes as U+FFFD', async () => {
  const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xc0, 0x80]);
  const apim = await startHttp((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(Buffer.concat([Buffer.from('{"statusCode":401,"message":"Access denied due to invalid subscription key. '), bad, Buffer.from('"}')]));
  });
  const garbage = await startHttp((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(bad);
  });
  try {
    const key = await run(apim);
    const f = key.diagnosis.findings.find((x) => x.id === 'apim.key.invalid');
    assert.ok(f, ids(key.diagnosis).join());
    assert.match(f.evidence.join('\n'), /invalid subscription key\. \uFFFD/);
    const body = await run(garbage);
    assert.ok(body.ms < 3000, `took ${body.ms} ms`);
    const g = body.diagnosis.findings.find((x) => x.id === 'mcp.response.invalid');
    assert.ok(g, ids(body.diagnosis).join());
    assert.match(g.evidence.join('\n'), /HTTP 200 · body: \uFFFD/);
    for (const d of [key.diagnosis, body.diagnosis]) {
      // The report is well-formed text: it round-trips through UTF-8 unchanged (no lone surrogates).
      const report = renderMarkdownReport(d);
      assert.equal(Buffer.from(report, 'utf8').toString('utf8'), report);
    }
  } finally {
    await apim.close();
    await garbage.close();
  }
});
