import * as vscode from 'vscode';
import { Secret } from '../../core/secret';
import { usesSubscriptionKey, type ServerRecord } from '../../core/serverRecord';
import { promptForSubscriptionKey } from '../keyPrompt';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerHealth, ServerStatusStore } from '../serverStatus';
import { pickServer, type ServerArg } from '../serverPicker';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { fileEntryOf, startFileEntry } from './fileServers';
import { mcpServerId, type ApimMcpServerProvider } from './mcpProvider';
import { startUntilResolved } from './startServer';
import { subscriptionKeyInputProblem } from '../secretInput';

export interface ServerCommandDeps {
  readonly extensionId: string;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  readonly provider: ApimMcpServerProvider;
  readonly status: ServerStatusStore;
  readonly log: vscode.LogOutputChannel;
}

const noMatchingServer = () => vscode.l10n.t('APIM MCP: no matching servers. Add one with "APIM MCP: Add Secured MCP Server".');

/**
 * Asks VS Code's MCP client to start a provider-defined server, once VS Code has the current definition (it learns
 * about changes asynchronously), with a progress notification.
 */
async function startInVsCode(deps: ServerCommandDeps, server: ServerRecord): Promise<boolean> {
  const id = mcpServerId(deps.extensionId, server.name);
  if (!(await deps.provider.whenProvided(server.name, 5000))) {
    deps.log.warn(`[start] ${server.name}: VS Code has not asked for the current definition yet; starting anyway`);
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting {0}…', server.name) },
    async () => {
      const acted = await startUntilResolved(deps.provider, id, server.name, deps.log, 'start');
      if (!acted) deps.log.info(`[start] ${server.name}: VS Code did not start it again; it may already be running`);
      return acted;
    },
  );
}

/**
 * What a person who pressed Start is told (issue 18.8): that it started, or that VS Code did not act on it. A failed
 * start has already said why (the provider's startup check), so nothing more is shown for it.
 */
function reportStart(server: ServerRecord, acted: boolean, health: ServerHealth): void {
  if (acted && health === 'failing') return;
  const showServers = vscode.l10n.t('List Servers');
  const message =
    acted && health === 'healthy'
      ? vscode.l10n.t('APIM MCP: {0} started. Its tools are available in Chat.', server.name)
      : acted
        ? vscode.l10n.t('APIM MCP: VS Code was asked to start {0}.', server.name)
        : vscode.l10n.t('APIM MCP: VS Code did not start {0} again; it may already be running.', server.name);
  void vscode.window.showInformationMessage(message, showServers).then((choice) => {
    if (choice === showServers) void vscode.commands.executeCommand('workbench.mcp.listServer');
  });
}

/** Set Subscription Key, Start Server and Show Logs: the commands on extension-managed servers. */
export function registerServerCommands(deps: ServerCommandDeps): vscode.Disposable {
  const { log } = deps;
  return vscode.Disposable.from(
    vscode.commands.registerCommand('apimMcp.setSubscriptionKey', async (arg: ServerArg, keyFromCaller?: unknown) => {
      const server = await pickServer(deps.registry, arg, (s) => usesSubscriptionKey(s.auth), noMatchingServer());
      if (!server) return;
      // Programmatic callers (other extensions, tests) may pass the key; people are always asked in a password box.
      const key = typeof keyFromCaller === 'string' && keyFromCaller.length > 0 ? Secret.of(keyFromCaller) : await promptForSubscriptionKey(server, log);
      if (!key) return;
      const unusable = subscriptionKeyInputProblem(key.reveal());
      if (unusable) throw new Error(unusable);
      await deps.keys.set(server, key);
      log.info(`[setKey] ${server.name}: subscription key stored for ${server.origin}`);
      void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: subscription key saved for {0}.', server.name));
    }),
    vscode.commands.registerCommand('apimMcp.startServer', async (arg: ServerArg) => {
      // A row from a file VS Code reads: VS Code's own start.
      const fileEntry = fileEntryOf(arg);
      if (fileEntry) return (await startFileEntry(fileEntry, deps.status, log)) ? 'healthy' : 'unknown';
      const server = await pickServer(deps.registry, arg, () => true, noMatchingServer());
      if (!server) return undefined;
      const startedAt = Date.now();
      const acted = await startInVsCode(deps, server);
      const status = deps.status.get(server.name);
      const health = status.at >= startedAt ? status.health : 'unknown';
      // Code passes a name and reports the outcome itself (the add-server flow); the palette and the view get a message.
      if (typeof arg !== 'string') reportStart(server, acted, health);
      return health;
    }),
    vscode.commands.registerCommand('apimMcp.showLogs', () => log.show()),
  );
}
