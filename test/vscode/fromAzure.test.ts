import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { filesUnder } from '../harness/files';
import { startArm, type ArmEmulator } from '../sandbox/arm';
import { ARM_MCP_API, ARM_PRODUCT_SUBSCRIPTION, ARM_SERVICE, armEntraApp, armFixture, entraArmVerifier, WEATHER_APP, WEATHER_ENTRA_POLICY, WEATHER_TENANT } from '../sandbox/armFixture';
import { startSandbox, type Sandbox } from '../sandbox/index';
import healthyKey from '../sandbox/scenarios/healthy-key.json';
import { extensionSuite } from './extensionSuite';
import { EXTENSION_ID, pollUntil } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';
const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';
const CANARY = `canary-azure-${randomUUID()}`;
const NAME = 'Products (from Azure)';
const WEATHER = 'Weather (from Azure)';

interface DriverExports {
  sandboxEntra: { providerId: string; configure(c: { entra: string; caPem: string; user?: string }): void; reset(): Promise<void>; requestedScopes(): string[][] };
  logUri: vscode.Uri;
  globalStorageUri: vscode.Uri;
}

type Result = { ok: true; name: string; target: string } | { ok: false; message: string; finding?: { id: string; title: string; fix: { summary: string; commands?: string[] } } };


/**
 * Runs the interactive Add from Azure (no spec: the palette's quick picks) and, while it has not ended, presses Enter
 * in the quick pick as a person would. A run still open at the deadline is closed (Escape), which cancels it.
 */
async function interactiveAddFromAzure(): Promise<Result | undefined> {
  const running = Promise.resolve(vscode.commands.executeCommand<Result | undefined>('apimMcp.addFromAzure'));
  let done = false;
  void running.finally(() => (done = true));
  const deadline = Date.now() + 30_000;
  while (!done && Date.now() < deadline) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await Promise.race([running, new Promise((r) => setTimeout(r, 250))]);
  }
  if (!done) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  return running;
}

/** Accepts the "Sign in … to use APIM MCP" request VS Code put under Accounts, as a user would. */
async function acceptAccountsSignInRequest(providerId: string): Promise<void> {
  const command = await pollUntil('the Accounts sign-in request', 30_000, async () =>
    (await vscode.commands.getCommands(true)).find((c) => c.startsWith(`${providerId}:${EXTENSION_ID}:signIn`)));
  await vscode.commands.executeCommand(command);
}

