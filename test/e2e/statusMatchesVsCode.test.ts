import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Workbench } from '../harness/browser';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox } from '../sandbox/index';
import { choose, clickServerAction, findNotification, mcpListServers, runCommand, serverRow, setKeyThroughPasswordBox } from './workbench';

const SERVER = 'Products (settings)';
const FILE_SERVER = 'Products (mcp.json)';
const CANARY_KEY = `canary-status-${randomUUID()}`;

/** The row of MCP: List Servers for `name`, polled until `accept` holds (VS Code updates its list as servers change). */
async function listRow(workbench: Workbench, name: string, accept: RegExp, shot: string): Promise<string> {
  return waitFor(`MCP: List Servers shows ${name} as ${accept}`, 30_000, async () => {
    const row = (await mcpListServers(workbench, shot)).find((r) => r.includes(name));
    return row && accept.test(row) ? row : undefined;
  });
}

async function setKeyAndStart(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  await setKeyThroughPasswordBox(page, SERVER, CANARY_KEY);
  const row = await clickServerAction(page, SERVER, 'play');
  await row.locator('.codicon-pass').waitFor({ state: 'visible', timeout: 30_000 });
}

describe("Servers view status matches VS Code's own list: after Forget Secrets and after a reload", () => {
  const suite = workbenchSuite(async ({ stopAfter }) => {
    const sandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] }));
    const mcpJson = {
      servers: { [FILE_SERVER]: { type: 'http', url: sandbox.endpoints.mcpUrl, headers: { 'Ocp-Apim-Subscription-Key': '${input:file-key}' } } },
      inputs: [{ type: 'promptString', id: 'file-key', description: 'key', password: true }],
    };
    return {
      label: 'e2e-status',
      userSettings: { 'apimMcp.servers': [{ name: SERVER, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }] },
      userFiles: { 'mcp.json': JSON.stringify(mcpJson, null, 2) },
    };
  });

  it('a started server is green and Running; after Forget Secrets the view and VS Code both say it is not running', async () => {
    const { page } = suite;
    await setKeyAndStart(suite.workbench);
    await listRow(suite.workbench, SERVER, /Running/, 'e2e-status-list-running');
    await serverRow(page, FILE_SERVER).locator('.codicon-vscode').waitFor({ state: 'visible', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-status-view-running');

    await runCommand(page, 'APIM MCP: Forget Secrets');
    await choose(page, undefined, SERVER);
    // 18.8: Forget Secrets asks first.
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Forget Key$/ }).click();
    await (await findNotification(page, `subscription key for ${SERVER} is deleted`)).waitFor({ state: 'visible' });
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, SERVER).locator('.codicon-circle-large-outline').waitFor({ state: 'visible', timeout: 15_000 });
    const row = await listRow(suite.workbench, SERVER, /Stopped/, 'e2e-status-list-forgotten');
    assert.doesNotMatch(row, /Running/);
    await suite.workbench.screenshot('e2e-status-view-forgotten');
  });

  it('after a reload VS Code lists the servers as stopped, and the view shows "not started" and "managed by VS Code", not green', async () => {
    const { page } = suite;
    await setKeyAndStart(suite.workbench);
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, SERVER).locator('.codicon-circle-large-outline').waitFor({ state: 'visible', timeout: 30_000 });
    await serverRow(page, FILE_SERVER).locator('.codicon-vscode').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator('.pane-body .monaco-list-row .codicon-pass').count(), 0, 'no green tick after a reload');
    await suite.workbench.screenshot('e2e-status-view-reloaded');
    await listRow(suite.workbench, SERVER, /Stopped/, 'e2e-status-list-reloaded');
    await listRow(suite.workbench, FILE_SERVER, /Stopped/, 'e2e-status-list-reloaded');
  });
});
