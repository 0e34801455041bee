import * as vscode from 'vscode';
import { createNodeConfigFileSystem } from '../../core/config/nodeConfigFileSystem';
import type { ConfigTargetKind } from '../../core/config/targets';
import { mcpServerId } from '../mcpProvider';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerStatusStore } from '../serverStatus';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { AddFromAzure, isAddFromAzureSpec } from '../azure/addFromAzure';
import { AddServerWizard, type AddServerSpec } from '../wizard/addServerWizard';
import { showErrorWithLogs } from '../errorNotice';
import { ConfigTargets, TARGET_KINDS } from './configTargets';
import { PlaintextKeyDiagnostics } from './plaintextKeyDiagnostics';
import { TargetLocator } from './targetLocations';
import { TerminalKeyEnvironment } from './terminalKeyEnvironment';
import { errorMessage } from '../../core/basics';

export interface ConfigFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  readonly status: ServerStatusStore;
  readonly log: vscode.LogOutputChannel;
}

/** A tree node (`{ server: { name } }`), a name (from code), or nothing (from the palette). */
type ServerArg = { server?: { name?: unknown } } | string | undefined;

/**
 * The config side of the extension: Add Secured MCP Server, Remove Server, Forget Secrets, the terminal variables
 * for env-var targets, and the plaintext-key lint.
 */
export function registerConfigFeatures(deps: ConfigFeatureDeps): vscode.Disposable {
  const { context, registry, keys, status, log } = deps;
  const fs = createNodeConfigFileSystem();
  const locator = new TargetLocator(context.globalStorageUri);
  const targets = new ConfigTargets(locator, fs, log);
  const terminalEnv = new TerminalKeyEnvironment(context.environmentVariableCollection, keys, locator, fs, log);
  const keyHeaderNames = () => [...new Set(registry.servers.map((s) => s.keyHeaderName))];
  const lint = new PlaintextKeyDiagnostics(locator, fs, keys, log, keyHeaderNames);
  void terminalEnv.refresh();
  void lint.scanAll();
  const wizard = new AddServerWizard({ extensionId: context.extension.id, registry, keys, status, targets, terminalEnv, log });
  const fromAzure = new AddFromAzure({ wizard, log });
  const fail = (operation: string, error: unknown) => {
    const message = errorMessage(error);
    log.error(`[${operation}] ${message}`);
    void showErrorWithLogs(log, vscode.l10n.t('APIM MCP: {0}', message));
  };

  const pickName = async (arg: ServerArg, purpose: string): Promise<{ name: string; fromCode: boolean } | undefined> => {
    if (typeof arg === 'string') return { name: arg, fromCode: true };
    if (arg && typeof arg === 'object' && typeof arg.server?.name === 'string') return { name: arg.server.name, fromCode: false };
    const found = new Map<string, { name: string; where: ConfigTargetKind[] }>();
    for (const kind of TARGET_KINDS) {
      for (const name of await targets.namesIn(kind)) {
        const entry = found.get(name.toLowerCase()) ?? { name, where: [] };
        entry.where.push(kind);
        found.set(name.toLowerCase(), entry);
      }
    }
    if (found.size === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: no servers found in any MCP configuration.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      [...found.values()].map((e) => ({ label: e.name, description: e.where.map(targetName).join(', '), name: e.name })),
      { title: purpose, placeHolder: vscode.l10n.t('Choose a server'), ignoreFocusOut: true },
    );
    return picked && { name: picked.name, fromCode: false };
  };

  return vscode.Disposable.from(
    terminalEnv,
    lint,
    vscode.commands.registerCommand('apimMcp.addServer', async (spec?: unknown) => {
      try {
        if (isSpec(spec)) return await wizard.add(spec);
        return await wizard.run();
      } catch (error: unknown) {
        fail('addServer', error);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('apimMcp.addFromAzure', async (spec?: unknown) => {
      try {
        if (isAddFromAzureSpec(spec)) return await fromAzure.add(spec);
        return await fromAzure.run();
      } catch (error: unknown) {
        fail('addFromAzure', error);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('apimMcp.removeServer', async (arg: ServerArg) => {
      try {
        const picked = await pickName(arg, vscode.l10n.t('Remove Server'));
        if (!picked) return [];
        const where = await targets.locate(picked.name);
        if (where.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: "{0}" is not in any MCP configuration.', picked.name));
          return [];
        }
        if (!picked.fromCode) {
          const remove = vscode.l10n.t('Remove');
          const answer = await vscode.window.showWarningMessage(
            vscode.l10n.t('Remove {0} from {1}? Its stored subscription key is deleted too.', picked.name, where.map(targetName).join(', ')),
            { modal: true },
            remove,
          );
          if (answer !== remove) return [];
        }
        if (where.includes('extension')) {
          await Promise.resolve(vscode.commands.executeCommand('workbench.mcp.stopServer', mcpServerId(context.extension.id, picked.name))).catch(() => undefined);
        }
        const removed: ConfigTargetKind[] = [];
        const problems: string[] = [];
        for (const kind of where) {
          const result = await targets.remove(kind, picked.name);
          if (result.ok && result.changed) removed.push(kind);
          else if (!result.ok) problems.push(result.message);
        }
        await keys.delete(picked.name);
        await terminalEnv.refresh();
        log.info(`[removeServer] ${picked.name}: removed from ${removed.join(', ') || 'nothing'}; stored key deleted`);
        if (problems.length > 0) throw new Error(problems.join(' '));
        void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: {0} removed from {1}.', picked.name, removed.map(targetName).join(', ')));
        return removed;
      } catch (error: unknown) {
        fail('removeServer', error);
        return [];
      }
    }),
    vscode.commands.registerCommand('apimMcp.forgetSecrets', async (arg: ServerArg) => {
      try {
        const picked = await pickName(arg, vscode.l10n.t('Forget Secrets'));
        if (!picked) return false;
        const had = await keys.has(picked.name);
        await keys.delete(picked.name);
        await terminalEnv.refresh();
        log.info(`[forgetSecrets] ${picked.name}: stored subscription key ${had ? 'deleted' : 'was not there'}`);
        void vscode.window.showInformationMessage(
          had
            ? vscode.l10n.t('APIM MCP: the subscription key for {0} is deleted from secret storage. Entra sign-ins are under Accounts.', picked.name)
            : vscode.l10n.t('APIM MCP: no stored subscription key for {0}.', picked.name),
        );
        return had;
      } catch (error: unknown) {
        fail('forgetSecrets', error);
        return false;
      }
    }),
  );
}

function targetName(kind: ConfigTargetKind): string {
  switch (kind) {
    case 'extension':
      return vscode.l10n.t('APIM MCP settings');
    case 'workspaceMcpJson':
      return '.vscode/mcp.json';
    case 'userMcpJson':
      return vscode.l10n.t('user mcp.json');
    case 'rootDotMcpJson':
      return '.mcp.json';
    case 'copilotCli':
      return vscode.l10n.t('Copilot CLI config');
  }
}

/** A programmatic add (other extensions, tests); the palette and the view pass nothing or a tree node. */
function isSpec(value: unknown): value is AddServerSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && typeof v.target === 'string' && (TARGET_KINDS as readonly string[]).includes(v.target);
}
