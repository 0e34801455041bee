import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PolicyExpectationStore } from '../policyExpectationStore';
import { settingsEntryLine, type ServerEntry } from '../../core/config/configEntries';
import type { EntraTokenService } from '../auth/entraTokens';
import type { TokenOriginConsent } from '../auth/tokenOriginConsent';
import { targetLabel } from '../config/targetLabels';
import type { TargetLocator } from '../config/targetLocations';
import type { ConfigSources } from '../servers/configSources';
import type { ServersTreeDataProvider } from '../servers/serversView';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { DiagnosticsPanels } from './diagnosticsPanels';

export interface TroubleshootingDeps {
  readonly extensionUri: vscode.Uri;
  readonly locator: TargetLocator;
  readonly sources: ConfigSources;
  readonly tree: ServersTreeDataProvider;
  readonly keys: SubscriptionKeyStore;
  readonly tokens?: EntraTokenService;
  readonly tokenConsent?: TokenOriginConsent;
  readonly policyExpectations?: PolicyExpectationStore;
  readonly terminalVariables: (name: string) => boolean;
  readonly log: vscode.LogOutputChannel;
}

/** A tree node, an entry id or server name (from code and tests), or nothing (from the palette: pick one). */
type EntryArg = { entry?: ServerEntry } | string | undefined;

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

export function registerTroubleshooting(deps: TroubleshootingDeps): vscode.Disposable {
  const { sources, log } = deps;
  const panels = new DiagnosticsPanels({ extensionUri: deps.extensionUri, sources, tree: deps.tree, keys: deps.keys, tokens: deps.tokens, tokenConsent: deps.tokenConsent, policyExpectations: deps.policyExpectations, terminalVariables: deps.terminalVariables, log });

  return vscode.Disposable.from(
    panels,
    vscode.commands.registerCommand('apimMcp.diagnose', async (arg: EntryArg) => {
      const entry = await pickEntry(sources, arg, vscode.l10n.t('Diagnose which server?'));
      if (entry) await panels.show(entry, { run: true });
    }),
    vscode.commands.registerCommand('apimMcp.openConfig', async (arg: EntryArg) => {
      const entry = await pickEntry(sources, arg, vscode.l10n.t('Open the config of which server?'));
      if (!entry) return;
      if (entry.file) {
        await openAt(vscode.Uri.file(entry.file), entry.line ?? 0);
        return;
      }
      const location = await settingsLocation(entry, deps.locator);
      if (location) await openAt(location.uri, location.line);
      else await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    }),
    // A read-only view (no secrets: the redacted panel state), for tests and other extensions.
    vscode.commands.registerCommand('apimMcp.diagnostics.state', () => panels.all().map((p) => p.currentState)),
  );
}
