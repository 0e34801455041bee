import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { filesUnder } from '../harness/files';
import { startSandbox, type GatewayRequestRecord, type Sandbox } from '../sandbox/index';
import { API_APP_ID, API_SCOPE, entraScenario, OTHER_API_APP_ID, OTHER_API_SCOPE, USER, VSCODE_CLIENT_ID } from '../unit/auth/entraScenario';
import { extensionSuite } from './extensionSuite';
import { EXTENSION_ID, pollUntil } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';
const SERVER = 'Products (Entra)';
const WRONG_AUDIENCE = 'Products (another API\'s scope)';
/** Issue 16, item 2: a config naming a Microsoft Graph scope for an MCP server's URL. */
const GRAPH_SCOPED = 'Products (Graph scope)';
const STALE = 'Products (expired cached token)';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Another scope of the same API, so the stale session below is a session of its own. */
const STALE_SCOPE = `api://${API_APP_ID}/.default`;

interface SandboxEntraApi {
  providerId: string;
  configure(config: { entra: string; caPem: string; redirectUri?: string; user?: string }): void;
  requestedScopes(): string[][];
  issuedTokens(): string[];
  sessionCount(): number;
  seedExpiredSession(scopes: string[], expiredAccessToken: string): Promise<void>;
  reset(): Promise<void>;
}

interface DriverExports {
  sandboxEntra: SandboxEntraApi;
  logUri: vscode.Uri;
  globalStorageUri: vscode.Uri;
}

function expiryOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp: number }).exp * 1000;
}


/** Runs the "Sign in with … to use APIM MCP" entry VS Code added under Accounts, as a user would click it. */
async function acceptAccountsSignInRequest(providerId: string, seen: Set<string>): Promise<void> {
  const start = Date.now();
  // VS Code numbers these per provider and may reuse an id once its request is served.
  const command = await pollUntil('the Accounts sign-in request', 20_000, async () => {
    const requests = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith(`${providerId}:${EXTENSION_ID}:signIn`));
    return requests.find((c) => !seen.has(c)) ?? (Date.now() - start > 3_000 ? requests.at(-1) : undefined);
  });
  seen.add(command);
  await vscode.commands.executeCommand(command);
}

