import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionSuite } from './extensionSuite';
import { pollUntil, setServers, type ListedServer } from './helpers';

const listServers = () => vscode.commands.executeCommand<ListedServer[]>('apimMcpTest.servers.list');

describe('Servers view sources: every APIM-fronted server from every config source', function () {
  this.timeout(60_000);
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri;
  const mcpJson = () => vscode.Uri.joinPath(folder(), '.vscode', 'mcp.json');
  const dotMcpJson = () => vscode.Uri.joinPath(folder(), '.mcp.json');
  const suite = extensionSuite(async ({ atTeardown }) => {
    atTeardown(async () => {
      for (const uri of [mcpJson(), dotMcpJson()]) await Promise.resolve(vscode.workspace.fs.delete(uri)).catch(() => undefined);
    });
  });

  it('lists the setting\'s servers as extension-managed', async () => {
    await setServers(suite.api, [{ name: 'Managed one', url: 'https://contoso.azure-api.net/one/mcp', auth: 'subscriptionKey' }]);
    const listed = await pollUntil('the managed server in the list', 10_000, async () => (await listServers()).find((s) => s.name === 'Managed one'));
    assert.equal(listed.source, 'extension');
    assert.equal(listed.auth, 'subscriptionKey');
    assert.equal(listed.status, 'unknown');
  });

  it('picks up servers written to workspace mcp.json and .mcp.json (file watcher), skipping non-APIM ones', async () => {
    const text = [
      '{',
      '\t// team servers',
      '\t"servers": {',
      '\t\t"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },',
      '\t\t"contoso-products": {',
      '\t\t\t"type": "http",',
      '\t\t\t"url": "https://contoso.azure-api.net/products/mcp",',
      '\t\t\t"headers": { "Ocp-Apim-Subscription-Key": "${input:apim-mcp-key-contoso-products}" }',
      '\t\t}',
      '\t},',
      '\t"inputs": [{ "type": "promptString", "id": "apim-mcp-key-contoso-products", "password": true }]',
      '}',
    ].join('\n');
    await vscode.workspace.fs.writeFile(mcpJson(), new TextEncoder().encode(text));
    await vscode.workspace.fs.writeFile(dotMcpJson(), new TextEncoder().encode(JSON.stringify({ mcpServers: { hr: { type: 'http', url: 'https://contoso.azure-api.net/hr/mcp', oauthClientId: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b' } } }, null, 2)));
    const found = await pollUntil('both file servers in the list', 15_000, async () => {
      const all = await listServers();
      const products = all.find((s) => s.name === 'contoso-products');
      const hr = all.find((s) => s.name === 'hr');
      return products && hr ? { products, hr, all } : undefined;
    });
    assert.equal(found.products.source, 'workspaceMcpJson');
    assert.equal(found.products.keySupply, 'input');
    assert.equal(found.products.line, 4);
    assert.equal(found.hr.source, 'rootDotMcpJson');
    assert.equal(found.hr.auth, 'entra');
    assert.ok(!found.all.some((s) => s.name === 'github'), 'a non-APIM server must not be listed');

    await vscode.commands.executeCommand('apimMcp.openConfig', found.products.id);
    const editor = await pollUntil('mcp.json to open', 10_000, () => (vscode.window.activeTextEditor?.document.uri.path.endsWith('/.vscode/mcp.json') ? vscode.window.activeTextEditor : undefined));
    assert.equal(editor.selection.active.line, 4);
  });

  it('drops a server when its file entry is removed', async () => {
    await vscode.workspace.fs.delete(dotMcpJson());
    await pollUntil('hr to disappear', 15_000, async () => ((await listServers()).some((s) => s.name === 'hr') ? undefined : true));
  });

  it('opens an extension-managed server\'s entry in settings.json', async () => {
    const managed = (await listServers()).find((s) => s.name === 'Managed one')!;
    await vscode.commands.executeCommand('apimMcp.openConfig', managed.id);
    const editor = await pollUntil('settings.json to open', 10_000, () => (vscode.window.activeTextEditor?.document.uri.path.endsWith('/settings.json') ? vscode.window.activeTextEditor : undefined));
    assert.match(editor.document.lineAt(editor.selection.active.line).text + editor.document.lineAt(editor.selection.active.line + 1).text, /Managed one/);
  });
});
