import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfiguredServers } from '../../core/config/configEditor';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import type { BoundSecretLookup } from '../../core/secrets/secretBinding';
import { terminalEnvironment, terminalKeyBindings, type TerminalKeyBinding } from '../../core/secrets/envVars';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import type { TargetLocator } from './targetLocations';
import { errorMessage } from '../../core/basics';

/**
 * Fills the `APIM_MCP_KEY_*` variables that root `.mcp.json` and Copilot CLI configs reference, in VS Code terminals,
 * from SecretStorage. The collection is not persistent, so the values never reach VS Code's storage on disk, and a
 * key is set only when every config naming the variable points at the origin the key was stored for.
 */
export class TerminalKeyEnvironment implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private running: Promise<void> = Promise.resolve();
  private _variables: string[] = [];

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly keys: SubscriptionKeyStore,
    private readonly locator: TargetLocator,
    private readonly fs: ConfigFileSystem,
    private readonly log: vscode.LogOutputChannel,
  ) {
    collection.persistent = false;
    collection.description = vscode.l10n.t('APIM MCP: subscription keys for the servers in .mcp.json and the Copilot CLI config, from secret storage.');
    const refresh = () => void this.refresh();
    this.disposables.push(
      keys.onDidChange(refresh),
      vscode.workspace.onDidGrantWorkspaceTrust(refresh),
      vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    );
    const copilot = locator.filePath('copilotCli');
    if (copilot) this.watch(new vscode.RelativePattern(vscode.Uri.file(path.dirname(copilot)), path.basename(copilot)), refresh);
    this.watch('**/.mcp.json', refresh);
  }

  /** The variable names currently set (never their values). */
  get variables(): readonly string[] {
    return this._variables;
  }

  /** Re-reads the configs and SecretStorage; calls are serialised so the last one wins. */
  refresh(): Promise<void> {
    this.running = this.running.then(() => this.apply()).catch((error: unknown) => {
      this.log.error(`[terminalEnv] ${errorMessage(error)}`);
    });
    return this.running;
  }

  private async apply(): Promise<void> {
    const files: string[] = [];
    // A workspace's .mcp.json names the URL the key would go to: only trusted folders get to do that.
    if (vscode.workspace.isTrusted) files.push(...this.locator.workspaceFiles().filter((f) => f.kind === 'rootDotMcpJson').map((f) => f.path));
    const copilot = this.locator.filePath('copilotCli');
    if (copilot) files.push(copilot);
    const bindings: TerminalKeyBinding[] = [];
    for (const file of files) {
      const snapshot = await this.fs.read(file).catch(() => undefined);
      if (!snapshot) continue;
      const read = readConfiguredServers(new TextDecoder().decode(snapshot.bytes).replace(/^\uFEFF/, ''), 'mcpServers');
      if (read.ok) bindings.push(...terminalKeyBindings(read.servers));
    }
    const lookups = new Map<string, BoundSecretLookup>();
    for (const b of bindings) {
      const id = `${b.serverName}\n${b.origin}`;
      if (!lookups.has(id)) lookups.set(id, await this.keys.lookup(b.serverName, b.origin));
    }
    const env = terminalEnvironment(bindings, (name, origin) => lookups.get(`${name}\n${origin}`) ?? { kind: 'missing' });
    this.collection.clear();
    for (const [name, secret] of env.env) this.collection.replace(name, secret.reveal());
    this._variables = [...env.env.keys()].sort();
    for (const w of env.withheld) this.log.info(`[terminalEnv] ${w.envVar} not set (${w.reason}; ${w.origins.join(', ')})`);
    if (this._variables.length > 0) this.log.info(`[terminalEnv] set in terminals: ${this._variables.join(', ')}`);
  }

  private watch(pattern: vscode.GlobPattern, onChange: () => void): void {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    this.disposables.push(watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
