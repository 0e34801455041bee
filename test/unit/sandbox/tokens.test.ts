import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadScenario, startSandbox, type Sandbox } from '../../sandbox/index';
import { decodeJwt, INIT_BODY, MCP_HEADERS, mcpClient, raw, toolsCallBody } from './helpers';

const INVALID_JWT = '{ "statusCode": 401, "message": "Invalid JWT." }';
const API = '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f';

async function withSandbox(name: string | ReturnType<typeof loadScenario>, fn: (sb: Sandbox) => Promise<void>) {
  const sb = await startSandbox(name);
  try {
    await fn(sb);
  } finally {
    await sb.stop();
  }
}

async function initWith(sb: Sandbox, headers: Record<string, string>) {
  return raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: INIT_BODY });
}

test('healthy-entra: a real MCP client with a minted token lists and calls tools; the token has research §4 v2 claims', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const token = await sb.mintToken({});
    const { header, payload } = decodeJwt(token);
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.aud, API);
    assert.equal(payload.iss, `${sb.endpoints.entra}/${sb.endpoints.tenantId}/v2.0`);
    assert.equal(payload.ver, '2.0');
    assert.equal(payload.azp, 'aebc6443-996d-45c2-90f0-388ff96faa56');
    assert.equal(payload.azpacr, '0');
    assert.equal(payload.tid, sb.endpoints.tenantId);
    assert.equal(payload.scp, 'user_impersonate');
    assert.deepEqual(payload.roles, ['Products.Read', 'Products.Write', 'Products.Delete']);
    assert.equal(payload.preferred_username, 'alex@contoso.onmicrosoft.com');
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);

    const client = await mcpClient(sb.endpoints.mcpUrl, { Authorization: `Bearer ${token}` });
    assert.equal((await client.listTools()).tools.length, 6);
    const del = await client.callTool({ name: 'deleteProduct', arguments: { id: 'P-1010' } });
    assert.match((del.content as { text: string }[])[0].text, /P-1010/);
    await client.close();
    assert.ok(sb.requests().every((r) => r.authorization === 'valid' && r.outcome === 'ok'));

    // The client section resolves to the same kind of token.
    const setup = await sb.client();
    assert.equal(setup.url, sb.endpoints.mcpUrl);
    assert.match(setup.headers.Authorization, /^Bearer ey/);
    assert.equal(setup.signIn?.authority, sb.endpoints.authorityV2);
    assert.deepEqual(setup.signIn?.scopes.slice(0, 1), [`${sb.endpoints.mcpUrl}/user_impersonate`]);
  });
});

test('token missing: "JWT not present." + Bearer challenge with resource_metadata; PRM is correct', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const res = await initWith(sb, {});
    assert.equal(res.status, 401);
    assert.equal(res.text, '{ "statusCode": 401, "message": "JWT not present." }');
    assert.equal(
      res.headers['www-authenticate'],
      `Bearer error="invalid_token", resource_metadata="${sb.endpoints.gateway}/products/.well-known/oauth-protected-resource"`,
    );
    assert.equal(sb.endpoints.prmUrl, `${sb.endpoints.gateway}/products/.well-known/oauth-protected-resource`);
    const prm = await raw(sb.endpoints.prmUrl!);
    assert.equal(prm.status, 200);
    assert.deepEqual(JSON.parse(prm.text), {
      resource: sb.endpoints.mcpUrl,
      authorization_servers: [sb.endpoints.authorityV2],
      bearer_methods_supported: ['header'],
      scopes_supported: [`${sb.endpoints.mcpUrl}/user_impersonate`],
    });
    assert.equal(sb.requests()[0].outcome, 'tokenMissing');
    assert.equal(sb.requests()[0].authorization, 'absent');
  });
});

test('token checks: wrong audience, v1 issuer rejected, expired, wrong tenant, foreign signature → "Invalid JWT."; reason only in the record', async () => {
  const cases: [string, string][] = [
    ['token-wrong-audience', 'tokenAudience'],
    ['token-v1-issuer-rejected', 'tokenIssuer'],
    ['token-expired', 'tokenExpired'],
    ['token-wrong-tenant', 'tokenTenant'],
  ];
  for (const [name, outcome] of cases) {
    await withSandbox(name, async (sb) => {
      const client = await sb.client();
      const res = await initWith(sb, client.headers);
      assert.equal(res.status, 401, name);
      assert.equal(res.text, INVALID_JWT, name);
      assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token", resource_metadata="/);
      const [rec] = sb.requests();
      assert.equal(rec.outcome, outcome, name);
      assert.equal(rec.authorization, 'invalid');
      assert.ok(!res.text.includes('IDX'), 'details never reach the caller');
      assert.match(rec.detail ?? '', /IDX|Token/);
      if (name === 'token-v1-issuer-rejected') {
        const { payload } = decodeJwt(client.headers.Authorization.slice(7));
        assert.equal(payload.iss, `https://sts.windows.net/${sb.endpoints.tenantId}/`);
        assert.equal(payload.ver, '1.0');
        assert.equal(payload.appid, 'aebc6443-996d-45c2-90f0-388ff96faa56');
        assert.equal(payload.upn, 'alex@contoso.onmicrosoft.com');
        assert.equal(payload.aud, `api://${API}`);
      }
    });
  }
  await withSandbox('healthy-entra', async (sb) => {
    const forged = await sb.mintToken({ signingKey: 'foreign' });
    assert.equal((await initWith(sb, { Authorization: `Bearer ${forged}` })).text, INVALID_JWT);
    assert.equal(sb.requests()[0].outcome, 'tokenSignature');
    const notBearer = await initWith(sb, { Authorization: `Basic abc` });
    assert.equal(notBearer.text, '{ "statusCode": 401, "message": "JWT not present." }');
    // Breaking check: a token valid in every way passes (so the failures above are about their one defect).
    assert.equal((await initWith(sb, { Authorization: `Bearer ${await sb.mintToken({ lifetimeSeconds: 60 })}` })).status, 200);
  });
});

