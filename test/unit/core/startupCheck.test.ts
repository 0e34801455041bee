import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { blocksStart, checkGatewayAccess } from '../../../src/core/apim/startupCheck';
import { Secret } from '../../../src/core/secret';
import { listenOnLoopback } from '../../harness/processes';
import { realApim, serveReal } from '../../fixtures/real';

const KEY = 'canary-startup-key-9a7b';

interface Seen {
  method: string;
  url: string;
  key?: string;
  session?: string;
}

describe('checkGatewayAccess', () => {
  let server: Server;
  let origin: string;
  const seen: Seen[] = [];
  let redirectTarget = '';

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ method: req.method!, url: req.url!, key: req.headers['x-key'] as string | undefined, session: req.headers['mcp-session-id'] as string | undefined });
      req.resume();
      if (req.url === '/redirect') {
        res.writeHead(307, { location: redirectTarget }).end();
      } else if (req.url === '/hang') {
        // Never answers: the check must give up on its own.
      } else if (req.headers['x-key'] === KEY) {
        if (req.method === 'DELETE') return void res.writeHead(200).end();
        res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'session-1' });
        res.write('event: message\ndata: {"jsonrpc":"2.0","id":0,"result":{}}\n\n');
      } else {
        res.writeHead(401, { 'content-type': 'application/json' }).end(
          JSON.stringify({ statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' }),
        );
      }
    });
    origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('reports ok and closes the MCP session it opened', async () => {
    seen.length = 0;
    const result = await checkGatewayAccess(fetch, `${origin}/mcp`, { 'x-key': Secret.of(KEY) }, 2000);
    assert.deepEqual(result, { reached: true, status: 200, outcome: { kind: 'ok' }, message: undefined });
    assert.deepEqual(seen.map((s) => [s.method, s.session]), [['POST', undefined], ['DELETE', 'session-1']]);
  });

  it('names an invalid key with APIM\'s message', async () => {
    const result = await checkGatewayAccess(fetch, `${origin}/mcp`, { 'x-key': Secret.of('wrong') }, 2000);
    assert.equal(result.reached && result.outcome.kind, 'keyInvalid');
    assert.match(result.reached ? result.message ?? '' : '', /^Access denied due to invalid subscription key/);
  });

  it('does not follow a redirect, so the key never reaches another origin', async () => {
    const other = createServer((req, res) => {
      seen.push({ method: req.method!, url: `other:${req.url}`, key: req.headers['x-key'] as string | undefined });
      res.end();
    });
    redirectTarget = `http://127.0.0.1:${await listenOnLoopback(other)}/steal`;
    seen.length = 0;
    const result = await checkGatewayAccess(fetch, `${origin}/redirect`, { 'x-key': Secret.of(KEY) }, 2000);
    other.close();
    assert.equal(result.reached && result.status, 307);
    assert.deepEqual(seen.map((s) => s.url), ['/redirect']);
    // Issue 16, item 6: Node's fetch keeps custom headers on a 307 to another origin, so VS Code's client would
    // carry the key there: the check reports the redirect, and it blocks the start.
    assert.deepEqual(result.reached && result.redirect, { to: redirectTarget, crossOrigin: true });
    assert.equal(blocksStart(result), true);
  });

  it('a redirect within the origin is reported but does not block the start', async () => {
    redirectTarget = `${origin}/elsewhere?subscription-key=abc`;
    const result = await checkGatewayAccess(fetch, `${origin}/redirect`, { 'x-key': Secret.of(KEY) }, 2000);
    assert.deepEqual(result.reached && result.redirect, { to: `${origin}/elsewhere?subscription-key=***`, crossOrigin: false });
    assert.equal(blocksStart(result), false);
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const started = Date.now();
    const result = await checkGatewayAccess(fetch, `${origin}/hang`, {}, 300);
    assert.deepEqual(result, { reached: false, error: 'no answer within 300 ms' });
    assert.ok(Date.now() - started < 2000);
  });

  it('names a refused connection', async () => {
    const closed = createServer();
    const port = await listenOnLoopback(closed);
    await new Promise((r) => closed.close(r));
    const result = await checkGatewayAccess(fetch, `http://127.0.0.1:${port}/mcp`, {}, 2000);
    assert.equal(result.reached, false);
    assert.match(result.reached ? '' : result.error, /ECONNREFUSED/);
  });
});

describe('checkGatewayAccess against real APIM key answers (test/fixtures/real)', () => {
  let server: Server;
  let origin: string;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      const key = req.headers['ocp-apim-subscription-key'];
      serveReal(res, realApim(key === undefined ? 'key-missing' : key === 'bogus' ? 'key-malformed' : 'key-invalid'), origin);
    });
    origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('15.2 calls a wrong key invalid although the 401 carries the AzureApiManagementKey challenge', async () => {
    const result = await checkGatewayAccess(fetch, `${origin}/products/mcp`, { 'Ocp-Apim-Subscription-Key': Secret.of('0123456789abcdef0123456789abcdef') }, 2000);
    assert.deepEqual(result.reached && result.outcome, { kind: 'keyInvalid' });
  });

  it('15.2 says a key sent in the advertised header was not recognised when APIM answers "missing"', async () => {
    const result = await checkGatewayAccess(fetch, `${origin}/products/mcp`, { 'Ocp-Apim-Subscription-Key': Secret.of('bogus') }, 2000);
    assert.deepEqual(result.reached && result.outcome, { kind: 'keyNotRecognised', headerName: 'Ocp-Apim-Subscription-Key' });
  });

  it('15.2 still calls a key missing when none was sent', async () => {
    const result = await checkGatewayAccess(fetch, `${origin}/products/mcp`, {}, 2000);
    assert.deepEqual(result.reached && result.outcome, { kind: 'keyMissing', headerName: 'Ocp-Apim-Subscription-Key' });
  });
});
