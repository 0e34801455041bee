/**
 * Entry of dist/configCommands.js: Remove Server and Forget Secrets, loaded the first time one of them runs
 * (registerConfigFeatures.ts holds the stubs).
 */
import * as vscode from 'vscode';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import { TARGET_KINDS, type ConfigTargetKind } from '../../core/config/targets';
import { mcpServerId } from '../mcp/mcpProvider';
import type { ServerStatusStore } from '../serverStatus';
import type { ServerRegistry } from '../serverRegistry';
import { serverNameOf, type ServerArg } from '../serverPicker';
import type { EntraTokens } from '../auth/lazyEntraTokens';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import type { TokenOriginConsent } from '../auth/tokenOriginConsent';
import { authKindOf, confirmForget, removeQuestion, type StoredSecrets } from './configConfirmations';
import { ConfigTargets } from './configTargets';
import { targetNames } from './targetLabels';
import type { TargetLocator } from './targetLocations';
import type { TerminalKeyEnvironment } from './terminalKeyEnvironment';

export interface ConfigCommandDeps {
  readonly extensionId: string;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  /** Holds each server's client secret and msal-node token caches; they go with the server. */
  readonly tokens: EntraTokens;
  /** The yes to "send tokens to this origin" goes with the server's other secrets: the next token asks again. */
  readonly tokenConsent: Pick<TokenOriginConsent, 'revoke'>;
  readonly targets: ConfigTargets;
  readonly terminalEnv: TerminalKeyEnvironment;
  readonly status: ServerStatusStore;
  readonly log: vscode.LogOutputChannel;
}

export interface ConfigCommands {
  /** Returns the config targets the server was removed from. */
  removeServer(arg: ServerArg): Promise<ConfigTargetKind[]>;
  /** Returns whether there was a stored secret to forget. */
  forgetSecrets(arg: ServerArg): Promise<boolean>;
}

/** The config writer holds no state of its own (each write re-reads its file), so this bundle makes its own. */
export function createConfigCommands(deps: Omit<ConfigCommandDeps, 'targets'> & { locator: TargetLocator; fs: ConfigFileSystem }): ConfigCommands {
  const withTargets: ConfigCommandDeps = { ...deps, targets: new ConfigTargets(deps.locator, deps.fs, deps.log) };
  return {
    removeServer: (arg) => removeServer(withTargets, arg),
    forgetSecrets: (arg) => forgetSecrets(withTargets, arg),
  };
}

/** The server a config command acts on, in any config source: given (a name or a tree node) or picked from all. */
async function pickName(targets: ConfigTargets, arg: ServerArg, purpose: string): Promise<{ name: string; fromCode: boolean } | undefined> {
  const given = serverNameOf(arg);
  if (given !== undefined) return { name: given, fromCode: typeof arg === 'string' };
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
    [...found.values()].map((e) => ({ label: e.name, description: targetNames(e.where), name: e.name })),
    { title: purpose, placeHolder: vscode.l10n.t('Choose a server'), ignoreFocusOut: true },
  );
  return picked && { name: picked.name, fromCode: false };
}

