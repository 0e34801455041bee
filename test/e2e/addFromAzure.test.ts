import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startArm, type ArmEmulator } from '../sandbox/arm';
import { armEntraApp, armFixture, entraArmVerifier, WEATHER_ENTRA_POLICY, WEATHER_TENANT } from '../sandbox/armFixture';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { expectEntraSignIn } from './entraSignIn';
import healthyKey from '../sandbox/scenarios/healthy-key.json';
import { answer, choose, counterAt, focusedRow, filesUnder, quickInputFor, notification, moveMouseAway, runCommand, setTraceLogLevel, findNotification, toolsListed, QUICK_INPUT } from './workbench';

const NAME = 'Products (from Azure e2e)';
const WEATHER_NAME = 'Weather (from Azure e2e)';
const CANARY_KEY = `canary-azure-e2e-${randomUUID()}`;
const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';
const USER = 'alex@contoso.onmicrosoft.com';

describe('Add from Azure: a person picks subscription → APIM service → MCP server → APIM subscription from lists', () => {
  let sandbox: Sandbox;
  let arm: ArmEmulator;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox(
      {
        ...healthyKey,
        name: 'add-from-azure-e2e',
        entra: {
          apps: [armEntraApp([VSCODE_CLIENT_ID]), { appId: VSCODE_CLIENT_ID, displayName: 'Visual Studio Code', redirectUris: { publicClient: ['http://127.0.0.1', 'http://localhost'] }, allowPublicClient: true }],
          users: [{ upn: USER, name: 'Alex Wilber' }],
        },
      } as never,
      { subscriptionKeys: [CANARY_KEY] },
    ));
    const caPem = readFileSync(sandbox.endpoints.caCertPath, 'utf8');
    arm = stopAfter(await startArm({
      ...armFixture({ gatewayUrl: sandbox.endpoints.gateway, apiPath: 'products', key: CANARY_KEY, fillerApis: 3, weatherPolicy: WEATHER_ENTRA_POLICY }),
      pageSize: 3,
      verifyToken: entraArmVerifier({ entra: sandbox.endpoints.entra, tenantId: sandbox.endpoints.tenantId, caPem }),
    }));
    return {
      label: 'e2e-add-from-azure',
      testDriver: true,
      userSettings: { 'apimMcp.authProviderId': 'apimMcpTest.sandboxEntra', 'apimMcp.azure.resourceManagerEndpoint': arm.origin },
      env: { APIM_MCP_SANDBOX_ENTRA: JSON.stringify({ entra: sandbox.endpoints.entra, caCertPath: sandbox.endpoints.caCertPath }) },
    };
  });
  // Trace level for every log, so the canary check reads the most talkative logs VS Code writes.
  before(() => setTraceLogLevel(suite.page, suite.server.userDataDir));

  it('lists, fetches the key into secret storage without showing it, and VS Code lists the tools', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Add from Azure');
    // VS Code asks before an extension signs in with a provider (the Resource Manager scope).
    const allow = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Allow$/ });
    await allow.waitFor({ state: 'visible', timeout: 30_000 });
    const entraSignIn = expectEntraSignIn(suite.workbench, sandbox.endpoints.entra, suite.server.url, 'e2e-azure-sign-in-page');
    await allow.click();
    await entraSignIn.signIn(USER);
    // 18.6: no total before the API is picked (the APIM subscription step comes only for an API that needs a key).
    assert.equal(await counterAt(page, 'Azure subscription'), '1');
    await choose(page, 'Azure subscription', /Contoso Production/);
    await choose(page, 'API Management service', /contoso-apim/);
    const mcpWidget = page.locator(QUICK_INPUT).filter({ has: page.locator('input[placeholder*="MCP server"]') });
    await mcpWidget.locator('.monaco-list-row', { hasText: 'Products MCP' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const mcpList = await mcpWidget.innerText();
    assert.match(mcpList, /Weather \(existing MCP server\)/);
    assert.doesNotMatch(mcpList, /Orders REST/, 'REST APIs are not offered as MCP servers');
    await suite.workbench.screenshot('e2e-azure-mcp-servers');
    const picked = await choose(page, 'MCP server', /Products MCP/);
    assert.ok(picked.includes(sandbox.endpoints.mcpUrl), picked);
    const subWidget = page.locator(QUICK_INPUT).filter({ has: page.locator('input[placeholder*="APIM subscription"]') });
    await subWidget.locator('.monaco-list-row', { hasText: 'Products team' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const subs = await subWidget.innerText();
    assert.match(subs, /product mcp-tools · active/);
    assert.match(subs, /suspended/);
    assert.match(subs, /Built-in all-access subscription\s*all APIs \(built-in all-access subscription\) · active/, '15.4 the all-access subscription (scope: the service) is offered');
    assert.doesNotMatch(subs, /Orders only/, 'a subscription for another product does not cover this server');
    await suite.workbench.screenshot('e2e-azure-subscriptions');
    assert.equal(await counterAt(page, 'APIM subscription'), '4/4');
    await choose(page, 'APIM subscription', /Products team/);
    await answer(page, 'A name for the server', NAME);
    sandbox.clearRequests();
    await choose(page, 'Where should', /managed by APIM MCP/);
    await notification(page, `${NAME} is connected`).waitFor({ state: 'visible', timeout: 60_000 });
    await suite.workbench.screenshot('e2e-azure-connected');
    assert.ok(arm.requests().some((r) => r.method === 'POST' && r.path.endsWith('/listSecrets') && r.status === 200));
    assert.ok(sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid'));
    const listed = await toolsListed(suite.workbench, NAME, 'e2e-azure-tools');
    for (const tool of ['listProducts', 'getProduct', 'searchProducts']) assert.match(listed, new RegExp(tool));
    assert.ok(!(await page.content()).includes(CANARY_KEY), 'the key must not be on screen');
  });

  it('18.5 an Entra API from Azure, in VS Code for the browser: the continuation asks how to sign in, device code suggested, and then needs a client id', async () => {
    const { page, workbench } = suite;
    await runCommand(page, 'APIM MCP: Add from Azure');
    await choose(page, 'Azure subscription', /Contoso Production/);
    await choose(page, 'API Management service', /contoso-apim/);
    assert.equal(await counterAt(page, 'MCP server'), '3');
    await choose(page, 'MCP server', /Weather \(existing MCP server\)/);
    // 18.6: no total until the target settles the route (an mcp.json target has no sign-in method step).
    assert.equal(await counterAt(page, 'A name for the server'), '1');
    await answer(page, 'A name for the server', WEATHER_NAME);
    assert.equal(await counterAt(page, 'Where should'), '2');
    await choose(page, 'Where should', /managed by APIM MCP/);
    const tenant = await quickInputFor(page, 'Entra tenant id or domain');
    assert.equal(await tenant.inputValue(), WEATHER_TENANT, 'the tenant comes from the API\'s policy');
    assert.equal(await counterAt(page, 'Entra tenant id or domain'), '3/6');
    await page.keyboard.press('Enter');
    await quickInputFor(page, 'API scope, for example');
    await page.keyboard.press('Enter');
    assert.equal(await counterAt(page, 'How should APIM MCP sign in'), '5/6');
    assert.match(await focusedRow(page), /Device code[\s\S]*Recommended in VS Code for the browser/);
    await workbench.screenshot('e2e-azure-entra-sign-in-method');
    await choose(page, 'How should APIM MCP sign in', /Device code/);
    // Device code signs in with the person's own app registration: the client id is required.
    assert.equal(await counterAt(page, 'device code signs in with it'), '6/6');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'Device code signs in with your own app registration' }).waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.screenshot('e2e-azure-entra-client-id-required');
    await page.keyboard.press('Escape');
    await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 10_000 });
    // Escape at the last step: nothing written, the sign-in method setting included.
    const settings = readFileSync(join(suite.server.userDataDir, 'User', 'settings.json'), 'utf8');
    assert.ok(!settings.includes(WEATHER_NAME) && !settings.includes('signInMethod'), settings);
  });

  it('from the wizard\'s URL step: without listSecrets rights, the permission finding names the role and the az command', async () => {
    const { page } = suite;
    arm.update({ deniedActions: ['Microsoft.ApiManagement/service/subscriptions/listSecrets/action'] });
    try {
      await runCommand(page, 'APIM MCP: Add Secured MCP Server');
      const widget = page.locator(QUICK_INPUT, { hasText: 'Add Secured MCP Server' });
      await widget.waitFor({ state: 'visible', timeout: 15_000 });
      // The mouse rests where the palette's row was, now the URL box, whose placeholder hover can cover the title bar.
      await moveMouseAway(page);
      await widget.locator('.quick-input-titlebar a[aria-label="Add from Azure…"], .quick-input-titlebar a[title="Add from Azure…"]').first().click();
      await choose(page, 'Azure subscription', /Contoso Production/);
      await choose(page, 'API Management service', /contoso-apim/);
      await choose(page, 'MCP server', /Products MCP/);
      await choose(page, 'APIM subscription', /Products team/);
      const toast = await findNotification(page, 'but not list subscription keys');
      await suite.workbench.screenshot('e2e-azure-listsecrets-denied');
      const text = await toast.innerText();
      assert.match(text, /API Management Service Contributor/);
      assert.match(text, /Microsoft\.ApiManagement\/service\/subscriptions\/listSecrets\/action/);
      assert.match(text, /Copy Command/);
      const logs = [suite.server.userDataDir].flatMap(filesUnder).filter((f) => f.includes(join('logs', '')) && /APIM MCP|apim-mcp/.test(f));
      const logged = logs.map((f) => readFileSync(f, 'utf8')).join('\n');
      assert.match(logged, /azure\.arm\.listSecretsDenied.*az role assignment create --assignee-object-id \S+ --assignee-principal-type User --role 'API Management Service Contributor' --scope \/subscriptions\/\S+\/service\/contoso-apim/);
    } finally {
      arm.update({ deniedActions: [] });
    }
  });

  it('canary: the key is in no file under the user data, workspace or extension folders, logs at trace level included', () => {
    const files = [suite.server.userDataDir, suite.server.workspace, suite.server.extensionsDir].flatMap(filesUnder);
    const logs = files.filter((f) => f.startsWith(join(suite.server.userDataDir, 'logs')));
    const ours = logs.filter((f) => /APIM MCP|apim-mcp/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(ours, /\[trace\] \[addFromAzure\]/, 'the extension log was not at trace level');
    const leaks = files.filter((f) => readFileSync(f).includes(CANARY_KEY));
    assert.deepEqual(leaks, []);
  });
});
