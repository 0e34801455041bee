import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, startSandbox, type Sandbox } from '../../sandbox/index';
import { INIT_BODY, MCP_HEADERS, mcpClient, portIsFree, raw } from './helpers';

const KEY_MISSING = '{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }';
const KEY_INVALID = '{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }';
const NOT_FOUND = '{ "statusCode": 404, "message": "Resource not found" }';
const SIX_TOOLS = ['createProduct', 'deleteProduct', 'getProduct', 'listProducts', 'searchProducts', 'updateProduct'];

async function withSandbox(name: string, fn: (sb: Sandbox) => Promise<void>, options?: Parameters<typeof startSandbox>[1]) {
  const sb = await startSandbox(name, options);
  try {
    await fn(sb);
  } finally {
    await sb.stop();
  }
}

test('healthy-key: a real MCP client lists the six tools through the gateway (streamable HTTP and SSE), with annotations', async () => {
  await withSandbox('healthy-key', async (sb) => {
    const key = sb.endpoints.subscriptionKey!;
    const client = await mcpClient(sb.endpoints.mcpUrl, { 'Ocp-Apim-Subscription-Key': key });
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), SIX_TOOLS);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const read of ['listProducts', 'getProduct', 'searchProducts']) assert.equal(byName[read].annotations?.readOnlyHint, true, read);
    assert.equal(byName.deleteProduct.annotations?.destructiveHint, true);
    const created = await client.callTool({ name: 'createProduct', arguments: { name: 'Sandbox Mug', category: 'Kitchen', price: 9.5, stock: 3 } });
    const product = JSON.parse((created.content as { text: string }[])[0].text) as { id: string };
    const got = await client.callTool({ name: 'getProduct', arguments: { id: product.id } });
    assert.match((got.content as { text: string }[])[0].text, /Sandbox Mug/);
    await client.close();

    const sse = await mcpClient(sb.endpoints.sseUrl, { 'Ocp-Apim-Subscription-Key': key }, 'sse');
    assert.deepEqual((await sse.listTools()).tools.map((t) => t.name).sort(), SIX_TOOLS);
    await sse.close();

    const records = sb.requests();
    const methods = records.map((r) => r.jsonrpcMethod).filter(Boolean);
    assert.deepEqual(methods.slice(0, 3), ['initialize', 'notifications/initialized', 'tools/list']);
    assert.ok(records.some((r) => r.path === '/products/sse' && r.method === 'GET'));
    assert.ok(records.some((r) => r.jsonrpcMethod === 'tools/call' && r.toolName === 'createProduct'));
    for (const r of records) {
      assert.equal(r.keyStatus, 'valid');
      assert.equal(r.keyHeaderName, 'Ocp-Apim-Subscription-Key');
      assert.equal(r.outcome, 'ok');
      assert.ok(r.headerNames.includes('ocp-apim-subscription-key'));
    }
    assert.ok(!JSON.stringify(records).includes(key), 'records never hold the key value');
    // The backend (a real peer) got the forwarded JSON-RPC and the key header, like APIM forwards it.
    const backend = sb.backendRequests();
    assert.ok(backend.some((b) => b.jsonrpcMethod === 'tools/list' && b.headerNames.includes('ocp-apim-subscription-key')));
  });
});

test('key-missing: exact APIM 401 body and AzureApiManagementKey challenge; record says keyMissing', async () => {
  await withSandbox('key-missing', async (sb) => {
    const res = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: MCP_HEADERS, body: INIT_BODY });
    assert.equal(res.status, 401);
    assert.equal(res.text, KEY_MISSING);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['www-authenticate'], `AzureApiManagementKey realm="${sb.endpoints.gateway}/products",name="Ocp-Apim-Subscription-Key",type="header"`);
    const [rec] = sb.requests();
    assert.deepEqual({ status: rec.status, outcome: rec.outcome, keyStatus: rec.keyStatus, jsonrpcMethod: rec.jsonrpcMethod }, {
      status: 401,
      outcome: 'keyMissing',
      keyStatus: 'absent',
      jsonrpcMethod: 'initialize',
    });
    assert.equal(sb.backendRequests().length, 0, 'nothing reached the backend');
  });
});