describe('Entra ID: a VS Code auth provider\'s token reaches the gateway through VS Code\'s own MCP client', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let driver: DriverExports;
  let signedInAt = 0;
  const usedSignInCommands = new Set<string>();

  const suite = extensionSuite(async ({ stopAfter, atTeardown }) => {
    const driverExtension = vscode.extensions.getExtension<DriverExports>(DRIVER_ID);
    assert.ok(driverExtension, 'the test driver extension is not installed');
    driver = await driverExtension.activate();
    sandbox = stopAfter(await startSandbox(entraScenario({ tokenLifetimeSeconds: 60 }) as never));
    driver.sandboxEntra.configure({ entra: sandbox.endpoints.entra, caPem: readFileSync(sandbox.endpoints.caCertPath, 'utf8'), user: USER });
    await driver.sandboxEntra.reset();
    atTeardown(() => driver.sandboxEntra.reset());
    const tenant = sandbox.endpoints.tenantId;
    return {
      settings: {
        'apimMcp.authProviderId': driver.sandboxEntra.providerId,
        // The one-time "send tokens to this address?" question (16.2) is answered in the e2e canary suite; here the
        // gateway is on the user's own list.
        'apimMcp.entra.allowedTokenOrigins': [sandbox.endpoints.gateway],
      },
      servers: [
        { name: SERVER, url: sandbox.endpoints.mcpUrl, auth: 'entra', tenant, scopes: [API_SCOPE] },
        { name: WRONG_AUDIENCE, url: sandbox.endpoints.mcpUrl, auth: 'entra', tenant, scopes: [OTHER_API_SCOPE] },
        { name: GRAPH_SCOPED, url: sandbox.endpoints.mcpUrl, auth: 'entra', tenant, scopes: [GRAPH_SCOPE] },
        { name: STALE, url: sandbox.endpoints.mcpUrl, auth: 'entra', tenant, scopes: [STALE_SCOPE] },
      ],
    };
  });

  // The driver's log folder sits next to this extension's.
  const extensionLogFiles = () => filesUnder(dirname(driver.logUri.fsPath)).filter((f) => f.includes(EXTENSION_ID));
  const extensionLogs = () => extensionLogFiles().map((f) => readFileSync(f, 'utf8'));
  const mcpExchange = (records: GatewayRequestRecord[]) => records.filter((r) => r.path.endsWith('/mcp') && r.jsonrpcMethod);

  it('asks to sign in, then VS Code lists the tools with the Bearer token', async () => {
    sandbox.clearRequests();
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', SERVER)).catch(() => undefined);
    await pollUntil('the sign-in to be asked for', 20_000, () => (/Sign in/.test(suite.api.getServerStatus(SERVER).detail ?? '') ? true : undefined));
    await acceptAccountsSignInRequest(driver.sandboxEntra.providerId, usedSignInCommands);
    signedInAt = Date.now();
    const records = await pollUntil('tools/list with the token', 60_000, () => {
      const seen = mcpExchange(sandbox.requests());
      return seen.some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200) ? seen : undefined;
    });
    const fromVsCode = records.filter((r) => r.status < 300);
    for (const method of ['initialize', 'notifications/initialized', 'tools/list']) assert.ok(fromVsCode.some((r) => r.jsonrpcMethod === method), `${method} missing`);
    for (const record of fromVsCode) assert.equal(record.authorization, 'valid', `${record.jsonrpcMethod} arrived with authorization ${record.authorization}`);
    assert.equal(suite.api.getServerStatus(SERVER).health, 'healthy');
    // The real getSession path: the resource scope plus the tenant pseudo-scope, exactly as VS Code's Microsoft provider reads them.
    assert.ok(
      driver.sandboxEntra.requestedScopes().some((s) => s.includes(API_SCOPE) && s.includes(`VSCODE_TENANT:${sandbox.endpoints.tenantId}`) && s.length === 2),
      JSON.stringify(driver.sandboxEntra.requestedScopes()),
    );
  });

  it('reports a token with the wrong audience, rejected by the gateway, instead of starting', async () => {
    sandbox.clearRequests();
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', WRONG_AUDIENCE)).catch(() => undefined);
    await acceptAccountsSignInRequest(driver.sandboxEntra.providerId, usedSignInCommands);
    const status = await pollUntil('the rejection to be reported', 60_000, () => {
      const s = suite.api.getServerStatus(WRONG_AUDIENCE);
      return s.health === 'failing' && /rejected the Entra ID token/.test(s.detail ?? '') ? s : undefined;
    });
    assert.match(status.detail ?? '', /\(401 "Invalid JWT\."\)/);
    assert.match(status.detail ?? '', new RegExp(`audience ${OTHER_API_APP_ID}`));
    assert.match(status.detail ?? '', new RegExp(OTHER_API_SCOPE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    const refused = sandbox.requests().filter((r) => r.outcome === 'tokenAudience');
    assert.ok(refused.length > 0, 'the gateway saw no token with the wrong audience');
    assert.ok(!mcpExchange(sandbox.requests()).some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 401), 'VS Code must not have been started with the rejected token');
  });

  it('16.2: a Microsoft Graph scope on an MCP server gets no token: no sign-in, no request, the reason in the status', async () => {
    const requestedBefore = driver.sandboxEntra.requestedScopes().length;
    const issuedBefore = driver.sandboxEntra.issuedTokens().length;
    sandbox.clearRequests();
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', GRAPH_SCOPED)).catch(() => undefined);
    const status = await pollUntil('the refusal to be reported', 30_000, () => {
      const s = suite.api.getServerStatus(GRAPH_SCOPED);
      return s.health === 'failing' && /asks for a token for Microsoft Graph/.test(s.detail ?? '') ? s : undefined;
    });
    assert.match(status.detail ?? '', /Use the scope of the MCP server's own API/);
    assert.equal(driver.sandboxEntra.requestedScopes().length, requestedBefore, 'a session was asked for');
    assert.equal(driver.sandboxEntra.issuedTokens().length, issuedBefore, 'a token was issued');
    assert.ok(sandbox.requests().every((r) => r.authorization === 'absent'), 'the gateway got a token');
  });

  it('renews the 60 s token before it expires, and VS Code reconnects with the new one', async function () {
    this.timeout(180_000);
    const first = driver.sandboxEntra.issuedTokens()[0];
    assert.ok(first, 'no token was issued by the first test');
    const firstExpiry = expiryOf(first);
    assert.ok(firstExpiry - signedInAt <= 61_000, 'the sandbox tokens should live 60 s');
    const reconnected = await pollUntil('VS Code to list tools again after the first token expired', 150_000, () => {
      const late = mcpExchange(sandbox.requests()).filter((r) => r.at > firstExpiry && r.jsonrpcMethod === 'tools/list' && r.status === 200);
      return late.length > 0 ? late : undefined;
    });
    assert.ok(reconnected.every((r) => r.authorization === 'valid'));
    const renewed = driver.sandboxEntra.issuedTokens().filter((t) => expiryOf(t) > firstExpiry);
    assert.ok(renewed.length > 0, 'no renewed token was issued');
    const unauthorised = mcpExchange(sandbox.requests()).filter((r) => r.at > signedInAt && r.status === 401 && r.outcome !== 'tokenAudience');
    assert.deepEqual(unauthorised.map((r) => `${r.jsonrpcMethod} ${r.outcome}`), [], 'no request may have been refused for an expired token');
    assert.equal(suite.api.getServerStatus(SERVER).health, 'healthy');
  });

  it('a 401 for an expired token from the provider\'s cache is recovered from without asking the user', async function () {
    this.timeout(120_000);
    // VS Code's provider can hand out a cached token that expired while the machine slept; the gateway refuses it.
    const expired = await sandbox.mintToken({ expired: true, clientId: VSCODE_CLIENT_ID });
    await driver.sandboxEntra.seedExpiredSession([STALE_SCOPE, `VSCODE_TENANT:${sandbox.endpoints.tenantId}`], expired);
    const sessions = driver.sandboxEntra.sessionCount();
    const signInRequestCount = async () => (await vscode.commands.getCommands(true)).filter((c) => c.includes(':signIn')).length;
    const signInRequests = await signInRequestCount();
    const since = Date.now();
    sandbox.clearRequests();
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', STALE)).catch(() => undefined);
    await pollUntil('tools/list with a renewed token', 60_000, () =>
      mcpExchange(sandbox.requests()).some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);
    const refused = sandbox.requests().filter((r) => r.at >= since && r.status === 401);
    assert.deepEqual(refused.map((r) => r.outcome), ['tokenExpired'], 'the gateway should have refused the expired token once, at the startup check');
    const renewed = driver.sandboxEntra.issuedTokens().filter((t) => expiryOf(t) > since);
    assert.ok(renewed.length > 0, 'the provider issued no new token');
    assert.equal(suite.api.getServerStatus(STALE).health, 'healthy');
    assert.equal(driver.sandboxEntra.sessionCount(), sessions, 'no new sign-in may have happened');
    assert.equal(await signInRequestCount(), signInRequests, 'no sign-in may have been requested');
    await pollUntil('the renewal in the extension log', 10_000, () =>
      extensionLogs().some((text) => text.includes(`[resolve] ${STALE}: the gateway refused an expired token; renewing it`)) ? true : undefined);
  });

  it('canary: no token text in the extension log, settings or statuses', () => {
    const tokens = driver.sandboxEntra.issuedTokens();
    assert.ok(tokens.length >= 3);
    const logs = extensionLogFiles();
    assert.ok(logs.length > 0, `no log file for ${EXTENSION_ID} under ${dirname(driver.logUri.fsPath)}`);
    // The user settings are two levels above global storage.
    const settings = join(dirname(dirname(driver.globalStorageUri.fsPath)), 'settings.json');
    const texts = [...logs, settings].map((f) => ({ f, text: readFileSync(f, 'utf8') }));
    assert.ok(texts.some((t) => t.text.includes('[resolve]')), 'the extension log was not found');
    const statuses = JSON.stringify([SERVER, WRONG_AUDIENCE, GRAPH_SCOPED, STALE].map((name) => suite.api.getServerStatus(name)));
    for (const token of tokens) {
      const signature = token.split('.')[2];
      for (const { f, text } of texts) assert.ok(!text.includes(signature), `token text found in ${f}`);
      assert.ok(!statuses.includes(signature), 'token text found in a status');
    }
  });
});