/** Remove Server: from every config that has it (people confirm first), with its stored key. Returns where from. */
async function removeServer(deps: ConfigCommandDeps, arg: ServerArg): Promise<ConfigTargetKind[]> {
  const { targets, terminalEnv, log } = deps;
  const picked = await pickName(targets, arg, vscode.l10n.t('Remove Server'));
  if (!picked) return [];
  const where = await targets.locate(picked.name);
  if (where.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: "{0}" is not in any MCP configuration.', picked.name));
    return [];
  }
  if (!picked.fromCode) {
    const remove = vscode.l10n.t('Remove');
    const question = removeQuestion(picked.name, targetNames(where), authKindOf(arg, picked.name, deps.registry), await storedSecrets(deps, picked.name));
    const answer = await vscode.window.showWarningMessage(
      question,
      { modal: true },
      remove,
    );
    if (answer !== remove) return [];
  }
  if (where.includes('extension')) await stopInVsCode(deps, picked.name);
  // The record names the client whose shared entries of an earlier version go too; read it before it is removed.
  const owner = deps.registry.find(picked.name);
  const removed: ConfigTargetKind[] = [];
  const problems: string[] = [];
  for (const kind of where) {
    const result = await targets.remove(kind, picked.name);
    if (result.ok && result.changed) removed.push(kind);
    else if (!result.ok) problems.push(result.message);
  }
  await deleteStoredSecrets(deps, picked.name, owner);
  deps.status.forget(picked.name);
  await terminalEnv.refresh();
  log.info(`[removeServer] ${picked.name}: removed from ${removed.join(', ') || 'nothing'}; stored key, client secret and cached tokens deleted`);
  if (problems.length > 0) throw new Error(problems.join(' '));
  void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: {0} removed from {1}.', picked.name, targetNames(removed)));
  return removed;
}

/** Asks VS Code to stop an extension-managed server (nothing happens when it is not running). */
async function stopInVsCode(deps: ConfigCommandDeps, name: string): Promise<void> {
  await Promise.resolve(vscode.commands.executeCommand('workbench.mcp.stopServer', mcpServerId(deps.extensionId, name))).catch(() => undefined);
}

/** What the server has in SecretStorage (the record, while configured, names its client for older entries). */
async function storedSecrets(deps: ConfigCommandDeps, name: string): Promise<StoredSecrets> {
  return { key: await deps.keys.has(name), entra: await deps.tokens.hasStoredSecrets(deps.registry.find(name) ?? { name }) };
}

/**
 * Deletes the server's subscription key, client secret and msal-node token caches, and takes back its token-origin
 * grant. Returns whether a secret was there (a grant is not a secret).
 */
async function deleteStoredSecrets(deps: ConfigCommandDeps, name: string, owner = deps.registry.find(name)): Promise<boolean> {
  await deps.tokenConsent.revoke(name, owner);
  const hadKey = await deps.keys.has(name);
  await deps.keys.delete(name);
  const hadEntra = await deps.tokens.forgetStoredSecrets(owner ?? { name });
  return hadKey || hadEntra;
}

/** Forget Secrets: deletes the stored subscription key, client secret and cached tokens. Returns whether any was there. */
async function forgetSecrets(deps: ConfigCommandDeps, arg: ServerArg): Promise<boolean> {
  const { targets, terminalEnv, log } = deps;
  const picked = await pickName(targets, arg, vscode.l10n.t('Forget Secrets'));
  if (!picked) return false;
  const stored = await storedSecrets(deps, picked.name);
  const had = stored.key || stored.entra;
  if (had && !picked.fromCode && !(await confirmForget(picked.name, stored))) return false;
  await deleteStoredSecrets(deps, picked.name);
  // A running server holds the forgotten key or token in its connection: stopped, its next start asks again.
  if (deps.registry.find(picked.name)) await stopInVsCode(deps, picked.name);
  // What was seen with the forgotten secrets no longer says anything about the server.
  deps.status.forget(picked.name);
  await terminalEnv.refresh();
  log.info(`[forgetSecrets] ${picked.name}: stored secrets ${had ? 'deleted' : 'were not there'}`);
  void vscode.window.showInformationMessage(forgottenMessage(picked.name, stored));
  return had;
}

function forgottenMessage(name: string, stored: StoredSecrets): string {
  if (stored.entra) return vscode.l10n.t('APIM MCP: the stored secrets and cached Entra ID tokens of {0} are deleted from secret storage.', name);
  if (stored.key) return vscode.l10n.t('APIM MCP: the subscription key for {0} is deleted from secret storage. Entra sign-ins are under Accounts.', name);
  return vscode.l10n.t('APIM MCP: no stored subscription key, client secret or cached Entra ID token for {0}.', name);
}