test('15.2 key-invalid: exact invalid-key body with APIM\'s key challenge; the query parameter is used only when the header is absent', async () => {
  await withSandbox('key-invalid', async (sb) => {
    const client = await sb.client();
    const res = await raw(client.url, { method: 'POST', headers: { ...MCP_HEADERS, ...client.headers }, body: INIT_BODY });
    assert.equal(res.status, 401);
    assert.equal(res.text, KEY_INVALID);
    assert.equal(res.headers['www-authenticate'], `AzureApiManagementKey realm="${sb.endpoints.gateway}/products",name="Ocp-Apim-Subscription-Key",type="header"`);
    assert.equal(sb.requests()[0].keyStatus, 'invalid');
    assert.equal(sb.requests()[0].outcome, 'keyInvalid');

    const key = sb.endpoints.subscriptionKey!;
    const viaQuery = await raw(`${sb.endpoints.mcpUrl}?subscription-key=${encodeURIComponent(key)}`, { method: 'POST', headers: MCP_HEADERS, body: INIT_BODY });
    assert.equal(viaQuery.status, 200);
    assert.equal(sb.requests()[1].keyHeaderName, 'query:subscription-key');
    assert.equal(sb.requests()[1].path, '/products/mcp', 'the query (and its key) is not recorded');
    const headerWins = await raw(`${sb.endpoints.mcpUrl}?subscription-key=${encodeURIComponent(key)}`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': 'wrong' },
      body: INIT_BODY,
    });
    assert.equal(headerWins.status, 401);
    assert.equal(headerWins.text, KEY_INVALID);
  });
});

test('G15 "Subscription required" off: a call without a key goes through, but a wrong key that is sent is refused with the invalid-key 401', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const client = await sb.client();
    assert.ok(client.headers.Authorization, 'the scenario client holds a token');
    const withoutKey = await raw(client.url, { method: 'POST', headers: { ...MCP_HEADERS, ...client.headers }, body: INIT_BODY });
    assert.equal(withoutKey.status, 200);
    const stale = 'sbx0stale0key0not0any0subscrip0'.padEnd(32, '0');
    const withWrongKey = await raw(client.url, { method: 'POST', headers: { ...MCP_HEADERS, ...client.headers, 'Ocp-Apim-Subscription-Key': stale }, body: INIT_BODY });
    assert.equal(withWrongKey.status, 401);
    assert.equal(withWrongKey.text, KEY_INVALID);
    assert.deepEqual({ keyStatus: sb.requests()[1].keyStatus, outcome: sb.requests()[1].outcome }, { keyStatus: 'invalid', outcome: 'keyInvalid' });
  });
});

test('key-custom-header: key under the default header is "missing"; the challenge names X-Api-Key', async () => {
  await withSandbox('key-custom-header', async (sb) => {
    const client = await sb.client();
    assert.deepEqual(Object.keys(client.headers), ['Ocp-Apim-Subscription-Key']);
    const res = await raw(client.url, { method: 'POST', headers: { ...MCP_HEADERS, ...client.headers }, body: INIT_BODY });
    assert.equal(res.status, 401);
    assert.equal(res.text, KEY_MISSING);
    assert.match(String(res.headers['www-authenticate']), /name="X-Api-Key",type="header"$/);
    const ok = await raw(client.url, { method: 'POST', headers: { ...MCP_HEADERS, 'X-Api-Key': sb.endpoints.subscriptionKey! }, body: INIT_BODY });
    assert.equal(ok.status, 200);
  });
});

test('path-not-found: APIM 404 body for wrong paths, wrong methods and /sse vs /mcp mix-ups', async () => {
  await withSandbox('path-not-found', async (sb) => {
    const client = await sb.client();
    const cases: [string, string][] = [
      [client.url, 'POST'],
      [`${sb.endpoints.gateway}/products/sse`, 'POST'],
      [`${sb.endpoints.gateway}/products`, 'POST'],
      [`${sb.endpoints.gateway}/.well-known/oauth-authorization-server`, 'GET'],
    ];
    for (const [url, method] of cases) {
      const res = await raw(url, { method, headers: { ...MCP_HEADERS, ...client.headers }, body: method === 'POST' ? INIT_BODY : undefined });
      assert.equal(res.status, 404, url);
      assert.equal(res.text, NOT_FOUND);
      assert.equal(res.headers['content-type'], 'application/json');
    }
    assert.ok(sb.requests().every((r) => r.outcome === 'notFound'));
  });
});

