import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectFileFormat } from '../core/config/configEditor';
import { copilotConfigPath, formatForPath, type ConfigTargetKind } from '../core/config/targets';
import { entriesInConfigFile, entryForRecord, SOURCE_ORDER, type ServerEntry } from './panel/configEntries';
import type { ServerRegistry } from './serverRegistry';

export interface SourceGroup {
  readonly kind: ConfigTargetKind;
  readonly label: string;
  readonly entries: readonly ServerEntry[];
  /** Files that could not be read as MCP config, with the reason (shown in the group, never dropped silently). */
  readonly problems: readonly string[];
}

export interface ConfigLocations {
  /** The VS Code user profile folder that holds the user `mcp.json` and `settings.json`. */
  readonly userProfileFolder?: string;
  readonly homeDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const SOURCE_LABELS: Readonly<Record<ConfigTargetKind, string>> = {
  extension: 'APIM MCP settings',
  workspaceMcpJson: 'Workspace mcp.json',
  userMcpJson: 'User mcp.json',
  rootDotMcpJson: 'Workspace .mcp.json',
  copilotCli: 'Copilot CLI config',
};

const REFRESH_DEBOUNCE_MS = 300;

/** The user profile folder is the grandparent of the extension's global storage (`<profile>/globalStorage/<ext>`). */
export function configLocations(context: vscode.ExtensionContext): ConfigLocations {
  const storage = context.globalStorageUri;
  return {
    userProfileFolder: storage.scheme === 'file' ? path.dirname(path.dirname(storage.fsPath)) : undefined,
    homeDir: os.homedir(),
    env: process.env,
  };
}

interface SourceFile {
  readonly kind: ConfigTargetKind;
  readonly uri: vscode.Uri;
}

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
    private readonly locations: ConfigLocations,
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

  private files(): SourceFile[] {
    const files: SourceFile[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      files.push({ kind: 'workspaceMcpJson', uri: vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json') });
      files.push({ kind: 'rootDotMcpJson', uri: vscode.Uri.joinPath(folder.uri, '.mcp.json') });
    }
    if (this.locations.userProfileFolder) files.push({ kind: 'userMcpJson', uri: vscode.Uri.file(path.join(this.locations.userProfileFolder, 'mcp.json')) });
    files.push({ kind: 'copilotCli', uri: vscode.Uri.file(copilotConfigPath(this.locations.homeDir, this.locations.env)) });
    return files;
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const patterns: vscode.RelativePattern[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) patterns.push(new vscode.RelativePattern(folder, '{.vscode/mcp.json,.mcp.json}'));
    for (const file of this.files().filter((f) => f.kind === 'userMcpJson' || f.kind === 'copilotCli')) {
      patterns.push(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file.uri.fsPath)), path.basename(file.uri.fsPath)));
    }
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
    for (const file of this.files()) {
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file.uri));
      } catch {
        continue;
      }
      const group = byKind.get(file.kind) ?? { entries: [], problems: [] };
      byKind.set(file.kind, group);
      const format = detectFileFormat(text) ?? formatForPath(file.uri.fsPath);
      if (!format) continue;
      const read = entriesInConfigFile(text, format, file.kind, file.uri.fsPath);
      if (read.ok) group.entries.push(...read.entries);
      else {
        group.problems.push(read.error);
        this.log.warn(`[servers] ${file.uri.fsPath}: ${read.error}`);
      }
    }
    this.fileGroups = SOURCE_ORDER.filter((k) => k !== 'extension').map((kind): SourceGroup => ({
      kind,
      label: SOURCE_LABELS[kind],
      entries: byKind.get(kind)?.entries ?? [],
      problems: byKind.get(kind)?.problems ?? [],
    }));
    this.current = this.withManaged(this.fileGroups);
    this._onDidChange.fire();
  }

  private withManaged(fileGroups: SourceGroup[]): SourceGroup[] {
    const managed: SourceGroup = {
      kind: 'extension',
      label: SOURCE_LABELS.extension,
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
