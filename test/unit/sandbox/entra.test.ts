import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { decodeJwt, raw } from './helpers';

const CLIENT = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

async function withSandbox(name: string, fn: (sb: Sandbox, ca: string) => Promise<void>) {
  const sb = await startSandbox(name);
  try {
    await fn(sb, readFileSync(sb.endpoints.caCertPath, 'utf8'));
  } finally {
    await sb.stop();
  }
}

function authorizeUrl(sb: Sandbox, params: Record<string, string>): string {
  const u = new URL(`${sb.endpoints.entra}/${sb.endpoints.tenantId}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', response_mode: 'query', state: 's1', ...params })) u.searchParams.set(k, v);
  return u.toString();
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

test('openid-configuration v2 / v1 / common and JWKS are shaped like login.microsoftonline.com', async () => {
  await withSandbox('healthy-entra', async (sb, ca) => {
    const { entra, tenantId } = sb.endpoints;
    const v2 = JSON.parse((await raw(`${entra}/${tenantId}/v2.0/.well-known/openid-configuration`, { ca })).text) as Record<string, unknown>;
    assert.equal(v2.issuer, `${entra}/${tenantId}/v2.0`);
    assert.equal(v2.authorization_endpoint, `${entra}/${tenantId}/oauth2/v2.0/authorize`);
    assert.equal(v2.token_endpoint, `${entra}/${tenantId}/oauth2/v2.0/token`);
    assert.equal(v2.device_authorization_endpoint, `${entra}/${tenantId}/oauth2/v2.0/devicecode`);
    assert.equal(v2.jwks_uri, `${entra}/${tenantId}/discovery/v2.0/keys`);
    const v1 = JSON.parse((await raw(`${entra}/${tenantId}/.well-known/openid-configuration`, { ca })).text) as Record<string, unknown>;
    assert.equal(v1.issuer, `https://sts.windows.net/${tenantId}/`);
    assert.equal(v1.jwks_uri, `${entra}/${tenantId}/discovery/keys`);
    const common = JSON.parse((await raw(`${entra}/common/v2.0/.well-known/openid-configuration`, { ca })).text) as Record<string, unknown>;
    assert.equal(common.issuer, `${entra}/{tenantid}/v2.0`);
    const byDomain = JSON.parse((await raw(`${entra}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`, { ca })).text) as Record<string, unknown>;
    assert.equal(byDomain.issuer, `${entra}/${tenantId}/v2.0`);
    const v1keys = JSON.parse((await raw(`${entra}/${tenantId}/discovery/keys`, { ca })).text) as { keys: unknown[] };
    assert.equal(v1keys.keys.length, 1);
    const unknown = await raw(`${entra}/00000000-0000-0000-0000-00000000dead/v2.0/.well-known/openid-configuration`, { ca });
    assert.equal(unknown.status, 400);
    assert.deepEqual((JSON.parse(unknown.text) as { error_codes: number[] }).error_codes, [90002]);
  });
});

test('redirect-uri-not-registered: /authorize shows the AADSTS50011 error page (no redirect), with ids and timestamp', async () => {
  await withSandbox('redirect-uri-not-registered', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') }), { ca });
    assert.equal(res.status, 200);
    assert.equal(res.headers.location, undefined);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.ok(
      res.text.includes(
        `AADSTS50011: The redirect URI &#39;https://vscode.dev/redirect&#39; specified in the request does not match the redirect URIs configured for the application &#39;${CLIENT}&#39;. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
      ),
    );
    assert.match(res.text, /Request Id: [0-9a-f-]{36}<\/div>/);
    assert.match(res.text, /Correlation Id: [0-9a-f-]{36}<\/div>/);
    assert.match(res.text, /Timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/div>/);
    // Loopback redirects registered under "Mobile and desktop" match any port; anything else is exact.
    const loopback = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:51234', scope: signIn.scopes.join(' ') }), { ca });
    assert.equal(loopback.status, 302);
    const slash = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418/callback', scope: signIn.scopes.join(' ') }), { ca });
    assert.match(slash.text, /AADSTS50011/);
    // Markup in a redirect URI is escaped, never rendered.
    const evil = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'https://x/<script>alert(1)</script>', scope: 'openid' }), { ca });
    assert.ok(!evil.text.includes('<script>'));
    assert.ok(evil.text.includes('&lt;script&gt;'));
  });
});

test('client-not-found: AADSTS700016 error page with the runtime text', async () => {
  await withSandbox('client-not-found', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: 'openid' }), { ca });
    assert.ok(
      res.text.includes(
        `AADSTS700016: Application with identifier &#39;${signIn.clientId}&#39; was not found in the directory &#39;${sb.endpoints.tenantId}&#39;. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
    );
  });
});

