/**
 * APIM policy support in VS Code: Problems-panel diagnostics with quick fixes for policy files, and the
 * "Generate MCP Authorization Policy" command. Activation only registers document listeners; the linter and generator
 * (./policyFeature) and the watcher of closed files with problems start the first time a policy document is seen or
 * the command runs.
 */
import * as vscode from 'vscode';
import { isPolicyFileName, mayHoldPolicy } from '../../core/apim/policy/policyFiles';
import { showErrorWithLogs } from '../errorNotice';
import type { PolicyFeature } from './policyFeature';
import { errorMessage } from '../../core/basics';
import { requireChunk } from '../lazyFeature';
import { LINTED_SCHEMES } from './policySchemes';

export const GENERATE_POLICY_COMMAND = 'apimMcp.generatePolicy';
export const POLICY_DIAGNOSTIC_SOURCE = 'APIM MCP';
const LINT_DELAY_MS = 300;

type PolicyFeatureModule = typeof import('./policyFeature');

/** The linter is its own bundle (dist/policy.js, see scripts/bundles.mjs), so activation never parses it. */
async function loadPolicyFeatureModule(): Promise<PolicyFeatureModule> {
  return requireChunk<PolicyFeatureModule>('policy');
}

/** Larger documents are not read for policies (a policy is a few KiB; Bicep and ARM files a few hundred). */
const MAX_LINTED_CHARS = 4_000_000;

/**
 * Whether the extension lints this document: by content, whatever its name (root element `<policies>` or
 * `<fragment>`, or policy strings in Bicep, ARM JSON and Terraform).
 */
export function isPolicyDocument(document: vscode.TextDocument): boolean {
  if (!LINTED_SCHEMES.includes(document.uri.scheme) || !isPolicyFileName(document.fileName)) return false;
  const text = document.getText();
  return text.length <= MAX_LINTED_CHARS && mayHoldPolicy(document.fileName, text);
}

/**
 * A workspace file keeps its problems after its editor closes, as a project's problems do (issue 18.8); an untitled
 * document or a file outside the workspace takes them with it.
 */
function keepsProblemsWhenClosed(uri: vscode.Uri): boolean {
  return uri.scheme !== 'untitled' && vscode.workspace.getWorkspaceFolder(uri) !== undefined;
}

export function registerPolicyTools(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const diagnostics = vscode.languages.createDiagnosticCollection('apimMcp.policy');
  const linting = new PolicyLinting(context, diagnostics, log);
  const subscriptions: vscode.Disposable[] = [
    diagnostics,
    vscode.workspace.onDidOpenTextDocument((document) => linting.lintSoon(document, 0)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) linting.lintSoon(event.document);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => linting.closed(document)),
    vscode.commands.registerCommand(GENERATE_POLICY_COMMAND, async (args?: unknown) => {
      try {
        return await (await linting.loadFeature()).generate(args);
      } catch (error: unknown) {
        log.error(`[policy] generate failed: ${errorMessage(error)}`);
        await showErrorWithLogs(log, vscode.l10n.t('Could not generate the policy: {0}', errorMessage(error)));
        return undefined;
      }
    }),
  ];
  for (const document of vscode.workspace.textDocuments) linting.lintSoon(document, 0);

  return new vscode.Disposable(() => {
    for (const subscription of subscriptions) subscription.dispose();
    linting.dispose();
  });
}

/** The policy documents' problems: linted a moment after each edit, kept or dropped on close, the linter loaded once. */
class PolicyLinting {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private feature: Promise<PolicyFeature> | undefined;
  /** Watches closed files with problems; there are none before the linter loads, so it starts with the linter. */
  private watch: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  loadFeature(): Promise<PolicyFeature> {
    this.feature ??= loadPolicyFeatureModule().then((module) => {
      this.log.info('[policy] linter loaded');
      if (!this.disposed) this.watch = closedFileWatch(this.diagnostics, (uri) => this.relintFromDisk(uri));
      return module.createPolicyFeature({ extensionUri: this.context.extensionUri, diagnostics: this.diagnostics, log: this.log });
    });
    return this.feature;
  }

  lintSoon(document: vscode.TextDocument, delay = LINT_DELAY_MS): void {
    if (!isPolicyDocument(document)) {
      if (this.diagnostics.has(document.uri)) this.diagnostics.delete(document.uri);
      return;
    }
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.lintNow(document);
      }, delay),
    );
  }

  /** A closed file's problems follow the file on disk: re-read when it changes, dropped when it goes. */
  async relintFromDisk(uri: vscode.Uri): Promise<void> {
    if (this.disposed || vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return;
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      this.diagnostics.delete(uri);
      return;
    }
    // Opening the document (not an editor) fires onDidOpenTextDocument, which lints it.
    await Promise.resolve(vscode.workspace.openTextDocument(uri)).catch(() => this.diagnostics.delete(uri));
  }

  closed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const lintPending = this.timers.has(key);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    // Closed with unsaved edits discarded, or before its last change was linted: the problems shown must be those
    // of the file as saved, read once more.
    if (!keepsProblemsWhenClosed(document.uri)) this.diagnostics.delete(document.uri);
    else if (document.isDirty || lintPending) void this.relintFromDisk(document.uri);
    if (isPolicyDocument(document)) {
      const kept = this.diagnostics.has(document.uri) ? 'its problems stay in the Problems panel' : 'its problems are cleared';
      this.log.info(`[policy] ${vscode.workspace.asRelativePath(document.uri)} closed; ${kept}`);
    }
    void this.feature?.then((loaded) => loaded.forget(document.uri));
  }

  dispose(): void {
    this.disposed = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    this.watch.forEach((subscription) => subscription.dispose());
    void this.feature?.then((loaded) => loaded.dispose());
  }

  private async lintNow(document: vscode.TextDocument): Promise<void> {
    try {
      const loaded = await this.loadFeature();
      if (!this.disposed && !document.isClosed) await loaded.lint(document);
    } catch (error: unknown) {
      this.log.error(`[policy] linting ${document.uri.toString(true)} failed: ${errorMessage(error)}`);
    }
  }
}

/** Watches the files whose problems outlived their editor: a change re-reads them, a deletion drops their problems. */
function closedFileWatch(diagnostics: vscode.DiagnosticCollection, relint: (uri: vscode.Uri) => Promise<void>): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, false);
  const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
  return [
    watcher,
    watcher.onDidChange((uri) => {
      if (diagnostics.has(uri) && !isOpen(uri)) void relint(uri);
    }),
    watcher.onDidDelete((uri) => diagnostics.delete(uri)),
    vscode.workspace.onDidRenameFiles((event) => event.files.forEach(({ oldUri }) => diagnostics.delete(oldUri))),
  ];
}
