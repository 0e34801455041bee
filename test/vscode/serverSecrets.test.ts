import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import * as vscode from 'vscode';
import { Secret } from '../../src/core/secret';
import { clientSecretSecretId, legacyClientSecretId, legacyEntraSecretIds, msalCacheSecretId } from '../../src/core/secrets/secretBinding';
import { parseServerRecord } from '../../src/core/serverRecord';
import { EntraSecrets } from '../../src/vscode/auth/entraSecrets';
import { EntraTokenService } from '../../src/vscode/auth/entraTokens';
import { extensionSuite } from './extensionSuite';
import { pollUntil, setServers } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';
const CLIENT_ID = '0b7e54a2-5c1d-4f3e-9a6b-2d8c1e4f7a90';
const TENANT = 'contoso.onmicrosoft.com';
const CANARY = `canary-client-secret-${randomUUID()}`;

interface DriverExports {
  secrets: vscode.SecretStorage;
}

async function driverExports(): Promise<DriverExports> {
  return (await vscode.extensions.getExtension(DRIVER_ID)!.activate()) as DriverExports;
}

function entraRecord(name: string, url: string): Record<string, unknown> {
  return { name, url, auth: 'entra', tenant: TENANT, clientId: CLIENT_ID, scopes: [`api://${CLIENT_ID}/.default`] };
}

/** A token authority that only counts who connects: any connection means a confidential client was built and sent. */
async function countingAuthority(): Promise<{ origin: string; connections(): number; close(): void }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `https://127.0.0.1:${port}`, connections: () => connections, close: () => server.close() };
}

describe('16.10 the installed extension: a client secret is bound to its server and goes with it', function () {
  this.timeout(120_000);
  const SERVER = 'Products (client credentials)';
  const URL_A = 'https://127.0.0.1:9/products/mcp';
  const URL_B = 'https://127.0.0.2:9/products/mcp';
  let authority: Awaited<ReturnType<typeof countingAuthority>>;
  const suite = extensionSuite(async ({ atTeardown }) => {
    authority = await countingAuthority();
    atTeardown(() => authority.close());
    // Forget Secrets finds the client secret by the server's name alone.
    atTeardown(() => Promise.resolve(vscode.commands.executeCommand('apimMcp.forgetSecrets', SERVER)).catch(() => undefined));
    return {
      settings: {
        'apimMcp.entra.signInMethod': 'clientCredentials',
        'apimMcp.entra.authorityHost': authority.origin,
        // The one-time "send tokens to this address?" question (16.2) is not what this suite is about: both are allowed.
        'apimMcp.entra.allowedTokenOrigins': [new URL(URL_A).origin, new URL(URL_B).origin],
      },
    };
  });

  /** Starts the server and waits for the failure the status names; says whether anything reached the authority. */
  async function start(expected: RegExp): Promise<{ detail: string; contacted: boolean }> {
    const before = authority.connections();
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', SERVER)).catch(() => undefined);
    const detail = await pollUntil(() => `a status matching ${expected} (now: ${suite.api.getServerStatus(SERVER).detail})`, 60_000, () => {
      const status = suite.api.getServerStatus(SERVER);
      return status.health === 'failing' && expected.test(status.detail ?? '') ? status.detail : undefined;
    });
    assert.ok(!detail!.includes(CANARY), 'the status quotes the client secret');
    return { detail: detail!, contacted: authority.connections() > before };
  }

  const setClientSecret = () => vscode.commands.executeCommand('apimMcp.setClientSecret', SERVER, CANARY);
  const AUTHORITY_CONTACTED = /OpenID configuration/;
  const NO_SECRET = /No client secret is stored for client/;

  it('a stored client secret is used for its server: the token authority is asked', async () => {
    await setServers(suite.api, [entraRecord(SERVER, URL_A)]);
    await setClientSecret();
    const outcome = await start(AUTHORITY_CONTACTED);
    assert.ok(outcome.contacted, 'nothing reached the authority');
  });

  it('Remove Server deletes it: the same server added again has none, and nothing goes to the authority', async () => {
    assert.deepEqual(await vscode.commands.executeCommand('apimMcp.removeServer', SERVER), ['extension']);
    await setServers(suite.api, [entraRecord(SERVER, URL_A)]);
    const outcome = await start(NO_SECRET);
    assert.equal(outcome.contacted, false, 'the removed server\'s client secret was used');
  });

  it('Forget Secrets deletes it, and says so', async () => {
    await setClientSecret();
    assert.equal(await vscode.commands.executeCommand('apimMcp.forgetSecrets', SERVER), true, 'Forget Secrets found nothing to delete');
    assert.equal(await vscode.commands.executeCommand('apimMcp.forgetSecrets', SERVER), false, 'something was left after Forget Secrets');
    const outcome = await start(NO_SECRET);
    assert.equal(outcome.contacted, false, 'the forgotten client secret was used');
  });

  it('a secret entered while the server pointed at one origin is not sent once it points at another', async () => {
    await setClientSecret();
    await setServers(suite.api, [entraRecord(SERVER, URL_B)]);
    const moved = await start(/was entered for https:\/\/127\.0\.0\.1:9; .* now is https:\/\/127\.0\.0\.2:9, so it is not sent/);
    assert.equal(moved.contacted, false, 'the client secret went to the authority for a server at another origin');
    await setServers(suite.api, [entraRecord(SERVER, URL_A)]);
    const back = await start(AUTHORITY_CONTACTED);
    assert.ok(back.contacted, 'the secret is kept for the origin it was entered for');
  });
});

