import * as vscode from 'vscode';
import { parseServerList, type ServerList, type ServerRecord } from '../core/serverRecord';

const SECTION = 'apimMcp';
const KEY = 'servers';

/**
 * The servers kept in the `apimMcp.servers` setting. In Restricted Mode only the user-level value is read:
 * a workspace could otherwise point stored keys and tokens at a URL of its choosing.
 */
export class ServerRegistry implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidChange];
  private current: ServerList;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${KEY}`)) this.reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()),
    );
  }

  get servers(): readonly ServerRecord[] {
    return this.current.servers;
  }

  get problems(): readonly string[] {
    return this.current.problems;
  }

  find(name: string): ServerRecord | undefined {
    return this.current.servers.find((s) => s.name === name);
  }

  /** Adds or replaces a server in the user settings (never the workspace: that file may be shared). */
  async upsert(record: Record<string, unknown> & { name: string }): Promise<void> {
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>(KEY);
    const existing = Array.isArray(inspected?.globalValue) ? inspected.globalValue : [];
    const others = existing.filter((e) => (e as { name?: unknown })?.name !== record.name);
    await vscode.workspace.getConfiguration(SECTION).update(KEY, [...others, record], vscode.ConfigurationTarget.Global);
  }

  private reload(): void {
    this.current = this.read();
    this._onDidChange.fire();
  }

  private read(): ServerList {
    const config = vscode.workspace.getConfiguration(SECTION);
    let raw: unknown;
    if (vscode.workspace.isTrusted) {
      raw = config.get<unknown>(KEY);
    } else {
      raw = config.inspect<unknown>(KEY)?.globalValue;
      const workspaceValue = config.inspect<unknown>(KEY)?.workspaceValue;
      if (Array.isArray(workspaceValue) && workspaceValue.length > 0) {
        this.log.warn('[servers] Restricted Mode: ignoring servers defined in workspace settings until the folder is trusted');
      }
    }
    const list = parseServerList(raw);
    for (const problem of list.problems) this.log.warn(`[servers] ${problem}`);
    return list;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