test('rate-limited: 429 with the APIM text and Retry-After: 57; "after N calls" counts calls', async () => {
  await withSandbox('rate-limited', async (sb) => {
    const headers = { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! };
    const res = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: INIT_BODY });
    assert.equal(res.status, 429);
    assert.equal(res.text, '{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds." }');
    assert.equal(res.headers['retry-after'], '57');
    assert.equal(sb.requests()[0].outcome, 'rateLimited');
  });
  const base = loadScenario('healthy-key');
  const sb = await startSandbox({ ...base, gateway: { ...base.gateway, faults: { rateLimit: { calls: 2, retryAfterSeconds: 5 } } } });
  try {
    const headers = { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: INIT_BODY })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    await raw(`${sb.endpoints.control}/reset`, { method: 'POST' });
    assert.equal(sb.requests().length, 0);
    assert.equal((await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: INIT_BODY })).status, 200, 'reset also resets the counters');
  } finally {
    await sb.stop();
  }
});

test('quota-exceeded and ip-forbidden: 403 bodies', async () => {
  await withSandbox('quota-exceeded', async (sb) => {
    const res = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! }, body: INIT_BODY });
    assert.equal(res.status, 403);
    assert.equal(res.text, '{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 2.12 days." }');
    assert.equal(sb.requests()[0].outcome, 'quotaExceeded');
  });
  await withSandbox('ip-forbidden', async (sb) => {
    const res = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! }, body: INIT_BODY });
    assert.equal(res.status, 403);
    assert.equal(res.text, '{ "statusCode": 403, "message": "Forbidden" }');
    assert.equal(sb.requests()[0].outcome, 'ipForbidden');
    assert.match(sb.requests()[0].detail ?? '', /Caller IP address 127\.0\.0\.1 is not allowed/);
  });
});

test('body-without-preserve-content: the backend receives an empty body and the SDK answers a parse error', async () => {
  await withSandbox('body-without-preserve-content', async (sb) => {
    const res = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! }, body: INIT_BODY });
    assert.equal(res.status, 400);
    assert.match(res.text, /Parse error/);
    assert.equal(sb.requests()[0].jsonrpcMethod, 'initialize', 'the gateway read the body');
    const [backend] = sb.backendRequests();
    assert.equal(backend.body, '');
    assert.equal(backend.headers['content-length'], '0');
  });
});

test('latency: scenario/option latency and the control API delay each gateway request', async () => {
  await withSandbox(
    'healthy-key',
    async (sb) => {
      const headers = { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! };
      let t = Date.now();
      assert.equal((await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: INIT_BODY })).status, 200);
      assert.ok(Date.now() - t >= 150, `option latency applied (${Date.now() - t} ms)`);
      const set = await raw(`${sb.endpoints.control}/latency`, { method: 'POST', body: JSON.stringify({ ms: 0 }) });
      assert.equal(set.status, 200);
      t = Date.now();
      await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: INIT_BODY });
      const fast = Date.now() - t;
      assert.ok(fast < 150, `latency removed (${fast} ms)`);
      const bad = await raw(`${sb.endpoints.control}/latency`, { method: 'POST', body: JSON.stringify({ ms: -1 }) });
      assert.equal(bad.status, 400);
    },
    { latencyMs: 150 },
  );
});

test('control API: endpoints, requests, token, reset', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const endpoints = JSON.parse((await raw(`${sb.endpoints.control}/endpoints`)).text) as Record<string, unknown>;
    assert.deepEqual(endpoints, JSON.parse(JSON.stringify(sb.endpoints)));
    assert.equal(endpoints.authorityV2, `${sb.endpoints.entra}/${sb.endpoints.tenantId}/v2.0`);
    const minted = await raw(`${sb.endpoints.control}/token`, { method: 'POST', body: JSON.stringify({ user: 'megan@contoso.onmicrosoft.com' }) });
    const token = (JSON.parse(minted.text) as { access_token: string }).access_token;
    const call = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}` }, body: INIT_BODY });
    assert.equal(call.status, 200);
    const records = JSON.parse((await raw(`${sb.endpoints.control}/requests`)).text) as { authorization: string }[];
    assert.equal(records.length, 1);
    assert.equal(records[0].authorization, 'valid');
    assert.ok(!JSON.stringify(records).includes(token));
    assert.equal((await raw(`${sb.endpoints.control}/token`, { method: 'POST', body: '{"bogus":1}' })).status, 400);
    await raw(`${sb.endpoints.control}/reset`, { method: 'POST' });
    assert.equal(sb.requests().length, 0);
  });
});

test('stop() frees every port and is idempotent', async () => {
  const sb = await startSandbox('healthy-key');
  const ports = [new URL(sb.endpoints.gateway).port, new URL(sb.endpoints.entra).port].map(Number);
  const t = Date.now();
  await sb.stop();
  await sb.stop();
  assert.ok(Date.now() - t < 2000);
  for (const port of ports) assert.equal(await portIsFree(port), true, `port ${port} free`);
});
