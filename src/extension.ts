import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands';
import { ApimMcpServerProvider, MCP_PROVIDER_ID } from './vscode/mcpProvider';
import { ServerRegistry } from './vscode/serverRegistry';
import { ServerStatusStore, type ServerStatus } from './vscode/serverStatus';
import { ServersTreeDataProvider, SERVERS_VIEW_ID } from './vscode/serversView';
import { SubscriptionKeyStore } from './vscode/subscriptionKeyStore';

/** What other extensions (and this extension's own tests) may read. Nothing here exposes a secret. */
export interface ApimMcpApi {
  readonly apiVersion: 1;
  getServerStatus(name: string): ServerStatus;
  /** The names of the servers this extension currently provides to VS Code. */
  serverNames(): string[];
}

export function activate(context: vscode.ExtensionContext): ApimMcpApi {
  const log = vscode.window.createOutputChannel('APIM MCP', { log: true });
  context.subscriptions.push(log);

  const registry = new ServerRegistry(log);
  const keys = new SubscriptionKeyStore(context.secrets);
  const status = new ServerStatusStore();
  context.subscriptions.push(registry, keys, status);

  const provider = new ApimMcpServerProvider(registry, keys, status, log);
  context.subscriptions.push(provider, vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));

  const tree = new ServersTreeDataProvider(registry, status);
  context.subscriptions.push(tree, vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false }));

  context.subscriptions.push(registerCommands({ extensionId: context.extension.id, registry, keys, tree, provider, log }));

  log.info(`[activate] ${registry.servers.length} server(s) configured; workspace trusted: ${vscode.workspace.isTrusted}`);
  return { apiVersion: 1, getServerStatus: (name) => status.get(name), serverNames: () => registry.servers.map((s) => s.name) };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
