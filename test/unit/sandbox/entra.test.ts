import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { htmlToText } from '../../../src/core/probe/authorizePreflight';
import { readEntraPage } from '../../../src/core/entra/entraPage';
import { fetchTrusting as rawFetch, SandboxBrowser } from '../../sandbox/browserSignIn';
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

/** The code a person gets after signing in as `upn` on the emulator's sign-in page. */
async function codeFor(ca: string, url: string, upn = 'alex@contoso.onmicrosoft.com'): Promise<string> {
  const res = await new SandboxBrowser(rawFetch(ca)).authorize(url, upn);
  const code = res.location ? new URL(res.location).searchParams.get('code') : null;
  assert.ok(code, `no code: ${res.status} ${res.location ?? res.page?.slice(0, 200)}`);
  return code;
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

test('15.1 redirect-uri-not-registered: /authorize answers real Entra\'s ConvergedError page (HTTP 200, the AADSTS text only in $Config, \\u0027 quotes)', async () => {
  await withSandbox('redirect-uri-not-registered', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') }), { ca });
    assert.equal(res.status, 200);
    assert.equal(res.headers.location, undefined);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const page = readEntraPage(res.text);
    assert.equal(page?.pageId, 'ConvergedError');
    assert.equal(page?.errorCode, 50011);
    assert.equal(
      page?.serviceMessage,
      `AADSTS50011: The redirect URI 'https://vscode.dev/redirect' specified in the request does not match the redirect URIs configured for the application '${CLIENT}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    );
    assert.ok(res.text.includes('\\u0027https://vscode.dev/redirect\\u0027'), 'quotes are escaped as \\u0027 in the script, as on the real page');
    assert.ok(!htmlToText(res.text).includes('AADSTS'), 'the AADSTS text is not in the HTML text');
    // The same skeleton as the real-shape fixture the engine's tests read: only the $Config object differs.
    const fixture = readFileSync(join(__dirname, '..', '..', 'fixtures', 'real', 'entra', 'authorize-error-50011.html'), 'utf8').replace(/^<!--[\s\S]*?-->\n/, '');
    const skeleton = (html: string) => html.replace(/\$Config=\{[\s\S]*?\};\n\/\/\]\]>/, '$Config={};\n//]]>');
    assert.equal(skeleton(res.text), skeleton(fixture));
    // Loopback redirects registered under "Mobile and desktop" match any port (nobody signed in: the sign-in page);
    // anything else is exact.
    const loopback = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:51234', scope: signIn.scopes.join(' ') }), { ca });
    assert.equal(readEntraPage(loopback.text)?.pageId, 'ConvergedSignIn');
    const slash = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418/callback', scope: signIn.scopes.join(' ') }), { ca });
    assert.equal(readEntraPage(slash.text)?.errorCode, 50011);
    // Markup in a redirect URI stays inert: escaped inside the script, never able to close it.
    const evil = await raw(authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'https://x/</script><script>alert(1)</script>', scope: 'openid' }), { ca });
    assert.ok(!evil.text.includes('alert(1)</script>'));
    assert.match(readEntraPage(evil.text)?.serviceMessage ?? '', /'https:\/\/x\/<\/script><script>alert\(1\)<\/script>'/);
  });
});

test('15.1 client-not-found: AADSTS700016 on the ConvergedError page with the runtime text', async () => {
  await withSandbox('client-not-found', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await raw(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: 'openid' }), { ca });
    assert.equal(res.status, 200);
    assert.equal(
      readEntraPage(res.text)?.serviceMessage,
      `AADSTS700016: Application with identifier '${signIn.clientId}' was not found in the directory '${sb.endpoints.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
    const tenant = await raw(`${sb.endpoints.entra}/00000000-0000-0000-0000-00000000dead/oauth2/v2.0/authorize?client_id=${CLIENT}&response_type=code&redirect_uri=http://127.0.0.1:33418&scope=openid`, { ca });
    assert.equal(tenant.status, 200);
    assert.equal(readEntraPage(tenant.text)?.errorCode, 90002);
    // E9: the whole sentence real Entra sends (Azure/azure-cli#22145 and later public captures).
    assert.equal(
      readEntraPage(tenant.text)?.serviceMessage,
      "AADSTS90002: Tenant '00000000-0000-0000-0000-00000000dead' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
    );
  });
});

test('15.9 nobody signed in: /authorize shows the sign-in page, not the consent or assignment error; prompt=none → login_required; login_hint signs nobody in', async () => {
  await withSandbox('consent-required', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const url = authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') });
    const anonymous = await raw(url, { ca });
    assert.equal(anonymous.status, 200);
    assert.equal(anonymous.headers.location, undefined);
    const page = readEntraPage(anonymous.text);
    assert.equal(page?.pageId, 'ConvergedSignIn');
    assert.equal(page?.postUrl, `/${sb.endpoints.tenantId}/login`);
    assert.ok(!anonymous.text.includes('65001'));
    const hinted = await raw(`${url}&login_hint=alex%40contoso.onmicrosoft.com`, { ca });
    assert.equal(readEntraPage(hinted.text)?.pageId, 'ConvergedSignIn');
    const silent = await raw(`${url}&prompt=none`, { ca });
    assert.equal(new URL(String(silent.headers.location)).searchParams.get('error'), 'login_required');
    assert.match(new URL(String(silent.headers.location)).searchParams.get('error_description')!, /^AADSTS50058: /);
  });
});

