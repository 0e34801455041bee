import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { GOTCHAS_FINDINGS } from '../fixtures/gotchasFindings';
import { activateExtension, pollUntil } from './helpers';

const SOURCE = 'APIM MCP';
const DEADLINE_MS = 20_000;

function policyUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace has no folder; the harness must open one holding policies/');
  return vscode.Uri.joinPath(folder.uri, 'policies', name);
}

const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
const ruleOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);
const label = (d: vscode.Diagnostic): string => `${ruleOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1}`;

describe('APIM policy diagnostics', () => {
  before(activateExtension);
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows every gotcha of a policy file in the Problems panel, with rule ids, ranges and docs links', async () => {
    const uri = policyUri('gotchas.mcp.policy.xml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostics = await pollUntil('policy diagnostics', DEADLINE_MS, () => {
      const found = ours(uri);
      return found.length >= GOTCHAS_FINDINGS.length ? found : undefined;
    });
    const sorted = [...diagnostics].sort((a, b) => a.range.start.compareTo(b.range.start) || ruleOf(a).localeCompare(ruleOf(b)));
    assert.deepEqual(sorted.map(label), GOTCHAS_FINDINGS);

    const body = sorted.find((d) => ruleOf(d) === 'apim.policy.bodyWithoutPreserveContent')!;
    assert.equal(document.getText(body.range), 'As<JObject>()');
    assert.equal(body.severity, vscode.DiagnosticSeverity.Error);
    assert.match(body.message, /backend receives an empty body/);
    // 18.8: the rule id opens the documentation read-only, at the rule's heading (not the raw file at line 1).
    const target = (body.code as { target: vscode.Uri }).target;
    assert.equal(target.scheme, 'apim-mcp-docs', target.toString());
    const line = Number(/^L(\d+)$/.exec(target.fragment)?.[1]);
    assert.ok(line > 1, target.toString());
    await vscode.commands.executeCommand('vscode.open', target);
    const docs = await pollUntil('the rule docs in an editor', DEADLINE_MS, () => (vscode.window.activeTextEditor?.document.uri.scheme === 'apim-mcp-docs' ? vscode.window.activeTextEditor : undefined));
    assert.equal(docs.document.lineAt(line - 1).text, '### `apim.policy.bodyWithoutPreserveContent`');
    assert.equal(docs.selection.active.line, line - 1, 'the editor opens at the rule');
    assert.equal(vscode.workspace.fs.isWritableFileSystem('apim-mcp-docs'), false, 'the docs are read-only');
    assert.ok(!docs.document.getText().includes('research/'), 'shipped docs cite no internal research file');

    const claim = sorted.find((d) => ruleOf(d) === 'apim.policy.unguardedClaimIndex')!;
    assert.equal(document.getText(claim.range), 'Claims["roles"]');
    assert.match(claim.message, /500/);
    const uncovered = sorted.find((d) => ruleOf(d) === 'apim.policy.toolNotCovered')!;
    assert.match(uncovered.message, /"listProducts"/, 'tools come from gotchas.mcp.tools.json next to the policy');
  });

  it('applies a quick fix that edits the document and clears the diagnostic', async () => {
    const uri = policyUri('gotchas.mcp.policy.xml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostic = await pollUntil('the preserveContent diagnostic', DEADLINE_MS, () => ours(uri).find((d) => ruleOf(d) === 'apim.policy.bodyWithoutPreserveContent'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Add preserveContent: true');
    assert.ok(fix?.edit, `no quick fix offered; got ${JSON.stringify(actions.map((a) => a.title))}`);
    const line = diagnostic.range.start.line;
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(
      document.lineAt(line).text.trim(),
      '<set-variable name="toolName" value="@((string)context.Request.Body.As<JObject>(preserveContent: true)["params"]["name"])" />',
    );
    await pollUntil('the diagnostic to clear', DEADLINE_MS, () => (ours(uri).some((d) => ruleOf(d) === 'apim.policy.bodyWithoutPreserveContent') ? undefined : true));
    assert.ok(ours(uri).some((d) => ruleOf(d) === 'apim.policy.letNotSupported'), 'the other findings stay');
  });

  it('lints policy strings inside a Bicep file and fixes them in Bicep syntax', async () => {
    const uri = policyUri('mcp-api.bicep');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostic = await pollUntil('Bicep policy diagnostics', DEADLINE_MS, () => ours(uri).find((d) => ruleOf(d) === 'apim.policy.bodyWithoutPreserveContent'));
    assert.equal(document.getText(diagnostic.range), 'As<JObject>()');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Add preserveContent: true');
    assert.ok(fix?.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(document.lineAt(diagnostic.range.start.line).text.includes("Body.As<JObject>(preserveContent: true)[\\'method\\']"));
  });

  it('shows nothing for a correct policy', async () => {
    const uri = policyUri('mcp-prm.policy.xml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    // Wait until a file with findings has been linted after this one was opened, so an empty list means "linted, clean".
    const marker = policyUri('prm-behind-base.policy.xml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(marker));
    await pollUntil('the marker file to be linted', DEADLINE_MS, () => (ours(marker).length > 0 ? true : undefined));
    assert.deepEqual(ours(uri).map(label), []);
  });
});

describe('APIM policy discovery', () => {
  before(async () => {
    await activateExtension();
  });

  it('finds policies by content, whatever the file is called, and leaves other XML alone', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const body = '<set-variable name="b" value="@(context.Request.Body.As<JObject>())" />';
    const template = vscode.Uri.joinPath(folder, 'infra', 'orders', 'api-policy.xml.tpl');
    const other = vscode.Uri.joinPath(folder, 'infra', 'orders', 'settings.xml');
    await vscode.workspace.fs.writeFile(template, new TextEncoder().encode(`<!-- orders API -->\n%{ if env != "dev" ~}\n<policies>\n<inbound>\n${body}\n</inbound>\n</policies>\n%{ endif ~}\n`));
    await vscode.workspace.fs.writeFile(other, new TextEncoder().encode(`<?xml version="1.0"?>\n<settings>\n${body}\n</settings>\n`));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(other));
      const opened = await vscode.workspace.openTextDocument(template);
      await vscode.window.showTextDocument(opened);
      const found = await pollUntil('diagnostics in api-policy.xml.tpl', DEADLINE_MS, () => ours(template).find((d) => ruleOf(d) === 'apim.policy.bodyWithoutPreserveContent'));
      assert.equal(found.range.start.line, 4);
      assert.deepEqual(ours(other).map(label), [], 'an XML file whose root is not <policies> or <fragment> is not linted');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'infra'), { recursive: true });
    }
  });
});

