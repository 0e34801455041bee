import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { registerAuthCommands } from '../../src/vscode/auth/authCommands';
import { EntraTokenService } from '../../src/vscode/auth/entraTokens';
import { safeRegister } from '../../src/vscode/safeRegister';
import { ServerRegistry } from '../../src/vscode/serverRegistry';
import { filesUnder } from '../harness/files';
import { activateExtension, EXTENSION_ID, pollUntil } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';

interface DriverExports {
  logUri: vscode.Uri;
  secrets: vscode.SecretStorage;
}

describe('activation: a feature that fails is logged and skipped, the others work', () => {
  let driver: DriverExports;

  before(async () => {
    await activateExtension();
    driver = (await vscode.extensions.getExtension(DRIVER_ID)!.activate()) as DriverExports;
  });

  it('a feature VS Code refuses to register is skipped; the feature after it registers and runs', async () => {
    const log = vscode.window.createOutputChannel('APIM MCP safeRegister test', { log: true });
    const errors: string[] = [];
    const recorder = { error: (message: string) => errors.push(message) };
    const registry = new ServerRegistry(log);
    const tokens = new EntraTokenService(driver.secrets, log, (name) => registry.find(name));
    const context = { subscriptions: [] as vscode.Disposable[] };
    try {
      // The real Entra ID commands, a second time: the installed extension holds apimMcp.signIn, so VS Code refuses.
      const entra = safeRegister(context, recorder, 'the Entra ID commands', () => registerAuthCommands(registry, tokens, { revoke: async () => undefined }, log));
      const later = safeRegister(context, recorder, 'a later feature', () => vscode.commands.registerCommand('apimMcpTest.afterAFailedFeature', () => 'still working'));
      assert.deepEqual([entra, later], [false, true]);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0]!, /^\[activate\] the Entra ID commands could not start and is skipped: .*apimMcp\.signIn/);
      assert.equal(context.subscriptions.length, 1, 'only the feature that started is kept for disposal');
      assert.equal(await vscode.commands.executeCommand('apimMcpTest.afterAFailedFeature'), 'still working');
    } finally {
      for (const d of [...context.subscriptions, tokens, registry, log]) d.dispose();
    }
    // The installed extension's own command was not disturbed by the refused copy.
    assert.ok((await vscode.commands.getCommands(true)).includes('apimMcp.signIn'));
  });

  it('the installed extension started every feature: each command of its manifest is registered, and its log skips none', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
    const activation = await pollUntil('the extension log to record activation', 10_000, () => {
      const logs = filesUnder(dirname(driver.logUri.fsPath)).filter((f) => f.includes(EXTENSION_ID));
      return logs.map((f) => readFileSync(f, 'utf8')).join('\n').split('\n').find((line) => line.includes('[activate]') && line.includes('server(s) configured'));
    });
    assert.doesNotMatch(activation, /skipped/);
  });
});
