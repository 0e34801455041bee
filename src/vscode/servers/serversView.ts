import * as vscode from 'vscode';
import { entryForRecord, type ServerEntry } from '../../core/config/configEntries';
import { codeSpan } from '../../core/diagnosis/report';
import { usesEntra, usesSubscriptionKey, type ServerRecord } from '../../core/serverRecord';
import { targetLabel } from '../config/targetLabels';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerHealth, ServerStatus, ServerStatusStore } from '../serverStatus';
import type { ConfigSources, SourceGroup } from './configSources';
import { authLabel, healthLabel } from './serverLabels';
import { redactUrl } from '../../core/secrets/urlRedaction';

export const SERVERS_VIEW_ID = 'apimMcp.servers';

/**
 * Tree nodes. Extension-managed servers keep the `{ kind: 'server', server }` shape the existing commands accept
 * (Set Key, Start, Sign In); servers from files are `fileServer` nodes, handled by the troubleshooting commands.
 */
type Node =
  | { kind: 'group'; group: SourceGroup }
  | { kind: 'server'; server: ServerRecord; entry: ServerEntry }
  /** `server.name` lets the config commands (Remove Server, Forget Secrets) take the node too. */
  | { kind: 'fileServer'; entry: ServerEntry; server: { readonly name: string } }
  | { kind: 'problem'; text: string }
  /** Servers of the folder's workspace settings, not used in Restricted Mode: the row says why and how to use them. */
  | { kind: 'untrusted'; count: number };

const HEALTH_ICONS: Record<ServerHealth, vscode.ThemeIcon> = {
  healthy: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failing: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unknown: new vscode.ThemeIcon('circle-large-outline'),
  vscode: new vscode.ThemeIcon('vscode'),
};

/** The config files VS Code itself starts servers from. */
const VSCODE_SOURCES: ReadonlySet<string> = new Set(['userMcpJson', 'workspaceMcpJson', 'rootDotMcpJson']);

/**
 * `;`-separated capability tokens, matched by the menus' `viewItem` regexes. It starts with the shape the first
 * version used (`apimMcp.server.key` / `apimMcp.server.nokey`) so older `when` clauses keep working.
 */
export function contextValueOf(entry: ServerEntry): string {
  const tokens = [`apimMcp.server.${usesSubscriptionKey(entry.auth) ? 'key' : 'nokey'}`];
  tokens.push(entry.source === 'extension' ? 'managed' : 'file');
  if (usesEntra(entry.auth)) tokens.push('entra');
  if (entry.file || entry.source === 'extension') tokens.push('config');
  // Start: the provider's servers, and those VS Code starts from its own files.
  if (entry.source === 'extension' || VSCODE_SOURCES.has(entry.source)) tokens.push('startable');
  return `${tokens.join(';')};`;
}