test('consent-required and assignment-required: errors redirect back with error, AADSTS description, state', async () => {
  await withSandbox('consent-required', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') }), { ca });
    assert.equal(res.status, 302);
    const loc = new URL(String(res.headers.location));
    assert.equal(`${loc.origin}${loc.pathname}`, 'http://localhost:6274/oauth/callback');
    assert.equal(loc.searchParams.get('error'), 'consent_required');
    assert.equal(loc.searchParams.get('state'), 's1');
    assert.match(loc.searchParams.get('error_description')!, new RegExp(`^AADSTS65001: The user or administrator hasn't consented to use the application with ID '${signIn.clientId}'\\. Send an interactive authorization request for this user and resource\\.\\r\\nTrace ID: `));
    assert.equal(loc.searchParams.get('code'), null);
  });
  await withSandbox('assignment-required', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') }), { ca });
    const loc = new URL(String(res.headers.location));
    assert.equal(loc.searchParams.get('error'), 'access_denied');
    assert.match(loc.searchParams.get('error_description')!, /^AADSTS50105: The signed in user isn't assigned to a role for the signed in app\. Assign the user to the app\./);
    // An assigned user gets through.
    const ok = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' '), login_hint: 'alex@contoso.onmicrosoft.com' }), { ca });
    assert.ok(new URL(String(ok.headers.location)).searchParams.get('code'));
  });
});