test('role-missing-for-tool: tools/list passes, tools/call deleteProduct → 403 Forbidden (policy body); unknown tools denied', async () => {
  await withSandbox('role-missing-for-tool', async (sb) => {
    const setup = await sb.client();
    const client = await mcpClient(setup.url, setup.headers);
    assert.equal((await client.listTools()).tools.length, 6);
    const sessionId = (client.transport as { sessionId?: string } | undefined)?.sessionId;
    const ok = await client.callTool({ name: 'listProducts', arguments: {} });
    assert.ok(Array.isArray(ok.content));
    await assert.rejects(client.callTool({ name: 'deleteProduct', arguments: { id: 'P-1001' } }), /403/);
    await client.close();
    const del = sb.requests().find((r) => r.toolName === 'deleteProduct')!;
    assert.deepEqual({ status: del.status, outcome: del.outcome }, { status: 403, outcome: 'roleMissing' });
    assert.ok(!sb.backendRequests().some((b) => b.body.includes('deleteProduct')), 'the denied call never reached the backend');

    const headers = { ...MCP_HEADERS, ...setup.headers, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) };
    const denied = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: toolsCallBody(setup.toolCall!.name, setup.toolCall!.arguments) });
    assert.equal(denied.status, 403);
    assert.equal(denied.text, '{ "statusCode": 403, "message": "Forbidden" }');
    const unknown = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers, body: toolsCallBody('dropDatabase') });
    assert.equal(unknown.status, 403);
    assert.equal(sb.requests().at(-1)!.outcome, 'toolDenied');
  });
});

test('expression-error: unguarded Claims["roles"] on a token without roles → 500 with the documented body', async () => {
  await withSandbox('expression-error', async (sb) => {
    const setup = await sb.client();
    assert.equal(decodeJwt(setup.headers.Authorization.slice(7)).payload.roles, undefined);
    const res = await raw(sb.endpoints.mcpUrl, { method: 'POST', headers: { ...MCP_HEADERS, ...setup.headers }, body: toolsCallBody('listProducts') });
    assert.equal(res.status, 500);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    assert.equal(body.statusCode, 500);
    assert.equal(body.message, 'Internal server error');
    assert.match(String(body.activityId), /^[0-9a-f-]{36}$/);
    assert.equal(sb.requests()[0].outcome, 'expressionError');
  });
});

test('key-and-token-required: a valid token alone gets the missing-key 401 (key checked first)', async () => {
  await withSandbox('key-and-token-required', async (sb) => {
    const setup = await sb.client();
    const res = await initWith(sb, setup.headers);
    assert.equal(res.status, 401);
    assert.match(res.text, /Access denied due to missing subscription key/);
    assert.match(String(res.headers['www-authenticate']), /^AzureApiManagementKey /);
    const both = await initWith(sb, { ...setup.headers, 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! });
    assert.equal(both.status, 200);
    const keyOnly = await initWith(sb, { 'Ocp-Apim-Subscription-Key': sb.endpoints.subscriptionKey! });
    assert.equal(keyOnly.text, '{ "statusCode": 401, "message": "JWT not present." }');
    assert.deepEqual(sb.requests().map((r) => r.outcome), ['keyMissing', 'ok', 'tokenMissing']);
  });
});

test('PRM missing (404 Resource not found) and wrong resource', async () => {
  await withSandbox('prm-missing', async (sb) => {
    assert.equal(sb.endpoints.prmUrl, undefined);
    const res = await initWith(sb, {});
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(String(res.headers['www-authenticate']))![1];
    const prm = await raw(metadataUrl);
    assert.equal(prm.status, 404);
    assert.equal(prm.text, '{ "statusCode": 404, "message": "Resource not found" }');
  });
  await withSandbox('prm-resource-mismatch', async (sb) => {
    const prm = JSON.parse((await raw(sb.endpoints.prmUrl!)).text) as { resource: string };
    assert.equal(prm.resource, `${sb.endpoints.gateway}/products`);
    assert.notEqual(prm.resource, sb.endpoints.mcpUrl);
  });
});

