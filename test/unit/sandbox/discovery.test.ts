import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, startSandbox, type Sandbox, type ScenarioInput } from '../../sandbox/index';
import { INIT_BODY, MCP_HEADERS, raw } from './helpers';

const NOT_FOUND = '{ "statusCode": 404, "message": "Resource not found" }';

async function withScenario(scenario: string | ScenarioInput, fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await startSandbox(scenario as never);
  try {
    await fn(sb);
  } finally {
    await sb.stop();
  }
}

function variant(base: string, gateway: Record<string, unknown>): ScenarioInput {
  const s = loadScenario(base);
  return { ...s, name: `${base}-variant`, gateway: { ...s.gateway, ...gateway } } as ScenarioInput;
}

test('15.5 the path-inserted well-known PRM URL is a 404 unless the scenario publishes it (real APIM needs an API for it)', async () => {
  await withScenario('healthy-entra', async (sb) => {
    const inserted = await raw(`${sb.endpoints.gateway}/.well-known/oauth-protected-resource/products/mcp`);
    assert.equal(inserted.status, 404);
    assert.equal(inserted.text, NOT_FOUND);
    assert.equal((await raw(`${sb.endpoints.gateway}/.well-known/oauth-protected-resource`)).status, 404);
    assert.equal((await raw(sb.endpoints.prmUrl!)).status, 200);
  });
  const healthy = loadScenario('healthy-entra');
  await withScenario(variant('healthy-entra', { prm: { ...healthy.gateway.prm, published: ['wellKnownPath', 'wellKnownRoot'] } }), async (sb) => {
    for (const path of ['/.well-known/oauth-protected-resource/products/mcp', '/.well-known/oauth-protected-resource/products/sse', '/.well-known/oauth-protected-resource']) {
      const res = await raw(`${sb.endpoints.gateway}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal((JSON.parse(res.text) as { resource: string }).resource, sb.endpoints.mcpUrl);
    }
    assert.equal((await raw(sb.endpoints.prmUrl!)).status, 404, 'apiBase is not published in this variant');
  });
});

test('15.5 a PRM operation inside the key-protected API answers APIM\'s missing-key 401 without the key, the document with it', async () => {
  await withScenario('healthy-prm-behind-key', async (sb) => {
    const key = sb.endpoints.subscriptionKey!;
    const anonymous = await raw(sb.endpoints.prmUrl!);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.text, /Access denied due to missing subscription key/);
    assert.match(String(anonymous.headers['www-authenticate']), /^AzureApiManagementKey /);
    const withKey = await raw(sb.endpoints.prmUrl!, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    assert.equal(withKey.status, 200);
    assert.equal((JSON.parse(withKey.text) as { resource: string }).resource, sb.endpoints.mcpUrl);
    // The MCP endpoint itself still wants the token after the key.
    const init = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': key }, body: INIT_BODY });
    assert.equal(init.status, 401);
    assert.match(String(init.headers['www-authenticate']), /resource_metadata="[^"]+\/products\/\.well-known\/oauth-protected-resource"/);
  });
});

test('15.d the SSE transport can be off: GET /sse and POST /messages are then 404 like any missing operation', async () => {
  await withScenario('sse-transport-off', async (sb) => {
    const key = sb.endpoints.subscriptionKey!;
    // An SSE stream never ends: read the status and headers only, then hang up.
    const hangUp = new AbortController();
    const sse = await fetch(sb.endpoints.sseUrl, { headers: { accept: 'text/event-stream', 'Ocp-Apim-Subscription-Key': key }, signal: hangUp.signal });
    const sseStatus = sse.status;
    const sseBody = sseStatus === 404 ? await sse.text() : '';
    hangUp.abort();
    assert.equal(sseStatus, 404);
    assert.equal(sseBody, NOT_FOUND);
    const messages = await raw(`${sb.endpoints.gateway}/products/messages?sessionId=x`, { method: 'POST', headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': key }, body: INIT_BODY });
    assert.equal(messages.status, 404);
    const mcp = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, 'Ocp-Apim-Subscription-Key': key }, body: INIT_BODY });
    assert.equal(mcp.status, 200);
  });
});

test('15.8 APIM as the authorization server: RFC 8414 metadata at the origin, dynamic client registration at /register', async () => {
  await withScenario('healthy-apim-authorization-server', async (sb) => {
    const gw = sb.endpoints.gateway;
    const meta = await raw(`${gw}/.well-known/oauth-authorization-server`);
    assert.equal(meta.status, 200);
    const doc = JSON.parse(meta.text) as Record<string, unknown>;
    assert.equal(doc.issuer, gw);
    assert.equal(doc.registration_endpoint, `${gw}/register`);
    assert.equal((await raw(`${gw}/.well-known/openid-configuration`)).status, 404, 'no OpenID configuration: APIM-as-AS samples publish only RFC 8414');
    const reg = await raw(`${gw}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Visual Studio Code', redirect_uris: ['https://vscode.dev/redirect', 'http://127.0.0.1:33418/'], token_endpoint_auth_method: 'none' }) });
    assert.equal(reg.status, 201);
    assert.match((JSON.parse(reg.text) as { client_id: string }).client_id, /^[0-9a-f-]{36}$/);
    const bad = await raw(`${gw}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(bad.status, 400);
    const prm = JSON.parse((await raw(sb.endpoints.prmUrl!)).text) as { authorization_servers: string[] };
    assert.deepEqual(prm.authorization_servers, [gw]);
  });
});
