// Issue 16.1 in real VS Code, for servers defined in the folder's workspace settings (.vscode/settings.json,
// apimMcp.servers): in Restricted Mode nothing is sent for them, not even without a key. One of them takes the name of
// a server in the user's settings whose key is stored, at the same origin (a key is bound to an origin, not a path),
// so only the trust check stands between the folder and that key. The Servers view says why they are missing; once
// the person trusts the folder, they are read.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { startForwardingProxy, type ForwardedRequest } from '../harness/forwardingProxy';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { clickServerAction, diagnosticsPanel, runCommand, serverRow, trustFolder, setKeyThroughPasswordBox } from './workbench';

const STORED_KEY = `canaryStored${randomBytes(12).toString('hex')}`;
/** In the user's settings (its key stored) and, at the same origin, in the folder's settings. */
const FORECAST = 'Forecast';
/** Only in the folder's settings. */
const FOLDER_SERVER = 'Folder settings server';
const USER_MARK = 'from=user-settings';
const FOLDER_MARK = 'from=folder-settings';
const NOTICE = "2 server(s) in this folder's settings not used";

describe('16.1 Restricted Mode: servers in the folder\'s workspace settings get nothing sent, and the Servers view says why', () => {
  let sandbox: Sandbox;
  const received: ForwardedRequest[] = [];
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [STORED_KEY] }));
    const upstream = new URL(sandbox.endpoints.mcpUrl);
    const proxy = stopAfter(await startForwardingProxy(() => upstream.origin, (request) => received.push(request)));
    // The folder's servers are under /folder (the proxy forwards it as it is): every request for them starts so.
    const at = (mark: string) => `${proxy.origin}${mark === FOLDER_MARK ? '/folder' : ''}${upstream.pathname}?${mark}`;
    return {
      label: 'e2e-restricted-settings',
      restrictedMode: true,
      userSettings: { 'apimMcp.servers': [{ name: FORECAST, url: at(USER_MARK), auth: 'subscriptionKey' }] },
      workspaceFiles: {
        '.vscode/settings.json': JSON.stringify({
          'apimMcp.servers': [
            { name: FORECAST, url: at(FOLDER_MARK), auth: 'subscriptionKey' },
            { name: FOLDER_SERVER, url: at(FOLDER_MARK), auth: 'subscriptionKey' },
          ],
        }, null, 2),
      },
    };
  });
  const forFolder = () => received.filter((r) => r.url.includes(FOLDER_MARK) || r.url.startsWith('/folder'));
  const notice = () => serverRow(suite.page, NOTICE);

  it('the folder opens in Restricted Mode: the view lists the user\'s server only, with a row that says why the folder\'s are not used', async () => {
    const { page } = suite;
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor('the extension to start in Restricted Mode', 60_000, () => (/workspace trusted: false/.test(suite.extensionLog()) ? true : undefined));
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await waitFor('the count in the log', 30_000, () => (/\[servers\] Restricted Mode: 2 server\(s\) in the folder's workspace settings are not used/.test(suite.extensionLog()) ? true : undefined));
    await notice().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await notice().innerText(), /Restricted Mode/);
    assert.equal(await serverRow(page, FOLDER_SERVER).count(), 0, 'the folder-only server is listed');
    // The row's screen-reader label carries the why, as its tooltip does.
    assert.match(await notice().getAttribute('aria-label') ?? '', /This folder is not trusted \(Restricted Mode\)\..*no key or token is sent for them, until you trust the folder/);
    await suite.workbench.screenshot('e2e-restricted-settings-view');
  });

  it('the key stored for the user\'s server goes to the user\'s URL only; nothing at all is sent for the folder\'s servers', async () => {
    const { page } = suite;
    // One server with a key: the user's (with the folder's read there would be a picker of two).
    await setKeyThroughPasswordBox(page, FORECAST, STORED_KEY);

    await runCommand(page, 'View: Close All Editors');
    await clickServerAction(page, FORECAST, 'pulse');
    const frame = diagnosticsPanel(page);
    await frame.locator('p.healthy').waitFor({ state: 'visible', timeout: 60_000 });
    await suite.workbench.screenshot('e2e-restricted-settings-user-server-diagnosed');
    assert.ok(received.some((r) => r.url.includes(USER_MARK) && r.headers['ocp-apim-subscription-key'] === STORED_KEY), 'the user\'s server was diagnosed with its key at its own URL');
    assert.deepEqual(forFolder().map((r) => r.url), [], 'a request was sent for a server of the folder\'s settings');
  });

  it('trusted: the folder\'s servers are read (the test saw the file), and the row is gone', async () => {
    const { page } = suite;
    await trustFolder(suite.workbench);
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, FOLDER_SERVER).waitFor({ state: 'visible', timeout: 30_000 });
    await notice().waitFor({ state: 'hidden', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-restricted-settings-trusted');
  });
});