test('auth code + PKCE at /token: success, replay (AADSTS54005), Web-platform redirect without secret (AADSTS7000218), exact error JSON shape', async () => {
  await withSandbox('healthy-entra', async (sb, ca) => {
    const scope = `${sb.endpoints.mcpUrl}/user_impersonate openid offline_access`;
    const { verifier, challenge } = pkce();
    const res = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418', scope, code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-1' }), { ca });
    const code = new URL(String(res.headers.location)).searchParams.get('code')!;
    const tokenUrl = `${sb.endpoints.entra}/${sb.endpoints.tenantId}/oauth2/v2.0/token`;
    const form = (p: Record<string, string>) => ({ method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(p).toString() });
    const params = { grant_type: 'authorization_code', client_id: CLIENT, code, redirect_uri: 'http://127.0.0.1:33418', code_verifier: verifier, scope };
    const ok = await raw(tokenUrl, form(params));
    assert.equal(ok.status, 200, ok.text);
    const body = JSON.parse(ok.text) as Record<string, string>;
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.refresh_token && body.id_token && body.access_token);
    assert.equal(decodeJwt(body.id_token).payload.nonce, 'n-1');
    assert.equal(decodeJwt(body.access_token).payload.aud, '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f');

    const replay = await raw(tokenUrl, { ...form(params), headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': '0f0f0f0f-1111-2222-3333-444444444444' } });
    assert.equal(replay.status, 400);
    const err = JSON.parse(replay.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(err), ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
    assert.equal(err.error, 'invalid_grant');
    assert.deepEqual(err.error_codes, [54005]);
    assert.equal(err.correlation_id, '0f0f0f0f-1111-2222-3333-444444444444');
    assert.match(String(err.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.equal(
      err.error_description,
      `AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.\r\nTrace ID: ${err.trace_id}\r\nCorrelation ID: ${err.correlation_id}\r\nTimestamp: ${err.timestamp}`,
    );
    assert.equal(err.error_uri, `${sb.endpoints.entra}/error?code=54005`);
  });
  await withSandbox('redirect-uri-web-platform', async (sb, ca) => {
    const scope = `${sb.endpoints.mcpUrl}/user_impersonate openid`;
    const { verifier, challenge } = pkce();
    const res = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418', scope, code_challenge: challenge, code_challenge_method: 'S256' }), { ca });
    const code = new URL(String(res.headers.location)).searchParams.get('code')!;
    const tok = await raw(`${sb.endpoints.entra}/${sb.endpoints.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      ca,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT, code, redirect_uri: 'http://127.0.0.1:33418', code_verifier: verifier, scope }).toString(),
    });
    assert.equal(tok.status, 401);
    const err = JSON.parse(tok.text) as { error: string; error_description: string; error_codes: number[] };
    assert.equal(err.error, 'invalid_client');
    assert.deepEqual(err.error_codes, [7000218]);
    assert.match(err.error_description, /^AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'\./);
  });
});

test('device code with userEntersCode: pending until the user code is entered at /devicelogin; a wrong code is refused', async () => {
  const base = (await import('../../sandbox/index')).loadScenario('healthy-entra');
  const sb = await startSandbox({ ...base, entra: { ...base.entra, deviceCode: { approval: 'userEntersCode', approveAfterMs: 0, intervalSeconds: 1 } } });
  try {
    const ca = readFileSync(sb.endpoints.caCertPath, 'utf8');
    const form = (url: string, p: Record<string, string>) =>
      raw(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(p).toString() });
    const oauth = (path: string) => `${sb.endpoints.entra}/${sb.endpoints.tenantId}/oauth2/v2.0/${path}`;
    const dc = JSON.parse((await form(oauth('devicecode'), { client_id: CLIENT, scope: `${sb.endpoints.mcpUrl}/user_impersonate` })).text) as Record<string, string>;
    const poll = () => form(oauth('token'), { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CLIENT, device_code: dc.device_code });
    assert.equal((JSON.parse((await poll()).text) as { error: string }).error, 'authorization_pending');
    const page = await raw(dc.verification_uri, { ca });
    assert.match(page.text, /<input id="otc" name="otc"/);
    const wrong = await form(dc.verification_uri, { otc: 'NOTACODE' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /That code didn't work/);
    assert.equal((JSON.parse((await poll()).text) as { error: string }).error, 'authorization_pending');
    const entered = await form(dc.verification_uri, { otc: ` ${dc.user_code.toLowerCase()} ` });
    assert.equal(entered.status, 200);
    assert.match(entered.text, /You have signed in to the .+ application on your device/);
    const token = await poll();
    assert.equal(token.status, 200, token.text);
    assert.ok((JSON.parse(token.text) as { access_token?: string }).access_token);
  } finally {
    await sb.stop();
  }
});

test('device code: pending → authorization_pending; resource param vs scopes → AADSTS9010010; two resources → AADSTS28000', async () => {
  const base = (await import('../../sandbox/index')).loadScenario('healthy-entra');
  const sb = await startSandbox({ ...base, entra: { ...base.entra, deviceCode: { approval: 'pending', approveAfterMs: 0, intervalSeconds: 1 } } });
  try {
    const ca = readFileSync(sb.endpoints.caCertPath, 'utf8');
    const post = (path: string, p: Record<string, string>) =>
      raw(`${sb.endpoints.entra}/${sb.endpoints.tenantId}/oauth2/v2.0/${path}`, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(p).toString() });
    const dc = JSON.parse((await post('devicecode', { client_id: CLIENT, scope: `${sb.endpoints.mcpUrl}/user_impersonate` })).text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(dc).sort(), ['device_code', 'expires_in', 'interval', 'message', 'user_code', 'verification_uri']);
    const poll = await post('token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CLIENT, device_code: String(dc.device_code) });
    assert.equal(poll.status, 400);
    assert.equal((JSON.parse(poll.text) as { error: string }).error, 'authorization_pending');

    const mismatch = await raw(
      authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418', scope: `api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/user_impersonate`, resource: `${sb.endpoints.gateway}/products` }),
      { ca },
    );
    assert.match(new URL(String(mismatch.headers.location)).searchParams.get('error_description')!, /^AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes\./);
    const two = await post('devicecode', { client_id: CLIENT, scope: `${sb.endpoints.mcpUrl}/user_impersonate User.Read` });
    assert.deepEqual((JSON.parse(two.text) as { error_codes: number[] }).error_codes, [28000]);
  } finally {
    await sb.stop();
  }
});
