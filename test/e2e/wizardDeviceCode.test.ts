import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { waitFor } from '../harness/processes';
import { trustCaEnv } from '../harness/trust';
import { workbenchSuite } from '../harness/workbenchSuite';
import type { Sandbox } from '../sandbox/index';
import { API_SCOPE, PUBLIC_CLIENT_ID } from '../unit/auth/entraScenario';
import { DEVICE_CODE_TEXT, enterDeviceCode, startDeviceCodeSandbox } from './deviceCodeSignIn';
import { answer, choose, counterAt, focusedRow, findNotification, notification, quickInputFor, runCommand, toolsListed } from './workbench';

/**
 * Issue 18.5 end to end: in VS Code for the browser (code-server), a person adds an Entra ID server with the wizard,
 * keeps the suggested sign-in method, device code, gives their app's client id, and enters the code shown in VS Code
 * on the Entra emulator's device login page in their own browser. Real msal-node in the extension host polls the
 * emulator, which approves only once the code was entered; VS Code's MCP client then lists the tools with the token.
 */
const SERVER = 'Products (wizard device code)';

describe('Add Secured MCP Server with device code: the wizard suggests it in VS Code for the browser, and the sign-in completes', () => {
  let sandbox: Sandbox;
  /** The person's own browser, where they open the device login page (it trusts nothing of the sandbox's CA). */
  let ownBrowser: BrowserContext;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startDeviceCodeSandbox());
    return {
      label: 'e2e-wizard-device-code',
      userSettings: { 'apimMcp.entra.authorityHost': sandbox.endpoints.entra },
      // msal-node in the extension host trusts the Entra emulator's throwaway CA, as it would trust login.microsoftonline.com.
      env: trustCaEnv(sandbox.endpoints.caCertPath),
    };
  });

  before(async () => {
    ownBrowser = await suite.workbench.browser.newContext({ ignoreHTTPSErrors: true });
    suite.teardown.atTeardown(() => ownBrowser.close());
  });

  it('device code is pre-selected, the client id is asked for, the code entered on the device login page signs in, and the tools are listed', async () => {
    const { page, workbench } = suite;
    const { mcpUrl, tenantId } = sandbox.endpoints;
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    await answer(page, 'The MCP endpoint', mcpUrl);
    await answer(page, 'A name for the server', SERVER);
    await choose(page, 'How does the gateway authenticate', /Microsoft Entra ID/);
    await choose(page, 'Where should', /managed by APIM MCP/);
    await answer(page, 'Entra tenant id or domain', tenantId);
    await answer(page, 'API scope, for example', API_SCOPE);
    assert.equal(await counterAt(page, 'How should APIM MCP sign in'), '7/8');
    assert.match(await focusedRow(page), /Device code[\s\S]*Recommended in VS Code for the browser/);
    // The suggestion is taken as it is: Enter on the pre-selected row.
    await page.keyboard.press('Enter');
    const clientId = await quickInputFor(page, 'device code signs in with it');
    assert.equal(await counterAt(page, 'device code signs in with it'), '8/8');
    await clientId.fill(PUBLIC_CLIENT_ID);
    const startedAt = Date.now();
    await page.keyboard.press('Enter');

    const toast = await findNotification(page, DEVICE_CODE_TEXT, 60_000);
    const [, verificationUri, userCode] = DEVICE_CODE_TEXT.exec(await toast.innerText()) ?? [];
    assert.ok(verificationUri && userCode, 'the notification shows no device login page and code');
    assert.equal(new URL(verificationUri).origin, sandbox.endpoints.entra, 'the device login page is at the authority the setting names');
    await workbench.screenshot('e2e-wizard-device-code-notification');
    assert.ok(!sandbox.requests().some((r) => r.at >= startedAt && r.authorization === 'valid'), 'no token reached the gateway before the code was entered');

    await enterDeviceCode(ownBrowser, verificationUri, userCode, 'e2e-wizard-device-code-entered');

    // 16.2: before the first token goes to the gateway, the person is asked once for this origin.
    const question = page.locator('.monaco-dialog-box', { hasText: `Send your Microsoft Entra ID tokens to ${new URL(mcpUrl).origin}?` });
    await question.waitFor({ state: 'visible', timeout: 60_000 });
    await question.locator('.monaco-button', { hasText: /^Send Tokens$/ }).click();
    await notification(page, `${SERVER} is connected`).waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor('tools/list with the device code token', 60_000, () =>
      sandbox.requests().some((r) => r.at >= startedAt && r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);
    const listed = await toolsListed(workbench, SERVER, 'e2e-wizard-device-code-tools');
    assert.match(listed, /listProducts/);
    const settings = readFileSync(join(suite.server.userDataDir, 'User', 'settings.json'), 'utf8');
    assert.match(settings, /"apimMcp\.entra\.signInMethod":\s*"deviceCode"/, 'the choice is saved as the sign-in method setting');
  });
});
