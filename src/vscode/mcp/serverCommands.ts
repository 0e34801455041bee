import * as vscode from 'vscode';
import { Secret } from '../../core/secret';
import { usesSubscriptionKey, type ServerRecord } from '../../core/serverRecord';
import { promptForSubscriptionKey } from '../keyPrompt';
import type { ServerRegistry } from '../serverRegistry';
import { pickServer, type ServerArg } from '../serverPicker';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { mcpServerId, type ApimMcpServerProvider } from './mcpProvider';
import { startUntilResolved } from './startServer';

export interface ServerCommandDeps {
  readonly extensionId: string;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  readonly provider: ApimMcpServerProvider;
  readonly log: vscode.LogOutputChannel;
}

const noMatchingServer = () => vscode.l10n.t('APIM MCP: no matching servers. Add one with "APIM MCP: Add Secured MCP Server".');

/**
 * Asks VS Code's MCP client to start a provider-defined server, once VS Code has the current definition (it learns
 * about changes asynchronously), with a progress notification.
 */
async function startInVsCode(deps: ServerCommandDeps, server: ServerRecord): Promise<void> {
  const id = mcpServerId(deps.extensionId, server.name);
  if (!(await deps.provider.whenProvided(server.name, 5000))) {
    deps.log.warn(`[start] ${server.name}: VS Code has not asked for the current definition yet; starting anyway`);
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting {0}…', server.name) },
    async () => {
      if (!(await startUntilResolved(deps.provider, id, server.name, deps.log, 'start'))) {
        deps.log.info(`[start] ${server.name}: VS Code did not start it again; it may already be running`);
      }
    },
  );
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
      await deps.keys.set(server, key);
      log.info(`[setKey] ${server.name}: subscription key stored for ${server.origin}`);
      void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: subscription key saved for {0}.', server.name));
    }),
    vscode.commands.registerCommand('apimMcp.startServer', async (arg: ServerArg) => {
      const server = await pickServer(deps.registry, arg, () => true, noMatchingServer());
      if (!server) return;
      await startInVsCode(deps, server);
    }),
    vscode.commands.registerCommand('apimMcp.showLogs', () => log.show()),
  );
}