test('validate-azure-ad-token: its own messages, tenant-based issuers (v1 and v2 both accepted), client-application-ids; plain challenge', async () => {
  const base = loadScenario('healthy-entra');
  const scenario = {
    ...base,
    gateway: {
      ...base.gateway,
      bearerChallenge: 'plain' as const,
      tokenValidation: { ...base.gateway.tokenValidation!, policy: 'validate-azure-ad-token' as const, issuers: [], clientApplicationIds: ['aebc6443-996d-45c2-90f0-388ff96faa56'] },
    },
  };
  await withSandbox(scenario, async (sb) => {
    const none = await initWith(sb, {});
    assert.equal(none.text, '{ "statusCode": 401, "message": "Azure AD JWT not present" }');
    assert.equal(none.headers['www-authenticate'], 'Bearer error="invalid_token"');
    const v1 = await sb.mintToken({ version: 1, audience: `api://${API}` });
    assert.equal((await initWith(sb, { Authorization: `Bearer ${v1}` })).status, 200);
    const otherClient = await sb.mintToken({ clientId: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b' });
    const res = await initWith(sb, { Authorization: `Bearer ${otherClient}` });
    assert.equal(res.text, '{ "statusCode": 401, "message": "Invalid Azure AD JWT" }');
    assert.equal(sb.requests().at(-1)!.outcome, 'tokenClientApp');
  });
  const custom = { ...base, gateway: { ...base.gateway, bearerChallenge: 'none' as const, tokenValidation: { ...base.gateway.tokenValidation!, failedValidationErrorMessage: 'Unauthorized. Access token is missing or invalid.' } } };
  await withSandbox(custom, async (sb) => {
    const res = await initWith(sb, { Authorization: `Bearer ${await sb.mintToken({ expired: true })}` });
    assert.equal(res.text, '{ "statusCode": 401, "message": "Unauthorized. Access token is missing or invalid." }');
    assert.equal(res.headers['www-authenticate'], undefined);
  });
});

test('the gateway validates signatures with keys fetched from the Entra emulator over TLS (the CA file is the trust anchor)', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const ca = readFileSync(sb.endpoints.caCertPath, 'utf8');
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    const meta = JSON.parse((await raw(`${sb.endpoints.authorityV2}/.well-known/openid-configuration`, { ca })).text) as { jwks_uri: string };
    const jwks = JSON.parse((await raw(meta.jwks_uri, { ca })).text) as { keys: { kid: string; kty: string; use: string }[] };
    const token = await sb.mintToken();
    assert.deepEqual(
      jwks.keys.map((k) => [k.kid, k.kty, k.use]),
      [[decodeJwt(token).header.kid, 'RSA', 'sig']],
    );
    await assert.rejects(raw(meta.jwks_uri), /self-signed|certificate/i, 'without the CA the TLS handshake fails');
  });
});

test('relative expiry: expiresInSeconds -120 issues a token that expired two minutes ago, one lifetime long', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const now = Math.floor(Date.now() / 1000);
    const { payload } = decodeJwt(await sb.mintToken({ expiresInSeconds: -120, lifetimeSeconds: 600 }));
    assert.ok(Math.abs((payload.exp as number) - (now - 120)) <= 2, `exp ${payload.exp} vs now ${now}`);
    assert.equal((payload.exp as number) - (payload.iat as number), 600);
    const res = await initWith(sb, { Authorization: `Bearer ${await sb.mintToken({ expiresInSeconds: -120 })}` });
    assert.equal(res.status, 401);
    assert.equal(sb.requests().at(-1)?.outcome, 'tokenExpired');
  });
});

test('15.3 the emulator\'s v1 and v2 tokens carry Entra\'s claim forms: issuer, aud (GUID vs App ID URI), azp vs appid, ver', async () => {
  await withSandbox('healthy-entra', async (sb) => {
    const v2 = decodeJwt(await sb.mintToken({ version: 2 })).payload;
    assert.equal(v2.iss, `${sb.endpoints.entra}/${sb.endpoints.tenantId}/v2.0`);
    assert.equal(v2.aud, API, 'v2 aud is always the API app id (GUID)');
    assert.equal(v2.ver, '2.0');
    assert.ok(v2.azp && !('appid' in v2));
    const v1 = decodeJwt(await sb.mintToken({ version: 1 })).payload;
    assert.equal(v1.iss, `https://sts.windows.net/${sb.endpoints.tenantId}/`);
    assert.equal(v1.aud, `api://${API}`, 'v1 aud is the resource as requested: here the App ID URI');
    assert.equal(v1.ver, '1.0');
    assert.ok(v1.appid && !('azp' in v1));
  });
  // The API app decides the version; unset requestedAccessTokenVersion (null) gives v1 tokens.
  await withSandbox('token-v1-issuer-rejected', async (sb) => {
    const unset = decodeJwt(await sb.mintToken({})).payload;
    assert.equal(unset.ver, '1.0');
  });
});
