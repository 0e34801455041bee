import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfiguredServers } from '../../core/config/configEditor';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import { SECRET_PREFIX, type BoundSecretLookup } from '../../core/secrets/secretBinding';
import { terminalEnvironment, terminalKeyBindings, type TerminalKeyBinding } from '../../core/secrets/envVars';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import type { TargetLocator } from './targetLocations';
import { StaleFileReader } from '../../core/config/staleFileReader';
import { errorMessage } from '../../core/basics';

const REFRESH_DEBOUNCE_MS = 300;

/** The part of `vscode.workspace` that decides whether keys go into terminals at all. */
export interface WorkspaceTrust {
  readonly isTrusted: boolean;
  readonly onDidGrantWorkspaceTrust: vscode.Event<void>;
}

/** Subscription key ids, current and of the earlier unbound format (`apimMcp.subscriptionKey:<name>`). */
function isSubscriptionKeyId(id: string): boolean {
  return id.startsWith(`${SECRET_PREFIX}.subscriptionKey`);
}

/**
 * Fills the `APIM_MCP_KEY_*` variables that root `.mcp.json` and Copilot CLI configs reference, in VS Code terminals,
 * from SecretStorage. The collection is not persistent, so the values never reach VS Code's storage on disk, and a
 * key is set only when every config naming the variable points at the origin the key was stored for. A watcher event
 * re-reads only the file it names, after a short pause.
 *
 * Restricted Mode gets no variables at all: whatever runs in a terminal of an untrusted folder (its scripts, its
 * package installs) could read them. A key stored or forgotten in another window reaches this one through
 * SecretStorage's own change event, so a forgotten key leaves every window's terminals.
 */
export class TerminalKeyEnvironment implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private _variables: string[] = [];
  /** Each config's key bindings as last read; a watcher event re-reads only the file it names. */
  private readonly configs: StaleFileReader<TerminalKeyBinding[]>;
  private timer: NodeJS.Timeout | undefined;
  private watching = false;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly keys: SubscriptionKeyStore,
    secrets: Pick<vscode.SecretStorage, 'onDidChange'>,
    private readonly locator: TargetLocator,
    private readonly fs: ConfigFileSystem,
    private readonly log: vscode.LogOutputChannel,
    private readonly trust: WorkspaceTrust = vscode.workspace,
  ) {
    collection.persistent = false;
    collection.description = vscode.l10n.t('APIM MCP: subscription keys for the servers in .mcp.json and the Copilot CLI config, from secret storage.');
    this.configs = new StaleFileReader<TerminalKeyBinding[]>({
      list: () => this.configFiles(),
      read: (file) => this.bindingsIn(file),
      changed: (results, files) => this.apply(files.flatMap((f) => results.get(f) ?? [])),
    });
    const relist = () => void this.refresh();
    this.disposables.push(
      // A key was stored or deleted, in this window or another: the configs are as they were, only the values are not.
      secrets.onDidChange((e) => {
        if (!isSubscriptionKeyId(e.key)) return;
        this.configs.touch();
        void this.flush();
      }),
      trust.onDidGrantWorkspaceTrust(relist),
      vscode.workspace.onDidChangeWorkspaceFolders(relist),
    );
  }

  /** The variable names currently set (never their values). */
  get variables(): readonly string[] {
    return this._variables;
  }

  /**
   * Re-reads the configs and SecretStorage now; resolves once a read that started after this call has finished. The
   * first call also starts watching the config files (activation leaves both to just after it returns).
   */
  refresh(): Promise<void> {
    if (!this.watching) {
      this.watching = true;
      const copilot = this.locator.filePath('copilotCli');
      if (copilot) this.watch(new vscode.RelativePattern(vscode.Uri.file(path.dirname(copilot)), path.basename(copilot)));
      this.watch('**/.mcp.json');
    }
    this.configs.invalidate();
    return this.flush();
  }

  private flush(): Promise<void> {
    return this.configs.flush().catch((error: unknown) => {
      this.log.error(`[terminalEnv] ${errorMessage(error)}`);
    });
  }

  /** Reads `file` again after a short pause: a burst of watcher events is one read. */
  private schedule(file: string): void {
    this.configs.invalidate(file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, REFRESH_DEBOUNCE_MS);
  }

  private configFiles(): string[] {
    // Terminals of an untrusted folder get no key, whichever config names it.
    if (!this.trust.isTrusted) return [];
    const files = this.locator.workspaceFiles().filter((f) => f.kind === 'rootDotMcpJson').map((f) => f.path);
    const copilot = this.locator.filePath('copilotCli');
    if (copilot) files.push(copilot);
    return files;
  }

  private async bindingsIn(file: string): Promise<TerminalKeyBinding[]> {
    const snapshot = await this.fs.read(file).catch(() => undefined);
    if (!snapshot) return [];
    const read = readConfiguredServers(new TextDecoder().decode(snapshot.bytes).replace(/^\uFEFF/, ''), 'mcpServers');
    return read.ok ? terminalKeyBindings(read.servers) : [];
  }

  private async apply(bindings: TerminalKeyBinding[]): Promise<void> {
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

  private watch(pattern: vscode.GlobPattern): void {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const changed = (uri: vscode.Uri) => this.schedule(uri.fsPath);
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
