import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

/** Which of the extension's feature bundles the extension host has required so far (Node's module cache). */
function loadedChunks(): string[] {
  const dist = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist');
  return ['wizard', 'azure', 'panel', 'policy', 'configCommands', 'entra', 'msal'].filter((chunk) => require.cache[join(dist, `${chunk}.js`)] !== undefined);
}

describe('activation', () => {
  it('is installed from the packaged .vsix and activates on demand with its API', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    const api = (await extension.activate()) as { apiVersion: number; getServerStatus(name: string): { health: string } };
    assert.equal(api.apiVersion, 1);
    assert.equal(api.getServerStatus('nope').health, 'unknown');
  });

  it('contributes its commands, the Servers view and the MCP provider', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['apimMcp.setSubscriptionKey', 'apimMcp.startServer', 'apimMcp.refreshServers', 'apimMcp.showLogs']) {
      assert.ok(commands.includes(id), `command ${id} missing`);
    }
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { mcpServerDefinitionProviders: { id: string }[]; views: Record<string, { id: string }[]> };
    };
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders.map((p) => p.id), ['apimMcp.servers']);
    assert.deepEqual(manifest.contributes.views.apimMcp.map((v) => v.id), ['apimMcp.servers']);
    await vscode.commands.executeCommand('apimMcp.servers.focus');
  });

  // Issue 20: activation registers stubs; a feature's bundle is required when the feature is first used. This suite
  // runs first, before any other suite has run a command, and the test workspace has no policy file open.
  // The Entra ID token service and msal-node load with the first token a server needs (entraAuth.test.ts signs in).
  it('has loaded none of the wizard, Add from Azure, panel, policy, config-command, Entra and msal-node bundles until their commands run', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
    assert.ok(require.cache[join(extension.extensionPath, 'dist', 'extension.js')], 'extension.js is not in the module cache');
    assert.deepEqual(loadedChunks(), [], 'loaded at activation');
    assert.deepEqual(await vscode.commands.executeCommand('apimMcp.diagnostics.state'), []);
    assert.deepEqual(loadedChunks(), [], 'reading the panels\' state loads no panel');
    const refused = await vscode.commands.executeCommand<{ ok: boolean }>('apimMcp.addServer', { url: 'not a url', target: 'extension' });
    assert.equal(refused?.ok, false);
    assert.deepEqual(loadedChunks(), ['wizard'], 'Add Server loads the wizard, and only it');
  });
});
