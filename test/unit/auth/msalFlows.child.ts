// Run by msalFlows.test.ts with NODE_EXTRA_CA_CERTS set to the sandbox CA; real @azure/msal-node, no mocks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { EntraAuthorizeError } from '../../../src/auth/msal/loopbackRedirect';
import { MsalTokenSource, type DeviceCodePrompt, type MsalTokenSourceOptions } from '../../../src/auth/msal/msalTokenSource';
import type { AccessToken, AuthLog, SecretStore } from '../../../src/auth/tokenSource';
import { Secret } from '../../../src/core/secret';
import { msalCacheSecretId, secretIdsForServer } from '../../../src/core/secrets/secretBinding';
import type { SandboxEndpoints } from '../../sandbox/index';
import { API_APP_ID, API_SCOPE, DAEMON_CLIENT_ID, DAEMON_SECRET, PUBLIC_CLIENT_ID, UNCONSENTED_CLIENT_ID, USER } from './entraScenario';
import { SandboxBrowser } from '../../sandbox/browserSignIn';

const endpoints = JSON.parse(process.env.APIM_MCP_SANDBOX ?? '{}') as SandboxEndpoints;
/** A second emulator that never approves a device code. */
const pendingEndpoints = JSON.parse(process.env.APIM_MCP_SANDBOX_PENDING ?? '{}') as SandboxEndpoints;
const target = { scopes: [API_SCOPE], tenant: endpoints.tenantId };
const issued: string[] = [];

class MemoryStore implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

class MemoryLog implements AuthLog {
  readonly lines: string[] = [];
  trace = (m: string) => this.lines.push(m);
  debug = (m: string) => this.lines.push(m);
  info = (m: string) => this.lines.push(m);
  warn = (m: string) => this.lines.push(m);
  error = (m: string) => this.lines.push(m);
}

/** The server most tests sign in for; its token cache lives under its own SecretStorage id. */
const SERVER = 'Products';

function source(options: Partial<MsalTokenSourceOptions> & Pick<MsalTokenSourceOptions, 'flow' | 'clientId' | 'store' | 'log'>) {
  return MsalTokenSource.create({ authorityHost: endpoints.entra, cacheKey: (kind) => msalCacheSecretId(SERVER, kind), ...options });
}

function remember(token: AccessToken | undefined): AccessToken {
  assert.ok(token, 'no token');
  issued.push(token.token.reveal());
  return token;
}

/** A person's browser: signs in on the emulator's sign-in page, then follows the redirect to the loopback listener. */
async function browser(url: string): Promise<void> {
  const { location, status } = await new SandboxBrowser().authorize(url, USER);
  assert.ok(location, `authorize answered ${status} without a redirect`);
  await fetch(location);
}