/** The Servers troubleshooting view: APIM-fronted servers from every config source, with auth kind and last status. */
export class ServersTreeDataProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidChangeTreeData];

  constructor(
    private readonly registry: ServerRegistry,
    private readonly status: ServerStatusStore,
    private readonly sources?: ConfigSources,
  ) {
    this.disposables.push(
      registry.onDidChange(() => this._onDidChangeTreeData.fire()),
      status.onDidChange(() => this._onDidChangeTreeData.fire()),
    );
    if (sources) this.disposables.push(sources.onDidChange(() => this._onDidChangeTreeData.fire()));
  }

  /** Re-reads the config files (Refresh Servers) and redraws. */
  refresh(): void {
    if (this.sources) void this.sources.refresh();
    else this._onDidChangeTreeData.fire();
  }

  /** Records the outcome of a diagnosis that ran with the server's credentials, so the row shows it. */
  setDiagnosed(entry: ServerEntry, health: 'healthy' | 'failing', detail?: string): void {
    this.status.setDiagnosed(entry.id, entry.name, health, detail);
  }

  /**
   * What this window knows: for an extension-managed server, VS Code's resolve calls; for a server in a file VS Code
   * reads, "VS Code's" unless a start was seen in VS Code's tool list; a newer diagnosis with the credentials wins.
   */
  statusOf(entry: ServerEntry): ServerStatus {
    const observed =
      entry.source === 'extension'
        ? this.status.get(entry.name)
        : (this.status.fileStart(entry.id) ?? (VSCODE_SOURCES.has(entry.source) ? { health: 'vscode' as const, at: 0 } : { health: 'unknown' as const, at: 0 }));
    const diagnosis = this.status.diagnosis(entry.id);
    return diagnosis && diagnosis.at >= observed.at ? diagnosis : observed;
  }

  private groups(): readonly SourceGroup[] {
    if (this.sources) return this.sources.groups;
    // Without config sources (older composition), the setting alone.
    const managed: SourceGroup = { kind: 'extension', label: targetLabel('extension').name, entries: this.registry.servers.map((record) => entryForRecord(record)), problems: [...this.registry.problems] };
    return managed.entries.length > 0 || managed.problems.length > 0 ? [managed] : [];
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      // The first render waits for the first read of the config files (VS Code shows the view's progress bar), so the
      // rows do not appear in two steps and move under the pointer when the files' groups arrive.
      // A failed read (it is retried on the next change) must not leave the view blank: show what is known.
      await this.sources?.whenReady().catch(() => undefined);
      // An empty list lets the view's welcome content (with "Add Secured MCP Server") show.
      return this.groups().map((group): Node => ({ kind: 'group', group }));
    }
    if (node.kind !== 'group') return [];
    return [
      ...node.group.entries.map((entry): Node => (entry.record ? { kind: 'server', server: entry.record, entry } : { kind: 'fileServer', entry, server: { name: entry.name } })),
      ...node.group.problems.map((text): Node => ({ kind: 'problem', text })),
      ...(node.group.ignoredUntilTrusted ? [{ kind: 'untrusted', count: node.group.ignoredUntilTrusted } satisfies Node] : []),
    ];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.group.kind}`;
        item.iconPath = new vscode.ThemeIcon(targetLabel(node.group.kind).icon);
        item.description = vscode.l10n.t('{0} server(s)', node.group.entries.length);
        item.contextValue = 'apimMcp.group';
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(vscode.l10n.t('Invalid server entry'));
        item.description = node.text;
        item.tooltip = node.text;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.command = { command: 'workbench.action.openSettingsJson', title: vscode.l10n.t('Open Settings (JSON)') };
        return item;
      }
      case 'untrusted':
        return untrustedItem(node.count);
      default:
        return this.serverItem(node.entry);
    }
  }

  private serverItem(entry: ServerEntry): vscode.TreeItem {
    const status = this.statusOf(entry);
    const item = new vscode.TreeItem(entry.name);
    item.id = `server:${entry.id}`;
    const auth = authLabel(entry.auth);
    const health = healthLabel(status.health);
    item.description = auth;
    item.iconPath = HEALTH_ICONS[status.health];
    item.contextValue = contextValueOf(entry);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    tooltip.appendMarkdown(`**${escapeMarkdown(entry.name)}**\n\n`);
    // A `subscription-key` query parameter is a key: shown as ***.
    tooltip.appendMarkdown(`${escapeMarkdown(redactUrl(entry.url))}\n\n`);
    tooltip.appendMarkdown(`${vscode.l10n.t('Auth')}: ${auth}`);
    // A code span shows its text literally: escaping inside it would show the backslashes (issue 18.8).
    if (usesSubscriptionKey(entry.auth)) tooltip.appendMarkdown(` (${codeSpan(entry.keyHeaderName)})`);
    if (entry.file) tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Defined in')}: ${escapeMarkdown(entry.file)}`);
    tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Status')}: ${health}`);
    if (status.detail) tooltip.appendMarkdown(` — ${escapeMarkdown(status.detail)}`);
    item.tooltip = tooltip;
    item.accessibilityInformation = {
      label: vscode.l10n.t({ message: '{0}, {1}, status {2}', args: [entry.name, auth, health], comment: ['Screen reader label of a server row: its name, how it authenticates, its last status.'] }),
    };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The row that says why the folder's settings servers are missing: Restricted Mode; it opens Manage Workspace Trust. */
function untrustedItem(count: number): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('{0} server(s) in this folder\'s settings not used', count));
  item.id = 'untrusted:workspaceSettings';
  item.description = vscode.l10n.t('Restricted Mode');
  const why = vscode.l10n.t('This folder is not trusted (Restricted Mode). The servers its workspace settings define (apimMcp.servers) are not used, and no key or token is sent for them, until you trust the folder.');
  item.tooltip = why;
  item.iconPath = new vscode.ThemeIcon('workspace-untrusted');
  item.command = { command: 'workbench.trust.manage', title: vscode.l10n.t('Manage Workspace Trust') };
  item.accessibilityInformation = { label: `${item.label as string}. ${why}` };
  return item;
}

/** The Servers view and its Refresh command. */
export function registerServersView(tree: ServersTreeDataProvider): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false }),
    vscode.commands.registerCommand('apimMcp.refreshServers', () => tree.refresh()),
  );
}

/** Server-provided text (names, URLs, gateway messages) is data: escape it so it cannot format or link. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

