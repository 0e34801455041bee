import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWorkbench, type Workbench } from '../harness/browser';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { packagedDriver, packagedExtension } from '../harness/packages';
import { waitFor } from '../harness/processes';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { expectEntraSignIn } from './entraSignIn';
import { answer, choose, filesUnder, notification, quickInputFor, runCommand, setTraceLogLevel, toolsListed, QUICK_INPUT } from './workbench';

const KEY_SERVER = 'Products (wizard key)';
const ENTRA_SERVER = 'Products (wizard Entra)';
const CANARY_KEY = `canary-wizard-${randomUUID()}`;
/** The healthy-entra scenario's user, typed on the Entra emulator's sign-in page. */
const USER = 'alex@contoso.onmicrosoft.com';

describe('Add Secured MCP Server: a person adds a key server and an Entra server through the wizard', () => {
  let keySandbox: Sandbox;
  let entraSandbox: Sandbox;
  let server: CodeServer;
  let workbench: Workbench;

  before(async () => {
    keySandbox = await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] });
    entraSandbox = await startSandbox('healthy-entra');
    server = await startCodeServer({
      label: 'e2e-wizard',
      extensions: [await packagedExtension(), await packagedDriver()],
      userSettings: { 'apimMcp.authProviderId': 'apimMcpTest.sandboxEntra' },
      env: { APIM_MCP_SANDBOX_ENTRA: JSON.stringify({ entra: entraSandbox.endpoints.entra, caCertPath: entraSandbox.endpoints.caCertPath }) },
    });
    workbench = await openWorkbench(server.url);
    // Trace level for every log, so the canary check reads the most talkative logs VS Code writes.
    await setTraceLogLevel(workbench.page, server.userDataDir);
  });

  after(async () => {
    await workbench?.close();
    await server?.stop();
    await keySandbox?.stop();
    await entraSandbox?.stop();
  });

  it('key server: detects the APIM key challenge, refuses a wrong key, saves to secret storage, and VS Code lists the tools', async () => {
    const { page } = workbench;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    const url = await quickInputFor(page, 'The MCP endpoint');
    // The /sse mistake is flagged before anything is sent.
    await url.fill(keySandbox.endpoints.sseUrl);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'legacy SSE endpoint' }).waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.screenshot('e2e-wizard-sse-flagged');
    // The message replaced the prompt; the same box takes the corrected URL.
    await page.locator(`${QUICK_INPUT} .quick-input-box input`).fill(keySandbox.endpoints.mcpUrl);
    await page.keyboard.press('Enter');
    await answer(page, 'A name for the server', KEY_SERVER);
    const auth = await choose(page, 'How does the gateway authenticate', /Subscription key/);
    assert.match(auth, /Detected/);
    // Where it goes comes first: this extension keeps the key only for its own target (an mcp.json's key is VS Code's).
    await page.locator(`${QUICK_INPUT} input[placeholder*="Where should"]`).waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.screenshot('e2e-wizard-targets');
    await choose(page, 'Where should', /managed by APIM MCP/);
    const key = await quickInputFor(page, `Subscription key for ${KEY_SERVER}`);
    assert.equal(await key.getAttribute('type'), 'password');
    await key.fill(`wrong-${CANARY_KEY}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'APIM rejected this key' }).waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.screenshot('e2e-wizard-key-rejected');
    keySandbox.clearRequests();
    await page.locator(`${QUICK_INPUT} .quick-input-box input[type="password"]`).fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await notification(page, `${KEY_SERVER} is connected`).waitFor({ state: 'visible', timeout: 60_000 });
    await workbench.screenshot('e2e-wizard-key-connected');
    assert.ok(keySandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid'));
    const listed = await toolsListed(workbench, KEY_SERVER, 'e2e-wizard-key-tools');
    for (const tool of ['listProducts', 'getProduct', 'searchProducts']) assert.match(listed, new RegExp(tool));
    assert.ok(!(await page.content()).includes(CANARY_KEY), 'the key must not be in the page');
  });

  it('Entra server: the PRM fills tenant and scope, sign-in goes through the auth provider, and VS Code lists the tools', async () => {
    const { page } = workbench;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    await answer(page, 'The MCP endpoint', entraSandbox.endpoints.mcpUrl);
    await answer(page, 'A name for the server', ENTRA_SERVER);
    const auth = await choose(page, 'How does the gateway authenticate', /Microsoft Entra ID/);
    assert.match(auth, /Detected/);
    await choose(page, 'Where should', /managed by APIM MCP/);
    const tenant = await quickInputFor(page, 'Entra tenant (from the server');
    assert.equal(await tenant.inputValue(), entraSandbox.endpoints.tenantId);
    await workbench.screenshot('e2e-wizard-entra-tenant');
    await page.keyboard.press('Enter');
    const scope = await quickInputFor(page, 'API scope (from the protected-resource metadata)');
    assert.match(await scope.inputValue(), /user_impersonate$/);
    await page.keyboard.press('Enter');
    entraSandbox.clearRequests();
    await answer(page, 'your own app registration', '');
    // VS Code asks before an extension signs in with a provider.
    const allow = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Allow$/ });
    await allow.waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.screenshot('e2e-wizard-entra-consent');
    const entraSignIn = expectEntraSignIn(workbench, entraSandbox.endpoints.entra, server.url, 'e2e-wizard-entra-sign-in-page');
    await allow.click();
    await entraSignIn.signIn(USER);
    await notification(page, `${ENTRA_SERVER} is connected`).waitFor({ state: 'visible', timeout: 60_000 });
    await workbench.screenshot('e2e-wizard-entra-connected');
    await waitFor('tools/list with a valid token', 30_000, () =>
      entraSandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);
    const listed = await toolsListed(workbench, ENTRA_SERVER, 'e2e-wizard-entra-tools');
    assert.match(listed, /listProducts/);
  });

  it('canary: the key is in no file under the user data, workspace or extension folders, logs at trace level included', () => {
    const files = [server.userDataDir, server.workspace, server.extensionsDir].flatMap(filesUnder);
    const logs = files.filter((f) => f.startsWith(join(server.userDataDir, 'logs')));
    assert.ok(logs.length > 0, 'no VS Code logs were written');
    const ours = logs.filter((f) => /APIM MCP|apim-mcp/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(ours, /\[trace\] \[addServer\]/, 'the extension log was not at trace level');
    const leaks = files.filter((f) => readFileSync(f).includes(CANARY_KEY));
    assert.deepEqual(leaks, []);
  });
});
