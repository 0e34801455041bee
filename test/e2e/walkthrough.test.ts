import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workbenchSuite } from '../harness/workbenchSuite';
import { quickInputFor, runCommand } from './workbench';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../harness/processes';

/** Whether the walkthrough shows a step as done: VS Code's checkbox for the step, by the step's id. */
async function stepChecked(page: Page, step: string): Promise<boolean> {
  return (await page.locator(`[data-done-step-id$="#${step}"]`).first().getAttribute('aria-checked')) === 'true';
}

const POLICY = 'gotchas.mcp.policy.xml';
const STEPS = ['Add a server', 'Set the subscription key', 'Start the server', 'Diagnose a failure', 'Lint your APIM policies'];

describe('Getting Started walkthrough, from the packaged .vsix', () => {
  const suite = workbenchSuite(() => ({
    label: 'e2e-walkthrough',
    workspaceFiles: { [`policies/${POLICY}`]: readFileSync(join(__dirname, '..', 'fixtures', 'policies', POLICY), 'utf8') },
  }));

  it('is listed by Welcome: Open Walkthrough and shows its five steps', async () => {
    const { page } = suite;
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Getting Started with APIM MCP' }).first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    await entry.click();
    for (const title of STEPS) await page.getByText(title, { exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await suite.workbench.screenshot('e2e-walkthrough');
  });

  it("starts the add-server wizard from the first step's button", async () => {
    const { page } = suite;
    await page.getByRole('button', { name: 'Add Secured MCP Server' }).first().click();
    const input = await quickInputFor(page, 'Add Secured MCP Server');
    assert.ok(await input.isVisible());
    await page.keyboard.press('Escape');
  });

  it('18.7 a cancelled step stays unticked; a step done from elsewhere (a policy file linted) is ticked', async () => {
    const { page } = suite;
    // The previous test pressed the first step's button and cancelled the wizard.
    await page.locator('[data-done-step-id$="#addServer"]').first().waitFor({ state: 'attached', timeout: 15_000 });
    assert.equal(await stepChecked(page, 'addServer'), false, 'a cancelled wizard does not tick "Add a server"');
    assert.equal(await stepChecked(page, 'policies'), false);

    // Opening a policy file from Go to File lints it: the policy step is ticked without its button.
    await runCommand(page, 'Go to File...');
    await page.keyboard.type(POLICY);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: POLICY }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await page.locator('.tabs-container .tab', { hasText: /Welcome|Walkthrough|Getting Started/ }).first().click();
    await waitFor('the policy step ticked', 30_000, async () => ((await stepChecked(page, 'policies')) ? true : undefined));
    assert.equal(await stepChecked(page, 'addServer'), false);
    await suite.workbench.screenshot('e2e-walkthrough-progress');
  });
});
