import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectFileFormat } from '../../core/config/configEditor';
import { entriesInConfigFile, entryForRecord, type ServerEntry } from '../../core/config/configEntries';
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
}

const REFRESH_DEBOUNCE_MS = 300;

/**
 * Every config source an APIM-fronted MCP server can come from: the extension's setting, workspace and user
 * `mcp.json`, root `.mcp.json` and the Copilot CLI config. Files are watched; changes refresh after a short pause,
 * so an editor's save-and-format burst causes one re-read.
 */
export class ConfigSources implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidChange];
  private watchers: vscode.Disposable[] = [];
  private current: SourceGroup[] = [];
  private fileGroups: SourceGroup[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readonly ready: Promise<void>;

  constructor(
    private readonly registry: ServerRegistry,
    private readonly locator: TargetLocator,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.current = this.withManaged([]);
    this.disposables.push(
      // The setting is already parsed by the registry: show its servers at once, without re-reading files.
      registry.onDidChange(() => {
        this.current = this.withManaged(this.fileGroups);
        this._onDidChange.fire();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        this.scheduleRefresh();
      }),
    );
    this.watch();
    this.ready = this.refresh();
  }

  /** Resolves once the files have been read at least once. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  get groups(): readonly SourceGroup[] {
    return this.current;
  }

  get entries(): ServerEntry[] {
    return this.current.flatMap((g) => g.entries);
  }

  find(id: string): ServerEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** Re-reads every source now; concurrent calls share one read. */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const patterns: vscode.RelativePattern[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) patterns.push(new vscode.RelativePattern(folder, '{.vscode/mcp.json,.mcp.json}'));
    for (const file of this.locator.profileFiles()) patterns.push(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file.path)), path.basename(file.path)));
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.watchers.push(
        watcher,
        watcher.onDidChange(() => this.scheduleRefresh()),
        watcher.onDidCreate(() => this.scheduleRefresh()),
        watcher.onDidDelete(() => this.scheduleRefresh()),
      );
    }
  }

  private async read(): Promise<void> {
    const byKind = new Map<ConfigTargetKind, { entries: ServerEntry[]; problems: string[] }>();
    for (const file of this.locator.allFiles()) {
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file.path)));
      } catch {
        continue;
      }
      const group = byKind.get(file.kind) ?? { entries: [], problems: [] };
      byKind.set(file.kind, group);
      const format = detectFileFormat(text) ?? formatForPath(file.path);
      if (!format) continue;
      const read = entriesInConfigFile(text, format, file.kind, file.path);
      if (read.ok) group.entries.push(...read.entries);
      else {
        group.problems.push(read.error);
        this.log.warn(`[servers] ${file.path}: ${read.error}`);
      }
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

  private withManaged(fileGroups: SourceGroup[]): SourceGroup[] {
    const managed: SourceGroup = {
      kind: 'extension',
      label: targetLabel('extension').name,
      entries: this.registry.servers.map((record) => entryForRecord(record)),
      problems: [...this.registry.problems],
    };
    return [managed, ...fileGroups].filter((g) => g.entries.length > 0 || g.problems.length > 0);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
