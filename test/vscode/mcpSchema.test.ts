import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mcpSchemaAcceptsOauthClientId } from '../../src/core/config/vscodeMcpSchema';

// The writers put oauth.clientId in mcp.json only where the running VS Code's own schema takes it (issue 17).
describe('the mcp.json schema this VS Code registers', function () {
  this.timeout(60_000);

  it('vscode://schemas/mcp can be read by an extension, and its HTTP entry takes oauth.clientId (VS Code 1.139)', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse('vscode://schemas/mcp'));
    const text = doc.getText();
    assert.ok(text.includes('"servers"'), text.slice(0, 200));
    assert.equal(mcpSchemaAcceptsOauthClientId(text), true);
  });
});
