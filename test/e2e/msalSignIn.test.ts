import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { trustCaEnv } from '../harness/trust';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import type { Sandbox } from '../sandbox/index';
import { API_SCOPE, PUBLIC_CLIENT_ID } from '../unit/auth/entraScenario';
import { DEVICE_CODE_TEXT, enterDeviceCode, startDeviceCodeSandbox } from './deviceCodeSignIn';
import { clickServerAction, editUserSettings, findNotification, readClipboard, removeServerFromPalette, runCommand } from './workbench';

/**
 * msal-node sign-in (issue 4) as a person in a browser-hosted VS Code goes through it. Device code: start the
 * server, read the code in the notification, press Copy Code, open the verification page, paste the code. Real
 * msal-node in the extension host polls the sandbox's Entra emulator, which approves only once the code was entered
 * there, and VS Code's MCP client then lists the tools with the token. Then Sign Out and Copy Code & Open Browser,
 * Switch Account, and a loopback sign-in whose browser never comes back, cancelled from its progress notification.
 */
const SERVER = 'Products (device code)';

describe('msal-node sign-in in VS Code: device code with Copy buttons, Switch Account, and a loopback sign-in that can be cancelled', () => {
  let sandbox: Sandbox;
  /** The server's record in user settings. */
  let record: Record<string, unknown>;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startDeviceCodeSandbox());
    const { mcpUrl, tenantId, entra, caCertPath } = sandbox.endpoints;
    record = { name: SERVER, url: mcpUrl, auth: 'entra', tenant: tenantId, scopes: [API_SCOPE], clientId: PUBLIC_CLIENT_ID };
    return {
      label: 'e2e-msal-sign-in',
      clipboard: true,
      userSettings: {
        'apimMcp.entra.signInMethod': 'deviceCode',
        'apimMcp.entra.authorityHost': entra,
        // The one-time "send tokens to this address?" question (16.2) is answered in the canary suite.
        'apimMcp.entra.allowedTokenOrigins': [new URL(mcpUrl).origin],
        'apimMcp.servers': [record],
      },
      // msal-node in the extension host trusts the Entra emulator's throwaway CA, as it would trust login.microsoftonline.com.
      env: trustCaEnv(caCertPath),
    };
  });
  /** The person's own browser, where they open the verification page (it trusts nothing of the sandbox's CA). */
  let ownBrowser: BrowserContext;
  before(async () => {
    ownBrowser = await suite.workbench.browser.newContext({ ignoreHTTPSErrors: true });
    suite.teardown.atTeardown(() => ownBrowser.close());
  });

  const clipboard = () => readClipboard(suite.page);

  /** Waits for the device code notification and returns it with the verification URL and code it shows. */
  const deviceCodeNotification = async () => {
    const toast = await findNotification(suite.page, DEVICE_CODE_TEXT, 60_000);
    const [, verificationUri, userCode] = DEVICE_CODE_TEXT.exec(await toast.innerText()) ?? [];
    assert.ok(verificationUri && userCode, 'the notification shows no verification URL and code');
    return { toast, verificationUri, userCode };
  };

  /** Enters the code at the verification page, as the person does in their browser. */
  const enterCode = (verificationUri: string, code: string, shot: string) => enterDeviceCode(ownBrowser, verificationUri, code, shot);

  /** VS Code may ask before opening a site that is not a trusted domain; the person agrees. */
  const agreeToOpenSite = async () => {
    const open = suite.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    if (await open.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) await open.click();
  };

  const signOut = async () => {
    await runCommand(suite.page, 'APIM MCP: Sign Out of Entra ID');
    await findNotification(suite.page, `signed out of ${SERVER}; its cached tokens are deleted`);
  };

  const toolsListedWithToken = (since: number) =>
    waitFor('tools/list with the device code token', 60_000, () =>
      sandbox.requests().some((r) => r.at >= since && r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);

  it('Copy Code puts the code shown in the notification on the clipboard; entering it starts the server', async () => {
    const { page } = suite;
    const startedAt = Date.now();
    const row = await clickServerAction(page, SERVER, 'play');

    const { toast, verificationUri, userCode } = await deviceCodeNotification();
    assert.equal(new URL(verificationUri).origin, sandbox.endpoints.entra, 'the verification page is the authority MSAL was given');
    for (const button of ['Copy Code', 'Copy Code & Open Browser']) assert.ok(await toast.getByRole('button', { name: button, exact: true }).isVisible(), `no ${button} button`);
    // The toast slides in; the screenshot waits for it to settle so a person can read it.
    await page.waitForTimeout(1000);
    await suite.workbench.screenshot('e2e-device-code-notification');
    // Still waiting: nothing reached the MCP endpoint with a token before the code was entered.
    assert.ok(!sandbox.requests().some((r) => r.at >= startedAt && r.authorization === 'valid'));

    await toast.getByRole('button', { name: 'Copy Code', exact: true }).click();
    await waitFor('the code on the clipboard', 10_000, async () => ((await clipboard()) === userCode ? true : undefined));
    await enterCode(verificationUri, await clipboard(), 'e2e-device-code-entered');

    await toolsListedWithToken(startedAt);
    await row.locator('.codicon-pass').waitFor({ state: 'visible', timeout: 30_000 });
    await suite.workbench.screenshot('e2e-device-code-started');
    await waitFor('the copy in the log', 15_000, () => (/\[deviceCode\] user code copied to the clipboard/.test(suite.extensionLog()) ? true : undefined));
  });

  it('after Sign Out, Copy Code & Open Browser copies the code and opens the verification page', async () => {
    const { page } = suite;
    await signOut();
    await runCommand(page, 'Notifications: Clear All Notifications');

    const startedAt = Date.now();
    await clickServerAction(page, SERVER, 'play');
    const { toast, verificationUri, userCode } = await deviceCodeNotification();
    const popup = page.context().waitForEvent('page', { timeout: 30_000 });
    await toast.getByRole('button', { name: 'Copy Code & Open Browser' }).click();
    await agreeToOpenSite();
    const opened = await popup;
    // code-server forwards a localhost URL through its port proxy, as VS Code does for every openExternal of a
    // localhost address (asExternalUri); a real verification URI (microsoft.com/devicelogin) opens as it is.
    const forwarded = `${new URL(suite.server.url).origin}/proxy/${new URL(verificationUri).port}/devicelogin`;
    await waitFor('the verification page to open', 15_000, () => ([verificationUri, forwarded].includes(opened.url()) ? true : undefined)).catch((e: Error) => {
      throw new Error(`${e.message}; the new page shows ${opened.url()}`);
    });
    await opened.close();
    assert.equal(await clipboard(), userCode);

    await enterCode(verificationUri, userCode, 'e2e-device-code-entered-again');
    await toolsListedWithToken(startedAt);
  });

  it('Switch Account signs in again with a new device code and restarts the server with the new token', async () => {
    const { page } = suite;
    await runCommand(page, 'Notifications: Clear All Notifications');
    const startedAt = Date.now();
    await runCommand(page, 'APIM MCP: Switch Entra ID Account');
    const { verificationUri, userCode } = await deviceCodeNotification();
    await enterCode(verificationUri, userCode, 'e2e-device-code-switch-account');
    await findNotification(page, `${SERVER} now uses alex@contoso.onmicrosoft.com`);
    await toolsListedWithToken(startedAt);
  });

  it('16.10 Remove Server deletes the cached sign-in (refresh token included): the server added again asks for a new device code', async () => {
    const { page } = suite;
    await runCommand(page, 'Notifications: Clear All Notifications');
    await removeServerFromPalette(page, SERVER, async (dialog) => {
      assert.match(await dialog.locator('.dialog-message-container').innerText(), /Its stored Entra ID secrets \(client secret, cached tokens\) are deleted too\./);
      await suite.workbench.screenshot('e2e-remove-entra-server');
    });
    // The same server is added again: a cache left behind would start it silently with the old refresh token.
    await editUserSettings(page, suite.server.userDataDir, { 'apimMcp.servers': [record] });
    const startedAt = Date.now();
    await clickServerAction(page, SERVER, 'play');
    const { verificationUri, userCode } = await deviceCodeNotification();
    await enterCode(verificationUri, userCode, 'e2e-device-code-after-remove');
    await toolsListedWithToken(startedAt);
  });

  it('loopback: while the browser sign-in is open a progress notification waits, and its Cancel ends the sign-in', async () => {
    const { page } = suite;
    await signOut();
    await editUserSettings(page, suite.server.userDataDir, { 'apimMcp.entra.signInMethod': 'loopback' });
    await waitFor('the loopback method in use', 30_000, () => (/\[settings\] Entra sign-in now through msal-node loopback/.test(suite.extensionLog()) ? true : undefined));
    await runCommand(page, 'Notifications: Clear All Notifications');

    // The browser tab opened for the sign-in is closed by the person without signing in.
    page.context().once('page', (tab) => void tab.close());
    await clickServerAction(page, SERVER, 'play');
    await agreeToOpenSite();
    const waiting = await findNotification(page, 'finish signing in to Microsoft Entra ID in your browser');
    await page.waitForTimeout(1000);
    await suite.workbench.screenshot('e2e-loopback-waiting');
    await waiting.getByRole('button', { name: 'Cancel' }).click();
    await waitFor('the cancelled sign-in in the log', 15_000, () => (/\[msal\] loopback sign-in cancelled/.test(suite.extensionLog()) ? true : undefined));
    await waiting.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('canary: no token text in the extension log, the server log or the settings', () => {
    const tokens = sandbox.issuedTokens();
    assert.ok(tokens.length >= 3, 'the device code flow issued too few tokens');
    const texts = [
      { what: 'the extension log', text: suite.extensionLog() },
      { what: 'the code-server log', text: suite.server.logs() },
      { what: 'the settings', text: readFileSync(join(suite.server.userDataDir, 'User', 'settings.json'), 'utf8') },
    ];
    assert.match(texts[0]!.text, /\[msal\] token from device code/);
    for (const token of tokens) {
      const signature = token.split('.').at(-1)!;
      for (const { what, text } of texts) assert.ok(!text.includes(token) && !text.includes(signature), `token text found in ${what}`);
    }
  });
});