async function gatewayStatus(token: AccessToken): Promise<number> {
  const response = await fetch(endpoints.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.token.reveal()}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'msal-test', version: '1' } } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('MsalTokenSource', () => {
  it('device code: shows the user code, gets a token the gateway accepts, then serves it from the SecretStorage cache', async () => {
    const store = new MemoryStore();
    const log = new MemoryLog();
    const prompts: DeviceCodePrompt[] = [];
    const msal = await source({ flow: 'deviceCode', clientId: PUBLIC_CLIENT_ID, store, log, showDeviceCode: (p) => prompts.push(p) });
    const token = remember(await msal.getToken(target, 'interactive'));
    assert.equal(prompts.length, 1);
    assert.match(prompts[0].userCode, /^[A-Z0-9]{6,}$/);
    assert.equal(prompts[0].verificationUri, `${endpoints.entra}/devicelogin`);
    const claims = decodeJwt(token.token.reveal());
    assert.equal(claims.aud, API_APP_ID);
    assert.equal(claims.azp, PUBLIC_CLIENT_ID);
    assert.equal(claims.preferred_username, USER);
    assert.equal(token.account, USER);
    assert.ok(token.expiresOn > Date.now());
    assert.equal(await gatewayStatus(token), 200);
    assert.deepEqual([...store.values.keys()], [msalCacheSecretId(SERVER, 'user')], 'the MSAL cache is persisted as one SecretStorage entry, the server\'s');

    // A new source (a new window) finds the account in SecretStorage and needs no prompt, even silently.
    const again = await source({ flow: 'deviceCode', clientId: PUBLIC_CLIENT_ID, store, log, showDeviceCode: (p) => prompts.push(p) });
    const cached = remember(await again.getToken(target, 'silent'));
    assert.equal(prompts.length, 1);
    assert.equal(cached.account, USER);
    assert.deepEqual(await again.accounts(target), [USER]);

    await again.signOut(target);
    assert.equal(store.values.size, 0);
    assert.equal(await again.getToken(target, 'silent'), undefined);
  });

  it('16.10: each server has its own token cache, and deleting the server\'s secret ids takes its refresh token away', async () => {
    const store = new MemoryStore();
    const log = new MemoryLog();
    const prompts: DeviceCodePrompt[] = [];
    const forServer = (name: string) =>
      source({ flow: 'deviceCode', clientId: PUBLIC_CLIENT_ID, store, log, cacheKey: (kind) => msalCacheSecretId(name, kind), showDeviceCode: (p) => prompts.push(p) });
    remember(await (await forServer('Products A')).getToken(target, 'interactive'));
    remember(await (await forServer('Products B')).getToken(target, 'interactive'));
    assert.equal(prompts.length, 2, 'a second server with the same client id signs in on its own');
    assert.deepEqual([...store.values.keys()].sort(), [msalCacheSecretId('Products A', 'user'), msalCacheSecretId('Products B', 'user')]);
    // Remove Server and Forget Secrets delete exactly secretIdsForServer: a new window then finds no account for A.
    for (const id of secretIdsForServer('Products A')) await store.delete(id);
    assert.equal(await (await forServer('Products A')).getToken(target, 'silent'), undefined, 'server A still had a cached token');
    assert.ok(await (await forServer('Products B')).getToken(target, 'silent'), 'server B lost its sign-in');
    assert.equal(prompts.length, 2);
  });

  it('serialises concurrent calls: two callers, one device code', async () => {
    const prompts: DeviceCodePrompt[] = [];
    const msal = await source({ flow: 'deviceCode', clientId: PUBLIC_CLIENT_ID, store: new MemoryStore(), log: new MemoryLog(), showDeviceCode: (p) => prompts.push(p) });
    const [a, b] = await Promise.all([msal.getToken(target, 'interactive'), msal.getToken(target, 'interactive')]);
    remember(a);
    remember(b);
    assert.equal(prompts.length, 1, 'the second caller was served from the cache the first one filled');
  });

  it('loopback: a custom public client signs in through the loopback redirect', async () => {
    const log = new MemoryLog();
    const opened: string[] = [];
    const msal = await source({
      flow: 'loopback',
      clientId: PUBLIC_CLIENT_ID,
      store: new MemoryStore(),
      log,
      openBrowser: async (url) => {
        opened.push(url);
        await browser(url);
      },
    });
    const token = remember(await msal.getToken(target, 'interactive'));
    const authorize = new URL(opened[0]);
    assert.equal(authorize.pathname, `/${endpoints.tenantId}/oauth2/v2.0/authorize`);
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(decodeJwt(token.token.reveal()).azp, PUBLIC_CLIENT_ID);
    assert.equal(await gatewayStatus(token), 200);
  });

  it('loopback: an AADSTS error sent to the redirect is captured with its trace and correlation ids', async () => {
    const msal = await source({ flow: 'loopback', clientId: UNCONSENTED_CLIENT_ID, store: new MemoryStore(), log: new MemoryLog(), openBrowser: browser });
    const error = await msal.getToken(target, 'interactive').then(
      () => assert.fail('sign-in should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof EntraAuthorizeError, String(error));
    assert.equal(error.error, 'consent_required');
    assert.deepEqual(error.codes, [65001]);
    assert.match(error.traceId ?? '', /^[0-9a-f-]{36}$/);
    assert.match(error.correlationId ?? '', /^[0-9a-f-]{36}$/);
    assert.match(error.message, /AADSTS65001/);
  });

  it('client credentials: an app-only token with the secret from SecretStorage; a wrong secret gives AADSTS7000215', async () => {
    const store = new MemoryStore();
    const msal = await source({ flow: 'clientCredentials', clientId: DAEMON_CLIENT_ID, store, log: new MemoryLog(), clientSecret: async () => Secret.of(DAEMON_SECRET) });
    const token = remember(await msal.getToken({ scopes: [`api://${API_APP_ID}/.default`], tenant: endpoints.tenantId }, 'silent'));
    const claims = decodeJwt(token.token.reveal());
    assert.equal(claims.idtyp, 'app');
    assert.deepEqual(claims.roles, ['Products.Read']);
    assert.equal(await gatewayStatus(token), 200);

    const wrong = await source({ flow: 'clientCredentials', clientId: DAEMON_CLIENT_ID, store: new MemoryStore(), log: new MemoryLog(), clientSecret: async () => Secret.of('wrong') });
    await assert.rejects(wrong.getToken({ scopes: [`api://${API_APP_ID}/.default`], tenant: endpoints.tenantId }, 'silent'), /AADSTS7000215/);
    const none = await source({ flow: 'clientCredentials', clientId: DAEMON_CLIENT_ID, store: new MemoryStore(), log: new MemoryLog() });
    await assert.rejects(none.getToken({ scopes: [`api://${API_APP_ID}/.default`], tenant: endpoints.tenantId }, 'silent'), /Set Client Secret/);
  });

  it('a tenant the authority does not know: Entra\'s AADSTS90002 text instead of "endpoints_resolution_error"', async () => {
    const msal = await source({ flow: 'deviceCode', clientId: PUBLIC_CLIENT_ID, store: new MemoryStore(), log: new MemoryLog(), showDeviceCode: () => undefined });
    const tenant = 'no-such-tenant.onmicrosoft.com';
    await assert.rejects(msal.getToken({ scopes: [API_SCOPE], tenant }, 'interactive'), (error: Error) => {
      assert.equal(
        error.message.split('. Check ')[0],
        `Could not read the sign-in authority's OpenID configuration at ${endpoints.entra}/${tenant}/v2.0/.well-known/openid-configuration: HTTP 400: AADSTS90002: Tenant '${tenant}' not found`,
      );
      return true;
    });
  });

  it('device code: Sign Out stops a sign-in still waiting for its code, instead of holding the queue until the code expires', async () => {
    const log = new MemoryLog();
    let shown!: () => void;
    const codeShown = new Promise<void>((resolve) => (shown = resolve));
    const msal = await source({ authorityHost: pendingEndpoints.entra, flow: 'deviceCode', clientId: PUBLIC_CLIENT_ID, store: new MemoryStore(), log, showDeviceCode: () => shown() });
    const pendingTarget = { scopes: [API_SCOPE], tenant: pendingEndpoints.tenantId };
    const signIn = msal.getToken(pendingTarget, 'interactive');
    await codeShown;
    const started = Date.now();
    await msal.signOut(pendingTarget);
    assert.equal(await signIn, undefined);
    assert.ok(Date.now() - started < 5_000, `sign-out waited ${Date.now() - started} ms`);
    assert.ok(log.lines.includes('[msal] device code sign-in cancelled'), log.lines.join('\n'));
  });

  it('loopback: Cancel on the browser wait ends the sign-in with no token and closes the redirect listener', async () => {
    const log = new MemoryLog();
    let redirectUri = '';
    let waitEnded = false;
    const msal = await source({
      flow: 'loopback',
      clientId: PUBLIC_CLIENT_ID,
      store: new MemoryStore(),
      log,
      // The browser never comes back (a tab closed, or a remote window whose browser cannot reach this machine).
      openBrowser: async (url) => {
        redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
      },
      showBrowserWait: (cancel) => {
        setTimeout(cancel, 50);
        return () => (waitEnded = true);
      },
    });
    assert.equal(await msal.getToken(target, 'interactive'), undefined);
    assert.ok(waitEnded, 'the wait notification was not ended');
    assert.ok(log.lines.includes('[msal] loopback sign-in cancelled'), log.lines.join('\n'));
    await assert.rejects(fetch(`${redirectUri}/?code=late&state=x`), 'the redirect listener is still open');
  });

  it('canary: no token text in any log line', async () => {
    const log = new MemoryLog();
    const msal = await source({ flow: 'loopback', clientId: PUBLIC_CLIENT_ID, store: new MemoryStore(), log, openBrowser: browser });
    remember(await msal.getToken(target, 'interactive'));
    assert.ok(log.lines.length > 0);
    assert.ok(issued.length >= 5);
    for (const token of issued) {
      const signature = token.split('.')[2];
      for (const line of log.lines) assert.ok(!line.includes(signature), 'a log line holds token text');
    }
  });
});
