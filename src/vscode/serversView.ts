import * as vscode from 'vscode';
import { usesSubscriptionKey, type AuthKind, type ServerRecord } from '../core/serverRecord';
import type { ServerRegistry } from './serverRegistry';
import type { ServerHealth, ServerStatusStore } from './serverStatus';

export const SERVERS_VIEW_ID = 'apimMcp.servers';

type Node = { kind: 'server'; server: ServerRecord } | { kind: 'problem'; text: string };

const AUTH_LABELS: Record<AuthKind, string> = {
  subscriptionKey: 'subscription key',
  entra: 'Entra ID',
  subscriptionKeyAndEntra: 'key + Entra ID',
  none: 'no auth',
};

const HEALTH_ICONS: Record<ServerHealth, vscode.ThemeIcon> = {
  healthy: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failing: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unknown: new vscode.ThemeIcon('circle-large-outline'),
};

/** The Servers troubleshooting view: each server with its auth kind and last known status. */
export class ServersTreeDataProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidChangeTreeData];

  constructor(
    private readonly registry: ServerRegistry,
    private readonly status: ServerStatusStore,
  ) {
    this.disposables.push(
      registry.onDidChange(() => this.refresh()),
      status.onDidChange(() => this.refresh()),
    );
  }

  refresh(): void {
    this._onDidChangeTreeData.fire();
  }

  getChildren(node?: Node): Node[] {
    if (node) return [];
    // An empty list lets the view's welcome content (with "Add Secured MCP Server") show.
    return [
      ...this.registry.servers.map((server): Node => ({ kind: 'server', server })),
      ...this.registry.problems.map((text): Node => ({ kind: 'problem', text })),
    ];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(vscode.l10n.t('Invalid entry in apimMcp.servers'));
      item.description = node.text;
      item.tooltip = node.text;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.command = { command: 'workbench.action.openSettingsJson', title: vscode.l10n.t('Open Settings (JSON)') };
      return item;
    }
    const { server } = node;
    const status = this.status.get(server.name);
    const item = new vscode.TreeItem(server.name);
    item.id = `server:${server.name}`;
    item.description = AUTH_LABELS[server.auth];
    item.iconPath = HEALTH_ICONS[status.health];
    item.contextValue = `apimMcp.server.${usesSubscriptionKey(server.auth) ? 'key' : 'nokey'}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    tooltip.appendMarkdown(`**${escapeMarkdown(server.name)}**\n\n`);
    tooltip.appendMarkdown(`${escapeMarkdown(server.url)}\n\n`);
    tooltip.appendMarkdown(`${vscode.l10n.t('Auth')}: ${AUTH_LABELS[server.auth]}`);
    if (usesSubscriptionKey(server.auth)) tooltip.appendMarkdown(` (\`${escapeMarkdown(server.keyHeaderName)}\`)`);
    tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Status')}: ${status.health}`);
    if (status.detail) tooltip.appendMarkdown(` — ${escapeMarkdown(status.detail)}`);
    item.tooltip = tooltip;
    item.accessibilityInformation = {
      label: vscode.l10n.t('{0}, {1}, status {2}', server.name, AUTH_LABELS[server.auth], status.health),
    };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Server-provided text (names, URLs, gateway messages) is data: escape it so it cannot format or link. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

export type ServerNode = Node;