describe('Add from Azure: subscription → APIM service → MCP server → APIM subscription, key fetched into secret storage', function () {
  this.timeout(180_000);
  let sandbox: Sandbox;
  let arm: ArmEmulator;
  let driver: DriverExports;
  let caPem: string;

  const suite = extensionSuite(async ({ stopAfter, atTeardown }) => {
    driver = await vscode.extensions.getExtension<DriverExports>(DRIVER_ID)!.activate();
    const scenario = {
      ...healthyKey,
      name: 'add-from-azure',
      entra: {
        apps: [armEntraApp([VSCODE_CLIENT_ID]), { appId: VSCODE_CLIENT_ID, displayName: 'Visual Studio Code', redirectUris: { publicClient: ['http://127.0.0.1', 'http://localhost'] }, allowPublicClient: true }],
        users: [{ upn: 'alex@contoso.onmicrosoft.com', name: 'Alex Wilber' }],
      },
    };
    sandbox = stopAfter(await startSandbox(scenario as never, { subscriptionKeys: [CANARY] }));
    caPem = readFileSync(sandbox.endpoints.caCertPath, 'utf8');
    driver.sandboxEntra.configure({ entra: sandbox.endpoints.entra, caPem, user: 'alex@contoso.onmicrosoft.com' });
    await driver.sandboxEntra.reset();
    atTeardown(() => driver.sandboxEntra.reset());
    arm = stopAfter(await startArm({
      ...armFixture({ gatewayUrl: sandbox.endpoints.gateway, apiPath: 'products', key: CANARY, fillerApis: 4, weatherPolicy: WEATHER_ENTRA_POLICY }),
      pageSize: 2,
      verifyToken: entraArmVerifier({ entra: sandbox.endpoints.entra, tenantId: sandbox.endpoints.tenantId, caPem }),
    }));
    // The key the tests fetch into secret storage goes too; Forget Secrets finds it by the server's name alone.
    atTeardown(() => vscode.commands.executeCommand('apimMcp.forgetSecrets', NAME));
    return {
      settings: {
        'apimMcp.authProviderId': driver.sandboxEntra.providerId,
        'apimMcp.azure.resourceManagerEndpoint': arm.origin,
        // The Weather diagnosis may send a token to the gateway without the one-time question (16.2, asked in the e2e canary suite).
        'apimMcp.entra.allowedTokenOrigins': [sandbox.endpoints.gateway],
      },
    };
  });

  it('signs in with the ARM scope, walks the lists, stores the listSecrets key and VS Code lists the tools', async () => {
    const running = Promise.resolve(
      vscode.commands.executeCommand<Result>('apimMcp.addFromAzure', {
        subscription: 'Contoso Production',
        service: ARM_SERVICE,
        api: ARM_MCP_API,
        apimSubscription: ARM_PRODUCT_SUBSCRIPTION,
        target: 'extension',
        name: NAME,
        start: true,
      }),
    );
    await acceptAccountsSignInRequest(driver.sandboxEntra.providerId);
    const result = await running;
    assert.ok(result?.ok, JSON.stringify(result));
    assert.ok(driver.sandboxEntra.requestedScopes().some((s) => s.length === 1 && s[0] === 'https://management.azure.com/.default'), JSON.stringify(driver.sandboxEntra.requestedScopes()));
    const calls = arm.requests();
    assert.ok(calls.some((r) => r.method === 'POST' && r.path.endsWith(`/subscriptions/${ARM_PRODUCT_SUBSCRIPTION}/listSecrets`) && r.status === 200), JSON.stringify(calls));
    assert.ok(calls.filter((r) => r.path.endsWith('/apis')).length >= 3, 'the API list was read across nextLink pages');
    assert.ok(calls.every((r) => r.status !== 401), 'every ARM call carried a valid Entra token');
    const settings = vscode.workspace.getConfiguration('apimMcp').inspect<unknown[]>('servers')?.globalValue;
    assert.deepEqual(settings, [{ name: NAME, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }]);
    await pollUntil('tools/list with the key from Azure', 60_000, () =>
      sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid') ? true : undefined);
    assert.equal(suite.api.getServerStatus(NAME).health, 'healthy');
  });

  it('14: an empty list in the interactive picks is azure.arm.empty: no Azure subscription, or a subscription with no APIM service', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('workbench.action.acceptSelectedQuickOpenItem'), 'VS Code has no command to accept the quick pick');
    const verifyToken = entraArmVerifier({ entra: sandbox.endpoints.entra, tenantId: sandbox.endpoints.tenantId, caPem });
    const config = vscode.workspace.getConfiguration('apimMcp');
    const before = config.inspect<unknown[]>('servers')?.globalValue;
    const emptySubscription = { subscriptionId: '77777777-2222-4333-8444-555555555555', displayName: 'Contoso Sandbox (no APIM)', services: [] };
    const estates = [
      { subscriptions: [], title: 'This account sees no Azure subscriptions.' },
      { subscriptions: [emptySubscription], title: 'No API Management service in Contoso Sandbox (no APIM).' },
    ];
    for (const estate of estates) {
      const empty = await startArm({ subscriptions: estate.subscriptions, verifyToken });
      try {
        await config.update('azure.resourceManagerEndpoint', empty.origin, vscode.ConfigurationTarget.Global);
        // With one subscription the quick pick shows it and Enter picks it; the service list of that subscription is empty.
        const result = await interactiveAddFromAzure();
        assert.ok(result && !result.ok && result.finding, `no finding: ${JSON.stringify(result) ?? 'the run was cancelled (a quick pick stayed open)'}`);
        assert.equal(result.finding.id, 'azure.arm.empty');
        assert.equal(result.finding.title, estate.title);
        const calls = empty.requests();
        assert.ok(calls.length > 0 && calls.every((r) => r.status === 200), JSON.stringify(calls));
        if (estate.subscriptions.length) assert.ok(calls.some((r) => r.path.startsWith(`/subscriptions/${emptySubscription.subscriptionId}/providers/Microsoft.ApiManagement/service`)), JSON.stringify(calls));
      } finally {
        await config.update('azure.resourceManagerEndpoint', arm.origin, vscode.ConfigurationTarget.Global);
        await empty.stop();
      }
    }
    assert.deepEqual(config.inspect<unknown[]>('servers')?.globalValue, before, 'nothing was added');
  });

  it('without listSecrets rights, the permission finding names the role and the az command', async () => {
    arm.update({ deniedActions: ['Microsoft.ApiManagement/service/subscriptions/listSecrets/action'] });
    const result = await Promise.resolve(
      vscode.commands.executeCommand<Result>('apimMcp.addFromAzure', { subscription: 'Contoso Production', service: ARM_SERVICE, api: ARM_MCP_API, apimSubscription: ARM_PRODUCT_SUBSCRIPTION, target: 'extension', name: 'denied' }),
    );
    arm.update({ deniedActions: [] });
    assert.ok(result && !result.ok && result.finding, JSON.stringify(result));
    assert.equal(result.finding.id, 'azure.arm.listSecretsDenied');
    assert.match(result.finding.fix.summary, /API Management Service Contributor/);
    assert.match(result.finding.fix.commands![0]!, /^az role assignment create .*--role 'API Management Service Contributor' --scope \/subscriptions\/.*\/service\/contoso-apim$/);
    assert.ok(!suite.api.serverNames().includes('denied'), 'nothing was added');
  });

  it('15.a an MCP server that needs no key but validates tokens: Entra tenant and scope come from its policy, and the diagnosis judges against it', async () => {
    const result = await Promise.resolve(
      vscode.commands.executeCommand<Result>('apimMcp.addFromAzure', { subscription: 'Contoso Production', service: ARM_SERVICE, api: 'weather-mcp', target: 'extension', name: WEATHER }),
    );
    assert.ok(result?.ok, JSON.stringify(result));
    const settings = vscode.workspace.getConfiguration('apimMcp').inspect<Record<string, unknown>[]>('servers')?.globalValue ?? [];
    const weather = settings.find((s) => s.name === WEATHER);
    assert.deepEqual(weather, { name: WEATHER, url: `${sandbox.endpoints.gateway}/weather/mcp`, auth: 'entra', tenant: WEATHER_TENANT, scopes: [`${WEATHER_APP}/.default`] });
    assert.ok(!arm.requests().some((r) => r.path.includes('/weather-mcp') && r.path.endsWith('/listSecrets')), 'no key was fetched for an API that needs none');
    // 15.a: a later diagnosis judges the token against what the live policy expects, read when the server was added.
    await vscode.commands.executeCommand('apimMcp.diagnose', WEATHER);
    const state = await pollUntil('the diagnosis of the Azure server', 60_000, async () =>
      (await vscode.commands.executeCommand<{ server: { name: string }; diagnosis?: { notes: string[] } }[]>('apimMcp.diagnostics.state')).find((p) => p.server.name === WEATHER && p.diagnosis));
    assert.ok(state.diagnosis!.notes.includes('Judged against the policy of API weather-mcp in Azure, read when the server was added from Azure.'), state.diagnosis!.notes.join('\n'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.deepEqual(await vscode.commands.executeCommand('apimMcp.removeServer', WEATHER), ['extension']);
  });

  it('canary: the key is nowhere in logs, settings, statuses or the extension storage', () => {
    const logs = filesUnder(dirname(driver.logUri.fsPath)).filter((f) => f.includes(EXTENSION_ID));
    assert.ok(logs.length > 0, 'no extension log found');
    const userDir = dirname(dirname(driver.globalStorageUri.fsPath));
    const files = [...logs, join(userDir, 'settings.json'), ...filesUnder(join(userDir, 'globalStorage', EXTENSION_ID))];
    const texts = files.map((f) => ({ f, text: readFileSync(f, 'utf8') }));
    assert.ok(texts.some((t) => t.text.includes('[addFromAzure]')), 'the Add from Azure log lines were not found');
    for (const { f, text } of texts) assert.ok(!text.includes(CANARY), `the key was found in ${f}`);
    assert.ok(!JSON.stringify(suite.api.getServerStatus(NAME)).includes(CANARY));
  });
});
