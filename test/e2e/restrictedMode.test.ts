// Issue 16.1 in real VS Code: a folder opened in Restricted Mode defines servers whose headers name environment
// variables and whose name matches a server with a stored key. Diagnose sends nothing secret for them and says why;
// no terminal gets a key from them. Once the person trusts the folder, only the stored key (bound to its origin) and
// APIM_MCP_KEY_* variables are used, never another variable of the extension host's environment.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { startForwardingProxy, type ForwardedRequest } from '../harness/forwardingProxy';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox } from '../sandbox/index';
import { choose, clickServerAction, diagnosticsPanel, runCommand, trustFolder, setKeyThroughPasswordBox } from './workbench';

const canary = (label: string) => `canary${label}${randomBytes(12).toString('hex')}`;
/** Stored in SecretStorage for the settings server FORECAST, bound to the gateway's origin. */
const STORED_KEY = canary('Stored');
/** A secret in the extension host's environment under a name that is not ours (as GITHUB_TOKEN would be). */
const DEPLOY_TOKEN = canary('Deploy');
/** A key in the extension host's environment under one of our names. */
const OWN_VARIABLE_KEY = canary('Own');
const CANARIES = [STORED_KEY, DEPLOY_TOKEN, OWN_VARIABLE_KEY];
const DEPLOY_VAR = 'APIM_MCP_TEST_DEPLOY_TOKEN';
const OWN_VAR = 'APIM_MCP_KEY_OWN_VARIABLE_SERVER';
/** In the user's settings with a stored key, and in the folder's .mcp.json under the same name and origin. */
const FORECAST = 'Forecast';
/** .vscode/mcp.json: the key header is ${APIM_MCP_TEST_DEPLOY_TOKEN}. */
const DEPLOY_SERVER = 'Deploy token server';
/** .mcp.json: the key header is ${APIM_MCP_KEY_OWN_VARIABLE_SERVER}. */
const OWN_SERVER = 'Own variable server';
const KEY_HEADER = 'ocp-apim-subscription-key';
const SETTINGS_MARK = 'from=settings';
const RESTRICTED_NOTE = /This folder is not trusted \(Restricted Mode\) and defines this server in .*: the diagnosis ran without any key or token/;

type Received = ForwardedRequest;

/** The gateway's address as the folder names it: forwards to the sandbox and records every request in full. */
async function startRecordingProxy(upstream: string): Promise<{ origin: string; received: Received[]; stop: () => Promise<void> }> {
  const received: Received[] = [];
  const proxy = await startForwardingProxy(() => upstream, (request) => received.push(request));
  return { origin: proxy.origin, received, stop: () => proxy.stop() };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Requests for the folder's servers (the settings server's own are marked by its URL). */
const forFolder = (received: readonly Received[]) => received.filter((r) => !r.url.includes(SETTINGS_MARK));

/** Every canary found anywhere in what the gateway received for the folder's servers. */
function canariesIn(received: readonly Received[]): string[] {
  const all = JSON.stringify(forFolder(received));
  return CANARIES.filter((c) => all.includes(c)).map((c) => c.slice(0, 12));
}

