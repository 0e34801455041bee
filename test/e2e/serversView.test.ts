import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { actUntilShown, choose, clickServerAction, findNotification, notification, quickInputFor, runCommand, serverRow, toolsListed, QUICK_INPUT } from './workbench';

const SERVER = 'Products (sandbox)';
const CANARY_KEY = `canary-e2e-${randomUUID()}`;

describe('Servers view: a person adds the key and starts the sandbox server', () => {
  let sandbox: Sandbox;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] }));
    return { label: 'e2e-servers', userSettings: { 'apimMcp.servers': [{ name: SERVER, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }] } };
  });

  it('shows the server in the APIM MCP view with its auth kind and unknown status', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    const row = serverRow(page, SERVER);
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await row.innerText(), /subscription key/);
    assert.equal(await row.locator('.codicon-circle-large-outline').count(), 1);
    await suite.workbench.screenshot('e2e-servers-view');
  });

  it('18.8 shows the key header in the row tooltip as it is spelled, not as escaped Markdown', async () => {
    const { page } = suite;
    const row = serverRow(page, SERVER);
    const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'Auth' }).first();
    // A hover can be swallowed while the view re-renders under load: point away and back until it shows.
    await waitFor('the row tooltip', 30_000, async () => {
      await page.mouse.move(0, 0);
      await row.hover();
      return hover.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => undefined);
    });
    const text = await hover.innerText();
    await suite.workbench.screenshot('e2e-servers-tooltip');
    assert.match(text, /\(Ocp-Apim-Subscription-Key\)/);
    assert.ok(!text.includes('\\'), `the tooltip shows a backslash: ${text}`);
    await page.keyboard.press('Escape');
  });

  it('15.2 takes the key in a password box, refuses a wrong key APIM answers with its key challenge, and keeps it out of the screen', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Set/Rotate Subscription Key');
    const input = await quickInputFor(page, `Subscription key for ${SERVER}`);
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill(`wrong-${CANARY_KEY}`);
    await page.keyboard.press('Enter');
    const message = page.locator('.quick-input-message', { hasText: 'APIM rejected this key' });
    await message.waitFor({ state: 'visible', timeout: 15_000 });
    const refused = sandbox.requests().filter((r) => r.outcome === 'keyInvalid');
    assert.ok(refused.length > 0 && sandbox.scenario.gateway.subscription.challengeOnInvalidKey, 'the gateway answered the wrong key with the invalid-key 401 and its key challenge');
    await suite.workbench.screenshot('e2e-key-rejected');
    // The walkthrough's Set Key image: the password box with APIM's verdict on a wrong key (18.7).
    await suite.workbench.crop('set-key', page.locator(QUICK_INPUT));
    await input.fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await notification(page, `subscription key saved for ${SERVER}`).waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(!(await page.content()).includes(CANARY_KEY), 'the key must not be in the page');
  });

  it('starts the server through VS Code\'s MCP client and turns healthy with the tools listed', async () => {
    const { page } = suite;
    sandbox.clearRequests();
    const row = await clickServerAction(page, SERVER, 'play');
    await waitFor('tools/list at the gateway', 30_000, () =>
      sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid') ? true : undefined);
    await row.locator('.codicon-pass').waitFor({ state: 'visible', timeout: 15_000 });
    // 18.8: Start says what happened.
    await findNotification(page, `${SERVER} started. Its tools are available in Chat.`);
    await suite.workbench.screenshot('e2e-start-message');
    await runCommand(page, 'MCP: List Servers');
    const mcpRow = page.locator('.quick-input-list .monaco-list-row', { hasText: SERVER }).first();
    await mcpRow.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await mcpRow.innerText(), /Running/);
    await suite.workbench.screenshot('e2e-mcp-list-servers');
    const listed = await toolsListed(suite.workbench, SERVER, 'e2e-tools-listed');
    for (const tool of ['listProducts', 'getProduct', 'searchProducts']) assert.match(listed, new RegExp(tool));
  });

  it('18.8 Forget Secrets asks first: Cancel keeps the key, Forget Key deletes it; Remove names the stored key', async () => {
    const { page } = suite;
    const dialog = page.locator('.monaco-dialog-box');
    const forgetFromView = async () => {
      // The menu is opened only when it is closed: under load it can take the click while still laid out, and stay open.
      const item = page.locator('.context-view .action-item', { hasText: /^Forget Secrets$/ });
      await actUntilShown('the Forget Secrets confirmation', dialog, async () => {
        if (!(await item.isVisible())) await serverRow(page, SERVER).click({ button: 'right' });
        await item.hover({ timeout: 5_000 });
        await item.click({ timeout: 5_000 });
      }, 45_000);
      assert.match(await dialog.locator('.dialog-message-container').innerText(), new RegExp(`Forget the subscription key stored for ${SERVER.replace(/[()]/g, '\\$&')}\\?`));
    };
    await forgetFromView();
    await suite.workbench.screenshot('e2e-forget-secrets-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });

    // The key survived the Cancel: the dialog comes again (this time from the palette), and the key goes.
    await runCommand(page, 'APIM MCP: Forget Secrets');
    await choose(page, 'Choose a server', SERVER);
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await dialog.locator('.dialog-message-container').innerText(), /Forget the subscription key stored for/);
    await dialog.locator('.monaco-button', { hasText: /^Forget Key$/ }).click();
    await findNotification(page, `the subscription key for ${SERVER} is deleted from secret storage`);

    // Remove says what it deletes: with no key stored any more, no key is mentioned.
    await runCommand(page, 'APIM MCP: Remove Server');
    await choose(page, 'Choose a server', SERVER);
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const question = await dialog.locator('.dialog-message-container').innerText();
    assert.match(question, /Remove Products \(sandbox\) from .*\?/);
    assert.doesNotMatch(question, /subscription key|Entra/);
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
  });
});
