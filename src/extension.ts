import * as vscode from 'vscode';
import { registerAuthCommands } from './vscode/auth/authCommands';
import { EntraTokenService } from './vscode/auth/entraTokens';
import { registerCommands } from './vscode/commands';
import { ConfigSources, configLocations } from './vscode/configSources';
import { registerConfigFeatures } from './vscode/config/registerConfigFeatures';
import { registerTroubleshooting } from './vscode/panel/registerTroubleshooting';
import { registerPolicyTools } from './vscode/policy/registerPolicyTools';
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

  const tokens = new EntraTokenService(context.secrets, log, (name) => registry.find(name));
  context.subscriptions.push(tokens, registerAuthCommands(registry, tokens, log));
  const provider = new ApimMcpServerProvider(registry, keys, status, log, { tokens, extensionId: context.extension.id });
  context.subscriptions.push(provider, vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));

  const locations = configLocations(context);
  const sources = new ConfigSources(registry, locations, log);
  const tree = new ServersTreeDataProvider(registry, status, sources);
  context.subscriptions.push(sources, tree, vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false }));
  context.subscriptions.push(registerTroubleshooting({ extensionUri: context.extensionUri, locations, sources, tree, keys, tokens, log }));

  context.subscriptions.push(registerCommands({ extensionId: context.extension.id, registry, keys, tree, provider, log }));

  context.subscriptions.push(registerPolicyTools(context, log));
  context.subscriptions.push(registerConfigFeatures({ context, registry, keys, status, log }));

  log.info(`[activate] ${registry.servers.length} server(s) configured; workspace trusted: ${vscode.workspace.isTrusted}`);
  return { apiVersion: 1, getServerStatus: (name) => status.get(name), serverNames: () => registry.servers.map((s) => s.name) };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
