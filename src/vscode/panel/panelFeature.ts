/**
 * Entry of dist/panel.js: the diagnostics panels and Open Config, loaded the first time a diagnosis, Open Config or a
 * panel restored after a reload needs them (registerTroubleshooting.ts holds the stubs and the panel serializer).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { settingsEntryLine, type ServerEntry } from '../../core/config/configEntries';
import { targetLabel } from '../config/targetLabels';
import type { TargetLocator } from '../config/targetLocations';
import type { ConfigSources } from '../servers/configSources';
import type { PanelState } from '../../shared/protocol';
import { DiagnosticsPanels } from './diagnosticsPanels';
import type { PanelDeps } from './diagnosticsPanel';

export interface PanelFeature extends vscode.Disposable {
  diagnose(arg: EntryArg): Promise<void>;
  openConfig(arg: EntryArg): Promise<void>;
  /** The open panels' redacted state (no secrets), for tests and other extensions. */
  states(): PanelState[];
  deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void>;
}

export function createPanelFeature(deps: PanelDeps & { readonly locator: TargetLocator }): PanelFeature {
  const { sources } = deps;
  const panels = new DiagnosticsPanels(deps);
  return {
    async diagnose(arg) {
      const entry = await pickEntry(sources, arg, vscode.l10n.t('Diagnose which server?'));
      if (entry) await panels.show(entry, { run: true });
    },
    async openConfig(arg) {
      const entry = await pickEntry(sources, arg, vscode.l10n.t('Open the config of which server?'));
      if (!entry) return;
      if (entry.file) {
        await openAt(vscode.Uri.file(entry.file), entry.line ?? 0);
        return;
      }
      const location = await settingsLocation(entry, deps.locator);
      if (location) await openAt(location.uri, location.line);
      else await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    },
    states: () => panels.all().map((p) => p.currentState),
    deserializeWebviewPanel: (webviewPanel, state) => panels.deserializeWebviewPanel(webviewPanel, state),
    dispose: () => panels.dispose(),
  };
}

/** A tree node, an entry id or server name (from code and tests), or nothing (from the palette: pick one). */
export type EntryArg = { entry?: ServerEntry } | string | undefined;

async function pickEntry(sources: ConfigSources, arg: EntryArg, title: string): Promise<ServerEntry | undefined> {
  await sources.whenReady();
  if (typeof arg === 'string') {
    const entry = sources.find(arg) ?? sources.entries.find((e) => e.name === arg);
    if (!entry) void vscode.window.showErrorMessage(vscode.l10n.t('APIM MCP: there is no server "{0}" in any config source.', arg));
    return entry;
  }
  if (arg && typeof arg === 'object' && arg.entry) return sources.find(arg.entry.id) ?? arg.entry;
  const entries = sources.entries;
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: no servers found. Add one with "APIM MCP: Add Secured MCP Server".'));
    return undefined;
  }
  if (entries.length === 1) return entries[0];
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({ label: entry.name, description: entry.url, detail: targetLabel(entry.source).name, entry })),
    { title, ignoreFocusOut: true, matchOnDescription: true },
  );
  return picked?.entry;
}

/** The settings file that holds an extension-managed server, and the line of its entry. */
async function settingsLocation(entry: ServerEntry, locator: TargetLocator): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  const inspected = vscode.workspace.getConfiguration('apimMcp').inspect<unknown[]>('servers');
  const named = (list: unknown) => Array.isArray(list) && list.some((i) => (i as { name?: unknown })?.name === entry.name);
  const candidates: vscode.Uri[] = [];
  const folder = locator.workspaceFolder;
  if (named(inspected?.workspaceFolderValue) || named(inspected?.workspaceValue)) {
    if (vscode.workspace.workspaceFile && vscode.workspace.workspaceFile.scheme === 'file') candidates.push(vscode.workspace.workspaceFile);
    if (folder) candidates.push(vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'));
  }
  const profile = locator.locations().userProfileFolder;
  if (named(inspected?.globalValue) && profile) candidates.push(vscode.Uri.file(path.join(profile, 'settings.json')));
  for (const uri of candidates) {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const line = settingsEntryLine(text, entry.name);
      if (line !== undefined) return { uri, line };
    } catch {
      // Not there: try the next scope.
    }
  }
  return undefined;
}

async function openAt(uri: vscode.Uri, line: number): Promise<void> {
  const position = new vscode.Position(line, 0);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: false });
}
