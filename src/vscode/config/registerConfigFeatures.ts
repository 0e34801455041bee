import * as vscode from 'vscode';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import { errorMessage } from '../../core/basics';
import { reportFailure } from '../errorNotice';
import { LazyFeature, requireChunk } from '../lazyFeature';
import type { ServerStatusStore } from '../serverStatus';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerArg } from '../serverPicker';
import type { EntraTokens } from '../auth/lazyEntraTokens';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import type { TokenOriginConsent } from '../auth/tokenOriginConsent';
import type { ConfigCommands } from './configCommandsFeature';
import type { PlaintextKeyDiagnostics } from './plaintextKeyDiagnostics';
import type { TargetLocator } from './targetLocations';
import type { TerminalKeyEnvironment } from './terminalKeyEnvironment';

export interface ConfigFeatureDeps {
  readonly extensionId: string;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  /** Holds each server's client secret and msal-node token caches; they go with the server. */
  readonly tokens: EntraTokens;
  /** Remove Server and Forget Secrets take back the server's yes to sending tokens to its origin. */
  readonly tokenConsent: Pick<TokenOriginConsent, 'revoke'>;
  readonly locator: TargetLocator;
  readonly fs: ConfigFileSystem;
  readonly terminalEnv: TerminalKeyEnvironment;
  readonly status: ServerStatusStore;
  readonly log: vscode.LogOutputChannel;
}

type ConfigLintChunk = typeof import('./configLintFeature');
type ConfigCommandsChunk = typeof import('./configCommandsFeature');

/**
 * The config side of the extension: the terminal variables for env-var targets; Remove Server and Forget Secrets,
 * whose bundle (dist/configCommands.js) loads the first time one of them runs; and the plaintext-key lint, whose
 * bundle (dist/configLint.js) loads just after activation rather than during it. (Adding a server is the wizard's:
 * wizard/registerAddServer.ts.)
 */
export function registerConfigFeatures(deps: ConfigFeatureDeps): vscode.Disposable {
  const { registry, keys, terminalEnv, log } = deps;
  const keyHeaderNames = () => [...new Set(registry.servers.map((s) => s.keyHeaderName))];
  const lint = new LazyFeature<PlaintextKeyDiagnostics>('the plaintext-key lint', log, () =>
    requireChunk<ConfigLintChunk>('configLint').createConfigLint({ locator: deps.locator, fs: deps.fs, keys, log, keyHeaderNames }),
  );
  const commands = new LazyFeature<ConfigCommands>('Remove Server and Forget Secrets', log, () => requireChunk<ConfigCommandsChunk>('configCommands').createConfigCommands(deps));
  // On the next turn: activation returns first, then the terminal variables are read and the lint loads and scans
  // every config source.
  const afterActivation = setTimeout(() => {
    void terminalEnv.refresh();
    void lint.get().catch((error: unknown) => log.error(`[lint] could not start: ${errorMessage(error)}`));
  }, 0);
  return vscode.Disposable.from(
    lint,
    commands,
    { dispose: () => clearTimeout(afterActivation) },
    vscode.commands.registerCommand('apimMcp.removeServer', async (arg: ServerArg) => {
      try {
        return await (await commands.get()).removeServer(arg);
      } catch (error: unknown) {
        reportFailure(log, 'removeServer', error);
        return [];
      }
    }),
    vscode.commands.registerCommand('apimMcp.forgetSecrets', async (arg: ServerArg) => {
      try {
        return await (await commands.get()).forgetSecrets(arg);
      } catch (error: unknown) {
        reportFailure(log, 'forgetSecrets', error);
        return false;
      }
    }),
  );
}
