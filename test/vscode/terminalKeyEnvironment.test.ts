import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createNodeConfigFileSystem } from '../../src/core/config/nodeConfigFileSystem';
import { Secret } from '../../src/core/secret';
import { TargetLocator } from '../../src/vscode/config/targetLocations';
import { TerminalKeyEnvironment } from '../../src/vscode/config/terminalKeyEnvironment';
import { SubscriptionKeyStore } from '../../src/vscode/subscriptionKeyStore';
import { pollUntil } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';

interface DriverExports {
  globalStorageUri: vscode.Uri;
  secrets: vscode.SecretStorage;
  environmentVariableCollection: vscode.GlobalEnvironmentVariableCollection;
}

/**
 * The real TerminalKeyEnvironment on real VS Code parts: the test driver's SecretStorage and its terminal environment
 * collection. Another window is another SubscriptionKeyStore over the same SecretStorage (VS Code shares secrets
 * between windows; a store object's own events stay in its window). Restricted Mode is the trust the class is given:
 * this tier runs a trusted window.
 */
describe('16.11 terminal key variables: none in Restricted Mode; a key forgotten in another window leaves this window\'s terminals', function () {
  this.timeout(60_000);
  const NAME = 'tkenv products';
  const VARIABLE = 'APIM_MCP_KEY_TKENV_PRODUCTS';
  const ORIGIN = 'https://contoso.azure-api.net';
  const KEY = `canary-terminal-key-${randomUUID()}`;
  const previousCopilotHome = process.env.COPILOT_HOME;
  let driver: DriverExports;
  let copilotHome: string;
  let log: vscode.LogOutputChannel;
  const open: vscode.Disposable[] = [];

  before(async () => {
    driver = (await vscode.extensions.getExtension(DRIVER_ID)!.activate()) as DriverExports;
    log = vscode.window.createOutputChannel('APIM MCP terminal env test', { log: true });
    copilotHome = mkdtempSync(join(tmpdir(), 'apim-mcp-tkenv-'));
    process.env.COPILOT_HOME = copilotHome;
    const config = { mcpServers: { [NAME]: { type: 'http', url: `${ORIGIN}/products/mcp`, headers: { 'Ocp-Apim-Subscription-Key': `\${${VARIABLE}}` }, tools: ['*'] } } };
    writeFileSync(join(copilotHome, 'mcp-config.json'), JSON.stringify(config, null, 2));
  });

  afterEach(async () => {
    for (const d of open.splice(0)) d.dispose();
    await new SubscriptionKeyStore(driver.secrets).delete(NAME);
    driver.environmentVariableCollection.clear();
  });

  after(() => {
    if (previousCopilotHome === undefined) delete process.env.COPILOT_HOME;
    else process.env.COPILOT_HOME = previousCopilotHome;
    rmSync(copilotHome, { recursive: true, force: true });
    log.dispose();
  });

  function terminalEnv(keys: SubscriptionKeyStore, trust: { isTrusted: boolean; onDidGrantWorkspaceTrust: vscode.Event<void> } = vscode.workspace): TerminalKeyEnvironment {
    const env = new TerminalKeyEnvironment(driver.environmentVariableCollection, keys, driver.secrets, new TargetLocator(driver.globalStorageUri), createNodeConfigFileSystem(), log, trust);
    open.push(env, keys);
    return env;
  }

  const exported = () => driver.environmentVariableCollection.get(VARIABLE)?.value === KEY;

  it('a key stored and then forgotten in another window is set, then taken out of this window\'s terminals', async () => {
    const thisWindow = new SubscriptionKeyStore(driver.secrets);
    // Another window: its own store object over the same SecretStorage, whose events this window never sees.
    const otherWindow = new SubscriptionKeyStore(driver.secrets);
    open.push(otherWindow);
    const env = terminalEnv(thisWindow);
    await env.refresh();
    assert.equal(driver.environmentVariableCollection.get(VARIABLE), undefined);
    await otherWindow.set({ name: NAME, origin: ORIGIN }, Secret.of(KEY));
    await pollUntil(`${VARIABLE} after a key was stored in another window`, 10_000, () => (exported() ? true : undefined));
    await otherWindow.delete(NAME);
    await pollUntil(`${VARIABLE} to leave the terminals after another window forgot the key`, 10_000, () =>
      driver.environmentVariableCollection.get(VARIABLE) === undefined ? true : undefined);
    assert.deepEqual(env.variables, []);
  });

  it('Restricted Mode: no key variable at all, even for the Copilot CLI config outside the folder; trusting the folder sets it', async () => {
    const keys = new SubscriptionKeyStore(driver.secrets);
    await keys.set({ name: NAME, origin: ORIGIN }, Secret.of(KEY));
    const granted = new vscode.EventEmitter<void>();
    open.push(granted);
    const trust = { isTrusted: false, onDidGrantWorkspaceTrust: granted.event };
    const env = terminalEnv(keys, trust);
    await env.refresh();
    assert.equal(driver.environmentVariableCollection.get(VARIABLE), undefined, `${VARIABLE} is exported in Restricted Mode`);
    assert.deepEqual(env.variables, []);
    trust.isTrusted = true;
    granted.fire();
    await pollUntil(`${VARIABLE} once the folder is trusted`, 10_000, () => (exported() ? true : undefined));
    assert.deepEqual(env.variables, [VARIABLE]);
  });
});
