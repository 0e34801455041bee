import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

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
});
