import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openWorkbench, type Workbench } from '../harness/browser';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { packagedExtension } from '../harness/packages';
import { quickInputFor, runCommand } from './workbench';

const STEPS = ['Add a server', 'Set the subscription key', 'Start the server', 'Diagnose a failure', 'Lint your APIM policies'];

describe('Getting Started walkthrough, from the packaged .vsix', () => {
  let server: CodeServer;
  let workbench: Workbench;

  before(async () => {
    server = await startCodeServer({ label: 'e2e-walkthrough', extensions: [await packagedExtension()] });
    workbench = await openWorkbench(server.url);
  });

  after(async () => {
    await workbench?.close();
    await server?.stop();
  });

  it('is listed by Welcome: Open Walkthrough and shows its five steps', async () => {
    const { page } = workbench;
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Getting Started with APIM MCP' }).first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    await entry.click();
    for (const title of STEPS) await page.getByText(title, { exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.screenshot('e2e-walkthrough');
  });

  it("starts the add-server wizard from the first step's button", async () => {
    const { page } = workbench;
    await page.getByRole('button', { name: 'Add Secured MCP Server' }).first().click();
    const input = await quickInputFor(page, 'Add Secured MCP Server');
    assert.ok(await input.isVisible());
    await page.keyboard.press('Escape');
  });
});