test('15.4 after sign-in: consent and assignment errors redirect back with Entra\'s runtime texts (65001 names the app, 50105 names app and user)', async () => {
  await withSandbox('consent-required', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const res = await new SandboxBrowser(rawFetch(ca)).authorize(authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') }), 'alex@contoso.onmicrosoft.com');
    assert.equal(res.status, 302);
    const loc = new URL(res.location!);
    assert.equal(`${loc.origin}${loc.pathname}`, 'http://localhost:6274/oauth/callback');
    assert.equal(loc.searchParams.get('error'), 'consent_required');
    assert.equal(loc.searchParams.get('state'), 's1');
    assert.match(loc.searchParams.get('error_description')!, new RegExp(`^AADSTS65001: The user or administrator has not consented to use the application with ID '${signIn.clientId}' named 'Contoso MCP Inspector'\\. Send an interactive authorization request for this user and resource\\.\\r\\nTrace ID: `));
    assert.equal(loc.searchParams.get('code'), null);
  });
  await withSandbox('assignment-required', async (sb, ca) => {
    const signIn = (await sb.client()).signIn!;
    const url = authorizeUrl(sb, { client_id: signIn.clientId, redirect_uri: signIn.redirectUri!, scope: signIn.scopes.join(' ') });
    const res = await new SandboxBrowser(rawFetch(ca)).authorize(url, 'adele@contoso.onmicrosoft.com');
    const loc = new URL(res.location!);
    assert.equal(loc.searchParams.get('error'), 'access_denied');
    assert.match(
      loc.searchParams.get('error_description')!,
      /^AADSTS50105: Your administrator has configured the application Products MCP API \('6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f'\) to block users unless they are specifically granted \('assigned'\) access to the application\. The signed in user 'adele@contoso\.onmicrosoft\.com' is blocked because/,
    );
    // An assigned user gets through; an unknown one stays on the sign-in page.
    assert.ok(await codeFor(ca, url));
    const stranger = await new SandboxBrowser(rawFetch(ca)).authorize(url, 'nobody@contoso.onmicrosoft.com');
    assert.equal(readEntraPage(stranger.page ?? '')?.pageId, 'ConvergedSignIn');
    assert.match(String(readEntraPage(stranger.page ?? '')?.config?.sErrTxt), /does not exist in the/);
  });
});

test('auth code + PKCE at /token: success, replay (AADSTS54005), Web-platform redirect without secret (AADSTS7000218), exact error JSON shape', async () => {
  await withSandbox('healthy-entra', async (sb, ca) => {
    const scope = `${sb.endpoints.mcpUrl}/user_impersonate openid offline_access`;
    const { verifier, challenge } = pkce();
    const code = await codeFor(ca, authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418', scope, code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-1' }));
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
    const code = await codeFor(ca, authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418', scope, code_challenge: challenge, code_challenge_method: 'S256' }));
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

    const mismatch = await new SandboxBrowser(rawFetch(ca)).authorize(
      authorizeUrl(sb, { client_id: CLIENT, redirect_uri: 'http://127.0.0.1:33418', scope: `api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/user_impersonate`, resource: `${sb.endpoints.gateway}/products` }),
      'alex@contoso.onmicrosoft.com',
    );
    assert.match(new URL(String(mismatch.location)).searchParams.get('error_description')!, /^AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes\./);
    const two = await post('devicecode', { client_id: CLIENT, scope: `${sb.endpoints.mcpUrl}/user_impersonate User.Read` });
    assert.deepEqual((JSON.parse(two.text) as { error_codes: number[] }).error_codes, [28000]);
  } finally {
    await sb.stop();
  }
});