describe('Generate MCP Authorization Policy', () => {
  it('writes a policy from a tools/list and a role map and opens it', async () => {
    const result = await vscode.commands.executeCommand<{ policy: string; prmPolicy?: string } | undefined>('apimMcp.generatePolicy', {
      tools: { result: { tools: [{ name: 'listProducts' }, { name: 'deleteProduct' }] } },
      roles: { listProducts: [], deleteProduct: ['Products.Admin'] },
      tenantId: '11111111-2222-3333-4444-555555555555',
      api: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      mcpUrl: 'https://contoso.azure-api.net/products/mcp',
      prmUrl: 'https://contoso.azure-api.net/.well-known/oauth-protected-resource/products/mcp',
      includePrmOperation: true,
    });
    assert.ok(result, 'the command returned nothing');
    assert.ok(result.policy.includes('case "deleteProduct":'));
    assert.ok(result.policy.includes('resource_metadata="https://contoso.azure-api.net/.well-known/oauth-protected-resource/products/mcp"'));
    assert.ok(result.prmPolicy?.includes('"resource":"https://contoso.azure-api.net/products/mcp"'));
    const opened = vscode.workspace.textDocuments.filter((d) => d.isUntitled).map((d) => d.getText());
    assert.ok(opened.includes(result.policy), 'the policy was not opened in an editor');
    assert.ok(opened.includes(result.prmPolicy!), 'the PRM policy was not opened in an editor');
  });

  after(async () => {
    // Untitled editors are dirty: revert each one so closing them never opens a "Save?" dialog.
    for (let i = 0; i < 10 && vscode.window.activeTextEditor; i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
