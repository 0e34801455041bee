import * as path from 'node:path';
import * as vscode from 'vscode';
import { findPlaintextSecrets, migratePlaintextSecret, type MigrationMode, type PlaintextSecretFinding } from '../../core/config/plaintextKeyLint';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import { formatForPath } from '../../core/config/targets';
import { normaliseOrigin } from '../../core/secrets/secretBinding';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { showErrorWithLogs } from '../errorNotice';
import type { TargetLocator } from './targetLocations';
import { errorMessage } from '../../core/basics';

export const PLAINTEXT_KEY_CODE = 'apimMcp.plaintextKey';
const FIX_COMMAND = 'apimMcp.fixPlaintextKey';

interface FixArgs {
  readonly uri: string;
  readonly serverName: string;
  readonly headerName: string;
  readonly mode: MigrationMode;
}

/**
 * Problems-panel warnings for subscription keys and bearer tokens written literally into any MCP config source
 * (workspace `.vscode/mcp.json` and `.mcp.json`, the profile `mcp.json`, the Copilot CLI config, and any open file
 * with those names), with a quick fix that replaces the literal by a password input (mcp.json) or an environment
 * variable filled from SecretStorage (`.mcp.json`, Copilot CLI). Messages never contain the secret.
 */
export class PlaintextKeyDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('apimMcp.plaintextKeys');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly locator: TargetLocator,
    private readonly fs: ConfigFileSystem,
    private readonly keys: SubscriptionKeyStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly keyHeaderNames: () => readonly string[],
  ) {
    const rescan = (uri: vscode.Uri) => this.schedule(uri);
    this.disposables.push(
      vscode.languages.registerCodeActionsProvider(
        [{ scheme: 'file', pattern: '**/{mcp.json,.mcp.json,mcp-config.json}' }],
        this,
        { providedCodeActionKinds: PlaintextKeyDiagnostics.providedCodeActionKinds },
      ),
      vscode.commands.registerCommand(FIX_COMMAND, (args: FixArgs) => this.fix(args)),
      vscode.workspace.onDidOpenTextDocument((d) => rescan(d.uri)),
      vscode.workspace.onDidChangeTextDocument((e) => rescan(e.document.uri)),
      vscode.workspace.onDidCloseTextDocument((d) => rescan(d.uri)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.scanAll()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.scanAll()),
    );
    this.watch('**/{.mcp.json,mcp.json,mcp-config.json}', rescan);
    for (const file of locator.profileFiles()) this.watch(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file.path)), path.basename(file.path)), rescan);
  }

  /** Every config source this extension knows, plus open documents with an MCP config name. */
  async scanAll(): Promise<void> {
    const files = new Set<string>(this.locator.allFiles().map((f) => f.path));
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === 'file' && formatForPath(doc.uri.fsPath)) files.add(doc.uri.fsPath);
    await Promise.all([...files].map((f) => this.scan(vscode.Uri.file(f))));
  }

  diagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  private schedule(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || !formatForPath(uri.fsPath)) return;
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.scan(uri);
    }, 150));
  }

  async scan(uri: vscode.Uri): Promise<void> {
    const format = formatForPath(uri.fsPath);
    if (!format) return;
    const text = await this.textOf(uri);
    if (text === undefined) {
      this.collection.delete(uri);
      return;
    }
    const lint = findPlaintextSecrets(text, format, { keyHeaderNames: this.keyHeaderNames() });
    if (!lint.ok) {
      // A file being typed is often briefly malformed; keep the last result rather than flicker.
      return;
    }
    this.collection.set(uri, lint.findings.map((f) => toDiagnostic(f)));
    if (lint.findings.length > 0) this.log.info(`[lint] ${uri.fsPath}: ${lint.findings.length} plaintext secret(s) in headers`);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const format = formatForPath(document.uri.fsPath);
    if (!format) return [];
    const ours = context.diagnostics.filter((d) => d.code === PLAINTEXT_KEY_CODE);
    if (ours.length === 0) return [];
    const lint = findPlaintextSecrets(document.getText(), format, { keyHeaderNames: this.keyHeaderNames() });
    if (!lint.ok) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      // A key in the query string has no quick fix: the header that replaces it depends on the API's settings.
      const finding = lint.findings.find((f) => f.kind !== 'queryKey' && toRange(f).intersection(diagnostic.range) !== undefined);
      if (!finding) continue;
      const mode: MigrationMode = format === 'vscodeMcpJson' ? 'passwordInput' : 'envVar';
      const title =
        mode === 'passwordInput'
          ? vscode.l10n.t('Move the {0} to a password input (VS Code asks once and keeps it encrypted)', noun(finding))
          : finding.kind === 'subscriptionKey'
            ? vscode.l10n.t('Move the key to secret storage (referenced as an environment variable, set in VS Code terminals)')
            : vscode.l10n.t('Replace the token with an environment variable reference');
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      const args: FixArgs = { uri: document.uri.toString(), serverName: finding.serverName, headerName: finding.headerName, mode };
      action.command = { command: FIX_COMMAND, title, arguments: [args] };
      if (this.isWorkspaceFile(document.uri) && !vscode.workspace.isTrusted) {
        action.disabled = { reason: vscode.l10n.t('Restricted Mode: trust this folder to edit its MCP configuration.') };
      }
      actions.push(action);
    }
    return actions;
  }

  /** Replaces the literal in the open document (one edit, everything else byte-identical) and saves a clean document. */
  async fix(args: FixArgs): Promise<boolean> {
    const uri = vscode.Uri.parse(args.uri, true);
    const format = formatForPath(uri.fsPath);
    if (!format) return false;
    if (this.isWorkspaceFile(uri) && !vscode.workspace.isTrusted) return false;
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const wasDirty = document.isDirty;
      const before = document.getText();
      const migration = migratePlaintextSecret(before, format, { serverName: args.serverName, headerName: args.headerName }, args.mode, { keyHeaderNames: this.keyHeaderNames() });
      if (!migration.ok) throw new Error(migration.error.kind === 'malformed' ? vscode.l10n.t('{0} has a syntax error at line {1}, column {2}.', uri.fsPath, migration.error.line, migration.error.column) : migration.error.kind);
      if (!migration.changed) return false;
      const finding = findPlaintextSecrets(before, format, { keyHeaderNames: [...this.keyHeaderNames(), args.headerName] });
      const moved = finding.ok ? finding.findings.find((f) => f.kind !== 'queryKey' && f.serverName === args.serverName && f.headerName === args.headerName) : undefined;
      if (args.mode === 'envVar' && moved?.kind === 'subscriptionKey' && migration.secret) {
        const origin = moved.serverUrl ? normaliseOrigin(moved.serverUrl) : undefined;
        if (!origin || !/^https?:\/\//.test(origin)) throw new Error(vscode.l10n.t('Server "{0}" has no valid "url"; the key cannot be bound to an origin.', args.serverName));
        await this.keys.set({ name: args.serverName, origin }, migration.secret);
      }
      const edit = new vscode.WorkspaceEdit();
      const change = minimalChange(before, migration.text);
      edit.replace(uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.text);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('VS Code refused the edit to {0}.', uri.fsPath));
      if (!wasDirty) await document.save();
      const reference = migration.reference;
      this.log.info(`[lint] ${args.serverName}: ${args.headerName} moved out of ${uri.fsPath} (${reference?.kind === 'envVar' ? `variable ${reference.name}` : `input ${reference?.id}`})`);
      const message =
        reference?.kind === 'envVar'
          ? moved?.kind === 'subscriptionKey'
            ? vscode.l10n.t('APIM MCP: the key for {0} is in secret storage; VS Code terminals get it as {1}.', args.serverName, reference.name)
            : vscode.l10n.t('APIM MCP: {0} now reads the token from {1}; set it before starting the server.', args.serverName, reference.name)
          : vscode.l10n.t('APIM MCP: {0} now asks for its secret once, in a password box, and VS Code keeps it encrypted.', args.serverName);
      void vscode.window.showInformationMessage(message);
      await this.scan(uri);
      return true;
    } catch (error: unknown) {
      const message = errorMessage(error);
      this.log.error(`[lint] fix for ${args.serverName} failed: ${message}`);
      void showErrorWithLogs(this.log, vscode.l10n.t('APIM MCP: could not move the secret: {0}', message));
      return false;
    }
  }

  private isWorkspaceFile(uri: vscode.Uri): boolean {
    return vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  }

  private async textOf(uri: vscode.Uri): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    const snapshot = await this.fs.read(uri.fsPath).catch(() => undefined);
    return snapshot ? new TextDecoder().decode(snapshot.bytes).replace(/^\uFEFF/, '') : undefined;
  }

  private watch(pattern: vscode.GlobPattern, onChange: (uri: vscode.Uri) => void): void {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    this.disposables.push(watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}

function noun(finding: PlaintextSecretFinding): string {
  return finding.kind === 'subscriptionKey' ? vscode.l10n.t('key') : vscode.l10n.t('token');
}

function toRange(f: PlaintextSecretFinding): vscode.Range {
  return new vscode.Range(f.start.line - 1, f.start.column - 1, f.end.line - 1, f.end.column - 1);
}

function toDiagnostic(f: PlaintextSecretFinding): vscode.Diagnostic {
  const message =
    f.kind === 'subscriptionKey'
      ? vscode.l10n.t('Plaintext APIM subscription key in "{0}" of server "{1}". Anyone who can read this file can use it; move it to secret storage.', f.headerName, f.serverName)
      : f.kind === 'queryKey'
        ? vscode.l10n.t({
            message:
              'Plaintext APIM subscription key in the "{0}" query parameter of the url of server "{1}". Anyone who can read this file, or a log that records URLs, can use it. Remove it from the url and send it in the key header instead (Ocp-Apim-Subscription-Key unless the API renamed it), through a password input or an environment variable: APIM takes the key from either place.',
            comment: ['{0} is a query parameter name such as subscription-key; {1} is the server name; "url" is the config property'],
            args: [f.headerName, f.serverName],
          })
        : vscode.l10n.t('Plaintext access token in "{0}" of server "{1}". Move it out of the file.', f.headerName, f.serverName);
  const diagnostic = new vscode.Diagnostic(toRange(f), message, vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'APIM MCP';
  diagnostic.code = PLAINTEXT_KEY_CODE;
  return diagnostic;
}

/** The one span where two texts differ, so the edit leaves every other byte (comments, layout) as it was. */
export function minimalChange(before: string, after: string): { start: number; end: number; text: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { start, end: endBefore, text: after.slice(start, endAfter) };
}

