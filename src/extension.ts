import * as vscode from 'vscode';
import type { ConfigTargetKind } from './core/config/targets';
import { createNodeConfigFileSystem } from './core/config/nodeConfigFileSystem';
import type { AuthKind } from './core/serverRecord';
import { registerAuthCommands } from './vscode/auth/authCommands';
import { LazyEntraTokens } from './vscode/auth/lazyEntraTokens';
import { TokenOriginConsent } from './vscode/auth/tokenOriginConsent';
import { registerConfigFeatures } from './vscode/config/registerConfigFeatures';
import { TargetLocator } from './vscode/config/targetLocations';
import { TerminalKeyEnvironment } from './vscode/config/terminalKeyEnvironment';
import { ApimMcpServerProvider, MCP_PROVIDER_ID } from './vscode/mcp/mcpProvider';
import { registerServerCommands } from './vscode/mcp/serverCommands';
import { registerTroubleshooting } from './vscode/panel/registerTroubleshooting';
import { registerPolicyTools } from './vscode/policy/registerPolicyTools';
import { safeRegister } from './vscode/safeRegister';
import { ServerRegistry } from './vscode/serverRegistry';
import { ConfigSources } from './vscode/servers/configSources';
import { registerServersView, ServersTreeDataProvider } from './vscode/servers/serversView';
import { ServerStatusStore, type ServerHealth, type ServerStatus } from './vscode/serverStatus';
import { PolicyExpectationStore } from './vscode/policyExpectationStore';
import { SubscriptionKeyStore } from './vscode/subscriptionKeyStore';
import { registerAddServer } from './vscode/wizard/registerAddServer';
import { registerWalkthroughProgress } from './vscode/walkthroughProgress';
import { redactUrl } from './core/secrets/urlRedaction';
import { useL10nBundle } from './core/text/coreL10n';

/** A server as the Servers view lists it: where it is defined and its last status. Never a secret. */
export interface ServerSummary {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly source: ConfigTargetKind;
  readonly auth: AuthKind;
  readonly file?: string;
  readonly line?: number;
  /** How a file entry supplies its key: a password input, an environment variable, or plaintext. */
  readonly keySupply?: 'input' | 'env' | 'plaintext';
  readonly status: ServerHealth;
}

/** What other extensions (and this extension's own tests) may read. Nothing here exposes a secret. */
export interface ApimMcpApi {
  readonly apiVersion: 1;
  getServerStatus(name: string): ServerStatus;
  /** The names of the servers this extension currently provides to VS Code. */
  serverNames(): string[];
  /** Every APIM-fronted server in every config source, once the config files have been read. */
  listServers(): Promise<ServerSummary[]>;
}

export function activate(context: vscode.ExtensionContext): ApimMcpApi {
  // The core's text (findings, lint messages) in VS Code's display language; in English there is no bundle to hand over.
  if (vscode.l10n.bundle) useL10nBundle(vscode.l10n.bundle);
  const log = vscode.window.createOutputChannel('APIM MCP', { log: true });
  context.subscriptions.push(log);
  const extensionId = context.extension.id;

  const registry = new ServerRegistry(log);
  const keys = new SubscriptionKeyStore(context.secrets);
  const status = new ServerStatusStore();
  const tokens = new LazyEntraTokens(context.secrets, log, (name) => registry.find(name));
  const tokenConsent = new TokenOriginConsent(context.globalState, log);
  const provider = new ApimMcpServerProvider(registry, keys, status, log, { tokens, extensionId, consent: tokenConsent });
  const locator = new TargetLocator(context.globalStorageUri);
  const sources = new ConfigSources(registry, locator, log);
  const tree = new ServersTreeDataProvider(registry, status, sources);
  const fs = createNodeConfigFileSystem();
  const policyExpectations = new PolicyExpectationStore(context.globalState);
  const terminalEnv = new TerminalKeyEnvironment(context.environmentVariableCollection, keys, context.secrets, locator, fs, log);
  context.subscriptions.push(registry, keys, status, tokens, provider, sources, tree, terminalEnv);

  // One feature that fails to register is logged and skipped; the others still start.
  const features: [string, () => vscode.Disposable][] = [
    ['the MCP server provider', () => vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider)],
    ['the server commands', () => registerServerCommands({ extensionId, registry, keys, provider, status, log })],
    ['the Entra ID commands', () => registerAuthCommands(registry, tokens, tokenConsent, log)],
    ['the Servers view', () => registerServersView(tree)],
    ['the diagnostics', () => registerTroubleshooting({ extensionUri: context.extensionUri, locator, sources, tree, keys, tokens, tokenConsent, policyExpectations, log, terminalVariables: (name) => context.environmentVariableCollection.get(name) !== undefined })],
    ['Add Server', () => registerAddServer({ registry, keys, status, locator, fs, terminalEnv, log, policyExpectations })],
    ['the config commands and key lint', () => registerConfigFeatures({ extensionId, registry, keys, tokens, tokenConsent, locator, fs, terminalEnv, status, log })],
    ['the policy tools', () => registerPolicyTools(context, log)],
    ['the walkthrough progress', () => registerWalkthroughProgress(keys, status)],
  ];
  const skipped = features.filter(([name, register]) => !safeRegister(context, log, name, register)).map(([name]) => name);

  log.info(`[activate] ${registry.servers.length} server(s) configured; workspace trusted: ${vscode.workspace.isTrusted}${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''}`);
  return {
    apiVersion: 1,
    getServerStatus: (name) => status.get(name),
    serverNames: () => registry.servers.map((s) => s.name),
    listServers: async () => {
      await sources.whenReady();
      return sources.entries.map((entry) => {
        const { id, name, url, source, auth, file, line, keySupply } = entry;
        return { id, name, url: redactUrl(url), source, auth, file, line, keySupply, status: tree.statusOf(entry).health };
      });
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
