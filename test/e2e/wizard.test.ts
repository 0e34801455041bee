import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { expectEntraSignIn } from './entraSignIn';
import { answer, choose, counterAt, focusedRow, filesUnder, notification, quickInputFor, runCommand, setTraceLogLevel, toolsListed, QUICK_INPUT } from './workbench';

const KEY_SERVER = 'Products (wizard key)';
const ENTRA_SERVER = 'Products (wizard Entra)';
const CANARY_KEY = `canary-wizard-${randomUUID()}`;
/** The healthy-entra scenario's user, typed on the Entra emulator's sign-in page. */
const USER = 'alex@contoso.onmicrosoft.com';

describe('Add Secured MCP Server: a person adds a key server and an Entra server through the wizard', () => {
  let keySandbox: Sandbox;
  let entraSandbox: Sandbox;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    keySandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] }));
    entraSandbox = stopAfter(await startSandbox('healthy-entra'));
    return {
      label: 'e2e-wizard',
      testDriver: true,
      userSettings: { 'apimMcp.authProviderId': 'apimMcpTest.sandboxEntra' },
      env: { APIM_MCP_SANDBOX_ENTRA: JSON.stringify({ entra: entraSandbox.endpoints.entra, caCertPath: entraSandbox.endpoints.caCertPath }) },
    };
  });
  // Trace level for every log, so the canary check reads the most talkative logs VS Code writes.
  before(() => setTraceLogLevel(suite.page, suite.server.userDataDir));

  it('key server: detects the APIM key challenge, refuses a wrong key, saves to secret storage, and VS Code lists the tools', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    const counters = [await counterAt(page, 'The MCP endpoint')];
    const url = await quickInputFor(page, 'The MCP endpoint');
    const box = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    // 18.6: the probe's 404 is said at the URL step, as a warning.
    await url.fill(`${keySandbox.endpoints.gateway}/nothing-here/mcp`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'APIM has no API at this path (it answered 404)' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator(`${QUICK_INPUT} .monaco-inputbox.warning`).count(), 1, 'the 404 is a warning');
    await suite.workbench.screenshot('e2e-wizard-404-at-url-step');
    // The /sse mistake is flagged as it is typed, before anything is sent: a warning (not an error), with a one-click fix.
    await box.fill(keySandbox.endpoints.sseUrl);
    await page.locator('.quick-input-message', { hasText: 'legacy SSE endpoint' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator(`${QUICK_INPUT} .monaco-inputbox.warning`).count(), 1, 'the SSE URL is a warning');
    assert.equal(await page.locator(`${QUICK_INPUT} .monaco-inputbox.error`).count(), 0, 'the SSE URL is not an error');
    // Enter probes it: the gateway's 404 joins the SSE warning at this step.
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'APIM has no API at this legacy SSE endpoint (it answered 404)' }).waitFor({ state: 'visible', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-wizard-sse-flagged');
    const useMcp = `Use ${keySandbox.endpoints.mcpUrl}`;
    await page.locator(`${QUICK_INPUT} .quick-input-titlebar a[aria-label="${useMcp}"], ${QUICK_INPUT} .quick-input-titlebar a[title="${useMcp}"]`).first().click();
    await waitFor('the URL rewritten to /mcp', 10_000, async () => ((await box.inputValue()) === keySandbox.endpoints.mcpUrl ? true : undefined));
    assert.equal(await page.locator(`${QUICK_INPUT} .monaco-inputbox.warning`).count(), 0, 'no warning for the /mcp URL');
    await page.keyboard.press('Enter');
    counters.push(await counterAt(page, 'A name for the server'));
    await answer(page, 'A name for the server', KEY_SERVER);
    counters.push(await counterAt(page, 'How does the gateway authenticate'));
    const auth = await choose(page, 'How does the gateway authenticate', /Subscription key/);
    assert.match(auth, /Detected/);
    // Where it goes comes first: this extension keeps the key only for its own target (an mcp.json's key is VS Code's).
    await page.locator(`${QUICK_INPUT} input[placeholder*="Where should"]`).waitFor({ state: 'visible', timeout: 15_000 });
    counters.push(await counterAt(page, 'Where should'));
    await suite.workbench.screenshot('e2e-wizard-targets');
    await suite.workbench.crop('wizard-targets', page.locator(QUICK_INPUT));
    // K2: VS Code lists a root .mcp.json too and sends its ${VAR} unexpanded; the choice says so before it is picked.
    const dotMcpJson = await page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: 'Workspace root .mcp.json' }).innerText();
    assert.match(dotMcpJson, /VS Code also lists this file but sends \w+ unexpanded, so it fails there/);
    await choose(page, 'Where should', /managed by APIM MCP/);
    const key = await quickInputFor(page, `Subscription key for ${KEY_SERVER}`);
    counters.push(await counterAt(page, `Subscription key for ${KEY_SERVER}`));
    // 18.6: the counter goes one by one, and shows a total only once no answer can change it (it went 1/4, 4/5,
    // 5/5; then 1/5, 2/8 when detection found Entra). Until the target is chosen this key could still go to an mcp.json.
    assert.deepEqual(counters, ['1', '2', '3', '4', '5/5']);
    assert.equal(await key.getAttribute('type'), 'password');
    await key.fill(`wrong-${CANARY_KEY}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-message', { hasText: 'APIM rejected this key' }).waitFor({ state: 'visible', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-wizard-key-rejected');
    keySandbox.clearRequests();
    await page.locator(`${QUICK_INPUT} .quick-input-box input[type="password"]`).fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await notification(page, `${KEY_SERVER} is connected`).waitFor({ state: 'visible', timeout: 60_000 });
    await suite.workbench.screenshot('e2e-wizard-key-connected');
    assert.ok(keySandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid'));
    const listed = await toolsListed(suite.workbench, KEY_SERVER, 'e2e-wizard-key-tools', 'tools-listed');
    for (const tool of ['listProducts', 'getProduct', 'searchProducts']) assert.match(listed, new RegExp(tool));
    assert.ok(!(await page.content()).includes(CANARY_KEY), 'the key must not be in the page');
  });

  it('Entra server: the PRM fills tenant and scope, sign-in goes through the auth provider, and VS Code lists the tools', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    await answer(page, 'The MCP endpoint', entraSandbox.endpoints.mcpUrl);
    await answer(page, 'A name for the server', ENTRA_SERVER);
    const auth = await choose(page, 'How does the gateway authenticate', /Microsoft Entra ID/);
    assert.match(auth, /Detected/);
    await choose(page, 'Where should', /managed by APIM MCP/);
    const tenant = await quickInputFor(page, 'Entra tenant (from the server');
    assert.equal(await counterAt(page, 'Entra tenant (from the server'), '5/8', 'the total appears once the target settles the route');
    assert.equal(await tenant.inputValue(), entraSandbox.endpoints.tenantId);
    await suite.workbench.screenshot('e2e-wizard-entra-tenant');
    await page.keyboard.press('Enter');
    const scope = await quickInputFor(page, 'API scope (from the protected-resource metadata)');
    assert.match(await scope.inputValue(), /user_impersonate$/);
    await page.keyboard.press('Enter');
    // 18.5: code-server is VS Code for the browser, where a browser sign-in cannot come back: device code is suggested.
    assert.equal(await counterAt(page, 'How should APIM MCP sign in'), '7/8');
    assert.match(await focusedRow(page), /Device code[\s\S]*Recommended in VS Code for the browser/);
    await suite.workbench.screenshot('e2e-wizard-entra-device-code-suggested');
    // This test signs in through the sandbox's VS Code auth provider, so it takes the other choice.
    await choose(page, 'How should APIM MCP sign in', /VS Code's Microsoft sign-in/);
    entraSandbox.clearRequests();
    assert.equal(await counterAt(page, 'your own app registration'), '8/8');
    await answer(page, 'your own app registration', '');
    // VS Code asks before an extension signs in with a provider.
    const allow = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Allow$/ });
    await allow.waitFor({ state: 'visible', timeout: 30_000 });
    await suite.workbench.screenshot('e2e-wizard-entra-consent');
    const entraSignIn = expectEntraSignIn(suite.workbench, entraSandbox.endpoints.entra, suite.server.url, 'e2e-wizard-entra-sign-in-page');
    await allow.click();
    await entraSignIn.signIn(USER);
    // 16.2: before the first token goes to the gateway, the person is asked once for this origin.
    const question = page.locator('.monaco-dialog-box', { hasText: `Send your Microsoft Entra ID tokens to ${new URL(entraSandbox.endpoints.mcpUrl).origin}?` });
    await question.waitFor({ state: 'visible', timeout: 60_000 });
    await suite.workbench.screenshot('e2e-wizard-entra-token-origin');
    await question.locator('.monaco-button', { hasText: /^Send Tokens$/ }).click();
    await notification(page, `${ENTRA_SERVER} is connected`).waitFor({ state: 'visible', timeout: 60_000 });
    await suite.workbench.screenshot('e2e-wizard-entra-connected');
    await waitFor('tools/list with a valid token', 30_000, () =>
      entraSandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);
    const listed = await toolsListed(suite.workbench, ENTRA_SERVER, 'e2e-wizard-entra-tools');
    assert.match(listed, /listProducts/);
  });

  it('18.5 Entra ID chosen for a gateway that asked for a key: a warning at the auth step, and one Enter switches to the key route', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    await answer(page, 'The MCP endpoint', keySandbox.endpoints.mcpUrl);
    await answer(page, 'A name for the server', 'Products (Entra on a key gateway)');
    await choose(page, 'How does the gateway authenticate', /Microsoft Entra ID/);
    const warning = page.locator(`${QUICK_INPUT} input[placeholder*="Warning: a subscription key was detected"]`);
    await warning.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await counterAt(page, 'Warning: a subscription key was detected'), '3', 'the auth step shows no total: the answer changes the route');
    const rows = await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).allInnerTexts();
    assert.match(rows[0], /Switch to: Subscription key[\s\S]*Recommended[\s\S]*Ocp-Apim-Subscription-Key/);
    assert.match(rows[1], /Keep: Microsoft Entra ID/);
    await suite.workbench.screenshot('e2e-wizard-key-detected-entra-chosen');
    await page.keyboard.press('Enter');
    // The key route: the target step speaks of the key; where the key goes decides whether a key step follows.
    assert.equal(await counterAt(page, 'Where should'), '4');
    assert.match(await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).first().innerText(), /key stays in VS Code's secret storage/);
    await page.keyboard.press('Escape');
  });

  it('canary: the key is in no file under the user data, workspace or extension folders, logs at trace level included', () => {
    const files = [suite.server.userDataDir, suite.server.workspace, suite.server.extensionsDir].flatMap(filesUnder);
    const logs = files.filter((f) => f.startsWith(join(suite.server.userDataDir, 'logs')));
    assert.ok(logs.length > 0, 'no VS Code logs were written');
    const ours = logs.filter((f) => /APIM MCP|apim-mcp/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(ours, /\[trace\] \[addServer\]/, 'the extension log was not at trace level');
    const leaks = files.filter((f) => readFileSync(f).includes(CANARY_KEY));
    assert.deepEqual(leaks, []);
  });
});