describe('16.1 Restricted Mode in real VS Code: a folder the person does not trust gets no secret sent for its servers', () => {
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    const sandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [STORED_KEY, DEPLOY_TOKEN, OWN_VARIABLE_KEY] }));
    const upstream = new URL(sandbox.endpoints.mcpUrl);
    proxy = stopAfter(await startRecordingProxy(upstream.origin));
    const mcpUrl = `${proxy.origin}${upstream.pathname}`;
    const keyed = (variable: string) => ({ type: 'http', url: mcpUrl, headers: { 'Ocp-Apim-Subscription-Key': `\${${variable}}` } });
    return {
      label: 'e2e-restricted',
      restrictedMode: true,
      userSettings: {
        // The same origin as the folder's servers (a key is bound to an origin, not a path); the query marks its
        // own requests, which carry the key legitimately when VS Code starts it.
        'apimMcp.servers': [{ name: FORECAST, url: `${mcpUrl}?${SETTINGS_MARK}`, auth: 'subscriptionKey' }],
      },
      workspaceFiles: {
        '.vscode/mcp.json': JSON.stringify({ servers: { [DEPLOY_SERVER]: keyed(DEPLOY_VAR) } }, null, 2),
        '.mcp.json': JSON.stringify({ mcpServers: { [FORECAST]: keyed('APIM_MCP_KEY_FORECAST'), [OWN_SERVER]: keyed(OWN_VAR) } }, null, 2),
      },
      env: { [DEPLOY_VAR]: DEPLOY_TOKEN, [OWN_VAR]: OWN_VARIABLE_KEY },
    };
  });

  /** Diagnoses a server picked by name and config source from the palette; waits for the run's result. */
  const diagnoseFromPalette = async (name: string, source: string): Promise<FrameLocator> => {
    const { page } = suite;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'APIM MCP: Diagnose');
    // A row's text is its label, the URL and the source, run together: "Forecasthttp://…Workspace .mcp.json".
    await choose(page, undefined, new RegExp(`^${escapeRegExp(name)}http:.*${escapeRegExp(source)}`));
    return panelFor(name);
  };

  const panelFor = async (name: string): Promise<FrameLocator> => {
    const frame = diagnosticsPanel(suite.page);
    await frame.locator('header.server h1', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
    // The run is done when its findings or the healthy line show (notes come with them, when there are any).
    await frame.locator('section.findings, p.healthy').first().waitFor({ state: 'visible', timeout: 60_000 }).catch(async (error: unknown) => {
      await suite.workbench.screenshot(`e2e-restricted-failed-${name.replace(/\W+/g, '-')}`);
      throw error;
    });
    return frame;
  };

  const notesOf = (frame: FrameLocator) => frame.locator('section.notes').innerText().catch(() => '(no notes)');

  /**
   * Opens a new terminal as a person does and has the shell write which APIM_MCP_KEY_* names it has and a hash of
   * APIM_MCP_KEY_FORECAST (never the value) to a file the test reads.
   */
  const terminalReport = async (label: string): Promise<{ names: string[]; forecastHash: string }> => {
    const { page } = suite;
    const file = join(suite.server.root, `terminal-${label}.txt`);
    rmSync(file, { force: true });
    await runCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm');
    await terminal.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('the shell to run the report', 45_000, async () => {
      if (existsSync(file) && readFileSync(file, 'utf8').includes('end')) return true;
      await terminal.click();
      // A child shell writes the report, so the interactive shell's prompt hooks never write into the file.
      await page.keyboard.type(`sh -c 'echo "names: $(env | grep -o "^APIM_MCP_KEY_[A-Z0-9_]*" | sort | tr "\\n" " ")"; echo "hash: $(printf %s "$APIM_MCP_KEY_FORECAST" | sha256sum)"; echo end' > '${file}'\n`);
      return existsSync(file) && readFileSync(file, 'utf8').includes('end') ? true : undefined;
    }, 3000);
    await runCommand(page, 'Terminal: Kill All Terminals');
    const text = readFileSync(file, 'utf8');
    const names = /^names: (.*)$/m.exec(text)?.[1] ?? '';
    const hash = /^hash: ([0-9a-f]{64})/m.exec(text)?.[1] ?? '';
    return { names: names.trim().split(' ').filter(Boolean), forecastHash: hash };
  };

  it('16.1 the folder opens in Restricted Mode, and the person stores the key of the settings server', async () => {
    const { page } = suite;
    // A folder nobody has trusted opens in Restricted Mode (code-server asks nothing at start; VS Code asks once).
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor('the extension to start in Restricted Mode', 60_000, () => (/workspace trusted: false/.test(suite.extensionLog()) ? true : undefined));

    // The only settings server with a key: no picker.
    await setKeyThroughPasswordBox(page, FORECAST, STORED_KEY);
  });

  it('16.1 Restricted Mode: Diagnose sends no key, no variable and no Authorization for the folder\'s servers, and says why', async () => {
    proxy.received.length = 0;
    // One click on Diagnose in the Servers view, the attack of issue 16 item 1.
    await runCommand(suite.page, 'View: Close All Editors');
    await clickServerAction(suite.page, DEPLOY_SERVER, 'pulse');
    const notes = [await notesOf(await panelFor(DEPLOY_SERVER))];
    await suite.workbench.screenshot('e2e-restricted-diagnosis');
    notes.push(await notesOf(await diagnoseFromPalette(FORECAST, 'Workspace .mcp.json')));
    notes.push(await notesOf(await diagnoseFromPalette(OWN_SERVER, 'Workspace .mcp.json')));
    assert.ok(forFolder(proxy.received).length >= 3, 'the diagnoses ran against the gateway');
    assert.deepEqual(canariesIn(proxy.received), [], 'a secret reached the gateway');
    const withCredentials = forFolder(proxy.received).filter((r) => r.headers.authorization !== undefined || r.headers[KEY_HEADER] !== undefined);
    assert.deepEqual(withCredentials.map((r) => Object.keys(r.headers)), [], 'a request carried a key or an Authorization header');
    for (const text of notes) assert.match(text, RESTRICTED_NOTE, text);
  });

  it('16.1 Restricted Mode: no key is put into terminals for the folder\'s .mcp.json, and VS Code opens none without trust', async () => {
    const { page } = suite;
    // VS Code itself does not start a shell in Restricted Mode: it asks for trust, and the person cancels.
    await runCommand(page, 'Terminal: Create New Terminal');
    const ask = page.locator('.monaco-dialog-box', { hasText: 'Creating a terminal process requires executing code' });
    await ask.waitFor({ state: 'visible', timeout: 30_000 });
    await suite.workbench.screenshot('e2e-restricted-terminal-asks-trust');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'hidden', timeout: 10_000 });
    // What the extension put into the terminal environment, named in its log (names only, never values).
    assert.doesNotMatch(suite.extensionLog(), /\[terminalEnv\] set in terminals/, 'a key variable was put into the terminal environment in Restricted Mode');
  });

  it('16.1 trusted: the stored key goes to its origin and APIM_MCP_KEY_* is read, another variable never', async () => {
    await trustFolder(suite.workbench);

    proxy.received.length = 0;
    const deploy = await diagnoseFromPalette(DEPLOY_SERVER, 'Workspace mcp.json');
    assert.match(await deploy.locator('section.notes').innerText(), new RegExp(`${DEPLOY_VAR}, which is not read: only APIM_MCP_KEY_\\* variables are`));
    assert.ok(forFolder(proxy.received).length > 0, 'the diagnosis ran against the gateway');
    assert.deepEqual(canariesIn(proxy.received), [], 'the value of a variable that is not APIM_MCP_KEY_* reached the gateway');

    const forecast = await diagnoseFromPalette(FORECAST, 'Workspace .mcp.json');
    await forecast.locator('p.healthy').waitFor({ state: 'visible', timeout: 60_000 });
    assert.ok(forFolder(proxy.received).some((r) => r.headers[KEY_HEADER] === STORED_KEY), 'the stored key was not sent to the origin it was stored for');

    const own = await diagnoseFromPalette(OWN_SERVER, 'Workspace .mcp.json');
    await own.locator('p.healthy').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await own.locator('section.notes').innerText(), new RegExp(`read from the environment variable ${OWN_VAR}`));
    assert.ok(forFolder(proxy.received).some((r) => r.headers[KEY_HEADER] === OWN_VARIABLE_KEY));
    assert.ok(!JSON.stringify(proxy.received).includes(DEPLOY_TOKEN), 'the foreign variable reached the gateway');
    await suite.workbench.screenshot('e2e-restricted-trusted-diagnosis');
  });

  it('16.1 trusted: new terminals get the stored key under the name .mcp.json references (the documented exposure)', async () => {
    const report = await waitFor('a terminal with APIM_MCP_KEY_FORECAST', 60_000, async () => {
      const r = await terminalReport('trusted');
      return r.forecastHash === sha256(STORED_KEY) ? r : undefined;
    }, 1000);
    assert.deepEqual(report.names, ['APIM_MCP_KEY_FORECAST', OWN_VAR]);
    assert.match(suite.extensionLog(), /\[terminalEnv\] set in terminals: APIM_MCP_KEY_FORECAST$/m);
  });
});