describe('16.10 Entra ID secrets on real SecretStorage: the client secret and the msal-node token caches go with the server', function () {
  this.timeout(60_000);
  const AUTHORITY = 'https://login.microsoftonline.com';
  const record = parseServerRecord(entraRecord('Products (device code)', 'https://contoso.azure-api.net/products/mcp'));
  let driver: DriverExports;
  let log: vscode.LogOutputChannel;

  before(async () => {
    driver = await driverExports();
    log = vscode.window.createOutputChannel('APIM MCP server secrets test', { log: true });
  });

  after(() => log.dispose());

  it('Forget (Remove Server and Forget Secrets) deletes the client secret, both token caches and the shared entries of an earlier version', async () => {
    assert.ok(record.ok, JSON.stringify(record));
    const server = record.value;
    const tokens = new EntraTokenService(driver.secrets, log, () => server);
    try {
      const legacy = legacyEntraSecretIds(CLIENT_ID, { user: `${AUTHORITY}/${TENANT}`, app: `${AUTHORITY}/${TENANT}` });
      const caches = [msalCacheSecretId(server.name, 'user'), msalCacheSecretId(server.name, 'app')];
      for (const id of [...caches, ...legacy]) await driver.secrets.store(id, `{"RefreshToken":{"x":{"secret":"${CANARY}"}}}`);
      await tokens.setClientSecret(server, Secret.of(CANARY));
      const all = [clientSecretSecretId(server.name), ...caches, ...legacy.slice(1)];
      for (const id of all) assert.ok((await driver.secrets.get(id)) !== undefined, `${id} was not stored`);
      assert.equal(await driver.secrets.get(legacy[0]!), undefined, 'Set Client Secret replaces the unbound secret of an earlier version');
      assert.equal(await tokens.hasStoredSecrets(server), true);
      assert.equal(await tokens.forgetStoredSecrets(server), true);
      const left: string[] = [];
      for (const id of [...all, ...legacy]) if ((await driver.secrets.get(id)) !== undefined) left.push(id);
      assert.deepEqual(left, [], 'still in SecretStorage after Forget');
      assert.equal(await tokens.forgetStoredSecrets(server), false);
    } finally {
      tokens.dispose();
    }
  });

  it('an unbound client secret of an earlier version is never sent: the user is asked to enter it again for the server', async () => {
    assert.ok(record.ok);
    const server = record.value;
    const stored = new EntraSecrets(driver.secrets, () => AUTHORITY);
    await driver.secrets.store(legacyClientSecretId(CLIENT_ID), CANARY);
    try {
      const refusal = await stored.clientSecret(server).then(() => undefined, (error: unknown) => error as Error);
      assert.ok(refusal, 'the unbound secret was released');
      assert.match(refusal.message, /stored by an earlier version of APIM MCP .* run "APIM MCP: Set Client Secret" for Products \(device code\)/);
      assert.ok(!refusal.message.includes(CANARY));
      assert.equal(await stored.forget(server), true);
      assert.equal(await driver.secrets.get(legacyClientSecretId(CLIENT_ID)), undefined);
      assert.equal(await stored.clientSecret(server), undefined);
    } finally {
      await driver.secrets.delete(legacyClientSecretId(CLIENT_ID));
    }
  });
});
