import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { actUntilShown, runCommand } from './workbench';

const FIXTURES = join(__dirname, '..', 'fixtures', 'policies');
const POLICY = 'gotchas.mcp.policy.xml';
const PRESERVE_MESSAGE = 'The request body is read without preserveContent: true';

describe('policy linter: a person opens a policy file, reads the problems and applies a quick fix', () => {
  const suite = workbenchSuite(() => ({
    label: 'e2e-policy',
    workspaceFiles: {
      [`policies/${POLICY}`]: readFileSync(join(FIXTURES, POLICY), 'utf8'),
      'policies/gotchas.mcp.tools.json': readFileSync(join(FIXTURES, 'gotchas.mcp.tools.json'), 'utf8'),
    },
  }));

  const problems = () => suite.page.locator('.markers-panel .monaco-list-row');

  it('shows the policy gotchas in the Problems panel', async () => {
    const { page } = suite;
    await runCommand(page, 'Go to File...');
    await page.keyboard.type(POLICY);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: POLICY }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await runCommand(page, 'Problems: Focus on Problems View');
    await problems().filter({ hasText: PRESERVE_MESSAGE }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await problems().allInnerTexts()).join('\n');
    for (const expected of ['.Let(', 'preserveContent', 'resource_metadata']) assert.ok(text.includes(expected), `Problems panel lacks "${expected}":\n${text}`);
    await suite.workbench.screenshot('e2e-policy-problems');
  });

  it('applies "Add preserveContent: true" from the light bulb and the problem goes away', async () => {
    const { page } = suite;
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'Go to Line/Column...');
    await page.keyboard.type('15:77');
    await page.keyboard.press('Enter');
    await waitFor('the cursor on the problem', 15_000, async () =>
      /Ln 15, Col 77/.test(await page.locator('.statusbar').innerText()) ? true : undefined);
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Add preserveContent: true' }).first();
    // Under load the first Ctrl+. can come before the lazily loaded linter's code actions are ready and show nothing.
    await actUntilShown('the quick fix menu', fix, () => page.keyboard.press('Control+.'));
    await suite.workbench.screenshot('e2e-policy-quick-fix');
    // Lines 11 to 21 with the menu over them: the problem in its context, as the walkthrough shows it.
    const lineNumber = (n: number) => page.locator('.monaco-editor .line-numbers').filter({ hasText: new RegExp(`^\\s*${n}\\s*$`) }).first();
    await suite.workbench.crop('policy-quick-fix', lineNumber(11), page.locator('.action-widget').first());
    await fix.click();
    await waitFor('the fix in the editor', 15_000, async () =>
      (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ').includes('Body.As<JObject>(preserveContent: true)') ? true : undefined);
    await waitFor('the problem to clear', 15_000, async () => ((await problems().filter({ hasText: PRESERVE_MESSAGE }).count()) === 0 ? true : undefined));
    await suite.workbench.screenshot('e2e-policy-fixed');
  });

  it('18.8 keeps the problems of a workspace policy file after its editor closes', async () => {
    const { page } = suite;
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+S');
    await waitFor('the file saved', 15_000, async () => ((await page.locator('.tab.dirty').count()) === 0 ? true : undefined));
    const before = (await problems().allInnerTexts()).join('\n');
    assert.ok(before.includes('.Let('), before);
    await runCommand(page, 'View: Close All Editors');
    await waitFor('VS Code to close the document', 120_000, () => (/\[policy\] policies\/gotchas\.mcp\.policy\.xml closed/.test(suite.extensionLog()) ? true : undefined));
    await runCommand(page, 'Problems: Focus on Problems View');
    await problems().filter({ hasText: '.Let(' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-policy-closed-problems-kept');
  });
});
