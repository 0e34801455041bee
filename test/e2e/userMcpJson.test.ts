import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { answer, choose, QUICK_INPUT, diagnoseFromTree, editUserSettings, filesUnder, findNotification, mcpListServers, notification, quickInputFor, runCommand, serverRow, toolsListed } from './workbench';

const SERVER = 'Products (user mcp.json)';
const CANARY_KEY = `canary-user-mcp-${randomUUID()}`;
/** A user mcp.json someone already has: another server with its own input, and a comment. */
const EXISTING = '{\n\t// my own servers\n\t"servers": {\n\t\t"docs": { "type": "http", "url": "http://127.0.0.1:9/mcp", "headers": { "X-Token": "${input:docs-token}" } }\n\t},\n\t"inputs": [\n\t\t{ "type": "promptString", "id": "docs-token", "description": "docs token", "password": true }\n\t]\n}\n';

describe('User mcp.json: a person adds a server there, VS Code starts it at once, and Remove takes it out of VS Code', () => {
  let sandbox: Sandbox;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] }));
    return { label: 'e2e-user-mcp', userFiles: { 'mcp.json': EXISTING } };
  });
  const userMcpJson = () => join(suite.server.userDataDir, 'User', 'mcp.json');

  before(async () => {
    // A settings change made in VS Code: VS Code has read its whole user configuration by now, as in a session in use.
    await editUserSettings(suite.page, suite.server.userDataDir, { 'editor.minimap.enabled': false });
  });

  it('the wizard asks for no key, says once that VS Code asks for it, and VS Code starts the server and lists its tools without a reload', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    await answer(page, 'The MCP endpoint', sandbox.endpoints.mcpUrl);
    await answer(page, 'A name for the server', SERVER);
    assert.match(await choose(page, 'How does the gateway authenticate', /Subscription key/), /Detected/);
    const target = await choose(page, 'Where should', /User mcp\.json/);
    assert.match(target, /VS Code asks for the key when it starts the server/);
    sandbox.clearRequests();
    // No key step in the wizard: the next password box is VS Code's own, announced once by the extension.
    await notification(page, `VS Code keeps the key of ${SERVER} in its own secret storage and asks for it now`).waitFor({ state: 'visible', timeout: 30_000 });
    const prompt = await quickInputFor(page, `APIM subscription key for ${SERVER}`);
    assert.equal(await prompt.getAttribute('type'), 'password');
    await suite.workbench.screenshot('e2e-user-mcp-vscode-asks-key');
    await prompt.fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await (await findNotification(page, `${SERVER} is running in VS Code with 6 tool(s)`, 60_000)).waitFor({ state: 'visible' });
    await suite.workbench.screenshot('e2e-user-mcp-running');
    assert.ok(sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid'), 'VS Code listed the tools with the key');

    const listed = await mcpListServers(suite.workbench, 'e2e-user-mcp-list-running');
    assert.ok(listed.some((row) => row.includes(SERVER) && /Running/.test(row)), listed.join(' | '));
    const tools = await toolsListed(suite.workbench, SERVER, 'e2e-user-mcp-tools');
    for (const tool of ['listProducts', 'getProduct', 'searchProducts']) assert.match(tools, new RegExp(tool));

    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, SERVER).locator('.codicon-pass').waitFor({ state: 'visible', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-user-mcp-servers-view');
    const file = readFileSync(userMcpJson(), 'utf8');
    assert.ok(file.startsWith('{\n\t// my own servers'), 'the existing content is kept');
    assert.ok(!filesUnder(suite.server.userDataDir).some((f) => readFileSync(f).includes(CANARY_KEY)), 'the key is in no file under the user data');
  });

  it('Diagnose on the running server: no error verdict without the key VS Code keeps; with the key typed once, the full diagnosis', async () => {
    const { page } = suite;
    const frame = await diagnoseFromTree(suite.workbench, SERVER);
    await frame.locator('section.notes', { hasText: 'which VS Code keeps to itself' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await frame.locator('article.finding.severity-error').count(), 0, 'no error verdict from a probe without the key');
    await frame.locator('article.finding.severity-info[data-finding="apim.key.missing"]').waitFor({ state: 'visible' });
    await suite.workbench.screenshot('e2e-user-mcp-diagnose-keyless');
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, SERVER).locator('.codicon-pass').waitFor({ state: 'visible', timeout: 15_000 });

    sandbox.clearRequests();
    await frame.getByRole('button', { name: 'Diagnose with the Key…' }).click();
    const box = await quickInputFor(page, `Subscription key for ${SERVER}`);
    // 18.2: the box says the key is used for this run only and kept nowhere, and where it goes; it is a password box.
    assert.equal(await box.getAttribute('type'), 'password');
    assert.equal(await page.locator(`${QUICK_INPUT} .quick-input-title`).innerText(), `Subscription key for ${SERVER}: this diagnosis only, not stored`);
    const origin = new URL(sandbox.endpoints.mcpUrl).origin;
    // VS Code adds "(Press 'Enter' to confirm or 'Escape' to cancel)" after the prompt.
    const prompt = await page.locator(`${QUICK_INPUT} .quick-input-message`).innerText();
    const expected = `Type the key VS Code keeps for this server. It is sent as the Ocp-Apim-Subscription-Key header to ${origin} only, for this run, and is never stored or shown.`;
    assert.ok(prompt.startsWith(expected), prompt);
    await suite.workbench.screenshot('e2e-user-mcp-diagnose-with-key-box');
    await box.fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await frame.locator('p.healthy').waitFor({ state: 'visible', timeout: 60_000 });
    await frame.locator('section.notes', { hasText: 'This run used the key typed for it; it was not stored.' }).waitFor({ state: 'visible' });
    await suite.workbench.screenshot('e2e-user-mcp-diagnose-with-key');
    assert.ok(sandbox.requests().some((r) => r.status === 200 && r.keyStatus === 'valid'), 'the typed key reached the gateway');
    assert.ok(!filesUnder(suite.server.userDataDir).some((f) => readFileSync(f).includes(CANARY_KEY)), 'the typed key was stored nowhere');
    await runCommand(page, 'View: Close All Editors');
  });

  it('Remove Server takes the server out of VS Code: MCP: List Servers no longer shows it, and the file is as it was', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Remove Server');
    await choose(page, undefined, SERVER);
    const remove = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Remove$/ });
    await remove.waitFor({ state: 'visible', timeout: 15_000 });
    await remove.click();
    await (await findNotification(page, `${SERVER} removed from User mcp.json`)).waitFor({ state: 'visible' });
    assert.equal(readFileSync(userMcpJson(), 'utf8'), EXISTING);
    const rows = await waitFor('MCP: List Servers without the removed server', 30_000, async () => {
      const listed = await mcpListServers(suite.workbench, 'e2e-user-mcp-list-removed');
      return listed.some((row) => row.includes(SERVER)) ? undefined : listed;
    });
    assert.ok(rows.some((row) => row.includes('docs')), `the other server stays: ${rows.join(' | ')}`);
  });
});
