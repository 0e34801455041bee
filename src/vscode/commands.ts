import * as vscode from 'vscode';
import { Secret } from '../core/secret';
import { usesSubscriptionKey, type ServerRecord } from '../core/serverRecord';
import { mcpServerId, type ApimMcpServerProvider } from './mcpProvider';
import { promptForSubscriptionKey } from './keyPrompt';
import type { ServerRegistry } from './serverRegistry';
import { pickServer, type ServerArg } from './serverPicker';
import type { ServersTreeDataProvider } from './serversView';
import type { SubscriptionKeyStore } from './subscriptionKeyStore';

export interface CommandDeps {
  readonly extensionId: string;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  readonly tree: ServersTreeDataProvider;
  readonly provider: ApimMcpServerProvider;
  readonly log: vscode.LogOutputChannel;
}

const noMatchingServer = () => vscode.l10n.t('APIM MCP: no matching servers. Add one with "APIM MCP: Add Secured MCP Server".');

const START_ATTEMPTS = 3;

/**
 * Asks VS Code's MCP client to start a provider-defined server. VS Code learns about definition changes
 * asynchronously, so the request waits for the current definition to be provided and is repeated when VS Code
 * did not act on it (no resolve call), which happens right after a server was added or its key changed.
 */
async function startInVsCode(deps: CommandDeps, server: ServerRecord): Promise<void> {
  const id = mcpServerId(deps.extensionId, server.name);
  if (!(await deps.provider.whenProvided(server.name, 5000))) {
    deps.log.warn(`[start] ${server.name}: VS Code has not asked for the current definition yet; starting anyway`);
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting {0}…', server.name) },
    async () => {
      for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        deps.log.info(`[start] ${server.name}: asking VS Code to start ${id} (attempt ${attempt})`);
        const resolved = deps.provider.waitForResolve(server.name, 1500 * attempt);
        await vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true });
        if (await resolved) return;
      }
      deps.log.info(`[start] ${server.name}: VS Code did not start it again; it may already be running`);
    },
  );
}

export function registerCommands(deps: CommandDeps): vscode.Disposable {
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
    vscode.commands.registerCommand('apimMcp.refreshServers', () => deps.tree.refresh()),
    vscode.commands.registerCommand('apimMcp.showLogs', () => log.show()),
  );
}
