import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { entriesInConfigFile, entryForRecord, type ServerEntry } from '../../core/config/configEntries';
import { StaleFileReader } from '../../core/config/staleFileReader';
import { formatForPath, TARGET_KINDS, type ConfigTargetKind } from '../../core/config/targets';
import { targetLabel } from '../config/targetLabels';
import type { TargetLocator } from '../config/targetLocations';
import type { ServerRegistry } from '../serverRegistry';

export interface SourceGroup {
  readonly kind: ConfigTargetKind;
  readonly label: string;
  readonly entries: readonly ServerEntry[];
  /** Files that could not be read as MCP config, with the reason (shown in the group, never dropped silently). */
  readonly problems: readonly string[];
  /** Servers the folder's workspace settings define, not used while the folder is not trusted (the view says so). */
  readonly ignoredUntilTrusted?: number;
}

const REFRESH_DEBOUNCE_MS = 300;

interface FileRead {
  readonly kind: ConfigTargetKind;
  readonly entries: readonly ServerEntry[];
  readonly problems: readonly string[];
}

/**
 * Every config source an APIM-fronted MCP server can come from: the extension's setting, workspace and user
 * `mcp.json`, root `.mcp.json` and the Copilot CLI config. Files are watched; a change re-reads that file alone
 * after a short pause, so an editor's save-and-format burst causes one re-read.
 *
 * Nothing is read or watched until something asks for the servers (the Servers view's first render, the API, a
 * diagnosis): activation only builds the object, so a window that never shows the view never reads the files.
 */
export class ConfigSources implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidChange];
  private watchers: vscode.Disposable[] = [];
  private current: SourceGroup[] = [];
  private fileGroups: SourceGroup[] = [];
  /** Each config file's servers as last read; a watcher event re-reads only the file it names. */
  private readonly files: StaleFileReader<FileRead | undefined>;
  private timer: NodeJS.Timeout | undefined;
  /** The first read of every file, once something has asked for the servers. */
  private ready: Promise<void> | undefined;
  /** Servers in the folders' .vscode/settings.json while untrusted (VS Code does not show an untrusted folder's value). */
  private folderSettingsServers = 0;

  constructor(
    private readonly registry: ServerRegistry,
    private readonly locator: TargetLocator,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.current = this.withManaged([]);
    this.files = new StaleFileReader<FileRead | undefined>({
      list: () => this.locator.allFiles().map((f) => f.path),
      read: (file) => this.readFile(file),
      changed: (results, files) => this.regroup(results, files),
    });
    this.disposables.push(
      // The setting is already parsed by the registry: show its servers at once, without re-reading files.
      registry.onDidChange(() => {
        this.current = this.withManaged(this.fileGroups);
        this._onDidChange.fire();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        if (!this.ready) return; // not watching yet: the first read lists the folders as they are then
        this.watch();
        this.scheduleRefresh();
        void this.countFolderSettingsServers();
      }),
    );
  }

  /** Resolves once the files have been read at least once (starting the first read if nothing has yet). */
  whenReady(): Promise<void> {
    return this.start();
  }

  /** What is known now: the setting's servers at once; the files' servers after the first read, which this starts. */
  get groups(): readonly SourceGroup[] {
    void this.start();
    return this.current;
  }

  get entries(): ServerEntry[] {
    return this.groups.flatMap((g) => g.entries);
  }

  find(id: string): ServerEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** Re-reads every source; resolves once a read that started after this call has finished. */
  refresh(): Promise<void> {
    if (!this.ready) return this.start();
    this.files.invalidate();
    return this.files.flush();
  }

  /** Watches the files and reads them the first time the servers are asked for; later calls return that read. */
  private start(): Promise<void> {
    if (!this.ready) {
      this.watch();
      this.files.invalidate();
      this.ready = Promise.all([this.files.flush(), this.countFolderSettingsServers()]).then(() => undefined);
    }
    return this.ready;
  }

  /** Re-reads `file` (no file: every source) after a short pause, so an editor's save-and-format burst is one read. */
  scheduleRefresh(file?: string): void {
    if (!this.ready) return void this.start();
    this.files.invalidate(file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.files.flush();
    }, REFRESH_DEBOUNCE_MS);
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const patterns: vscode.RelativePattern[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) patterns.push(new vscode.RelativePattern(folder, '{.vscode/mcp.json,.mcp.json}'));
    for (const file of this.locator.profileFiles()) patterns.push(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file.path)), path.basename(file.path)));
    const changed = (uri: vscode.Uri) => this.scheduleRefresh(uri.fsPath);
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.watchers.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
    }
  }

  private regroup(results: ReadonlyMap<string, FileRead | undefined>, files: readonly string[]): void {
    const byKind = new Map<ConfigTargetKind, { entries: ServerEntry[]; problems: string[] }>();
    for (const file of files) {
      const read = results.get(file);
      if (!read) continue;
      const group = byKind.get(read.kind) ?? { entries: [], problems: [] };
      byKind.set(read.kind, group);
      group.entries.push(...read.entries);
      group.problems.push(...read.problems);
    }
    this.fileGroups = TARGET_KINDS.filter((k) => k !== 'extension').map((kind): SourceGroup => ({
      kind,
      label: targetLabel(kind).name,
      entries: byKind.get(kind)?.entries ?? [],
      problems: byKind.get(kind)?.problems ?? [],
    }));
    this.current = this.withManaged(this.fileGroups);
    this._onDidChange.fire();
  }

  /** One file's servers (parsed once), its problem if it is not MCP config, or undefined when it cannot be read. */
  private async readFile(file: string): Promise<FileRead | undefined> {
    const kind = this.locator.allFiles().find((f) => f.path === file)?.kind;
    if (!kind) return undefined;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
    } catch {
      return undefined;
    }
    const read = entriesInConfigFile(text, formatForPath(file), kind, file);
    if (read.ok) return { kind, entries: read.entries, problems: [] };
    this.log.warn(`[servers] ${file}: ${read.error}`);
    return { kind, entries: [], problems: [read.error] };
  }

  /**
   * In Restricted Mode the registry never reads the folder's `apimMcp.servers`, and VS Code hides that value from
   * extensions, so the file itself is read, only to count them: the Servers view says why they are missing.
   */
  private async countFolderSettingsServers(): Promise<void> {
    if (vscode.workspace.isTrusted) return;
    let count = 0;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json')));
        const servers = (parse(text) as Record<string, unknown> | undefined)?.['apimMcp.servers'];
        if (Array.isArray(servers)) count += servers.length;
      } catch {
        // No settings file in this folder.
      }
    }
    if (count === this.folderSettingsServers) return;
    this.folderSettingsServers = count;
    this.log.warn(`[servers] Restricted Mode: ${count} server(s) in the folder's workspace settings are not used until the folder is trusted`);
    this.current = this.withManaged(this.fileGroups);
    this._onDidChange.fire();
  }

  private withManaged(fileGroups: SourceGroup[]): SourceGroup[] {
    const managed: SourceGroup = {
      kind: 'extension',
      label: targetLabel('extension').name,
      entries: this.registry.servers.map((record) => entryForRecord(record)),
      problems: [...this.registry.problems],
      ignoredUntilTrusted: vscode.workspace.isTrusted ? 0 : this.folderSettingsServers,
    };
    return [managed, ...fileGroups].filter((g) => g.entries.length > 0 || g.problems.length > 0 || (g.ignoredUntilTrusted ?? 0) > 0);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
