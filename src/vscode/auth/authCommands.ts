import * as vscode from 'vscode';
import { Secret } from '../../core/secret';
import { usesEntra } from '../../core/serverRecord';
import { secretInputProblem } from '../secretInput';
import { pickServer, type ServerArg } from '../serverPicker';
import type { ServerRegistry } from '../serverRegistry';
import { showErrorWithLogs } from '../errorNotice';
import type { EntraTokens } from './lazyEntraTokens';
import type { TokenOriginConsent } from './tokenOriginConsent';
import { errorMessage } from '../../core/basics';

const pickEntraServer = (registry: ServerRegistry, arg: ServerArg) =>
  pickServer(registry, arg, (s) => usesEntra(s.auth), vscode.l10n.t('APIM MCP: no server uses Entra ID.'));

/** Errors are shown with "Show Logs"; a user who cancels hears nothing. */
async function guarded(log: vscode.LogOutputChannel, operation: string, job: () => Promise<void>): Promise<void> {
  try {
    await job();
  } catch (error: unknown) {
    const message = errorMessage(error);
    if (error instanceof vscode.CancellationError || /did not consent|cancel/i.test(message)) {
      log.info(`[${operation}] cancelled`);
      return;
    }
    log.error(`[${operation}] ${message}`);
    await showErrorWithLogs(log, vscode.l10n.t('APIM MCP: {0}', message));
  }
}

export function registerAuthCommands(registry: ServerRegistry, tokens: EntraTokens, tokenConsent: Pick<TokenOriginConsent, 'revoke'>, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('apimMcp.signIn', (arg: ServerArg) =>
      guarded(log, 'signIn', async () => {
        const server = await pickEntraServer(registry, arg);
        if (!server) return;
        const token = await tokens.signIn(server);
        if (token) void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: signed in to {0} as {1}.', server.name, token.account ?? '?'));
      }),
    ),
    vscode.commands.registerCommand('apimMcp.switchAccount', (arg: ServerArg) =>
      guarded(log, 'switchAccount', async () => {
        const server = await pickEntraServer(registry, arg);
        if (!server) return;
        const token = await tokens.switchAccount(server);
        if (token) void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: {0} now uses {1}.', server.name, token.account ?? '?'));
      }),
    ),
    vscode.commands.registerCommand('apimMcp.signOut', (arg: ServerArg) =>
      guarded(log, 'signOut', async () => {
        const server = await pickEntraServer(registry, arg);
        if (!server) return;
        // Before the sign-out restarts anything: the next token for this server asks about its origin again.
        await tokenConsent.revoke(server.name, server);
        await tokens.signOut(server);
        const message =
          tokens.method() === 'vscode'
            ? vscode.l10n.t('APIM MCP: {0} stopped and its token forgotten. To remove the account from VS Code, use Accounts > Sign Out.', server.name)
            : vscode.l10n.t('APIM MCP: signed out of {0}; its cached tokens are deleted.', server.name);
        void vscode.window.showInformationMessage(message);
      }),
    ),
    vscode.commands.registerCommand('apimMcp.setClientSecret', (arg: ServerArg, secretFromCaller?: unknown) =>
      guarded(log, 'clientSecret', async () => {
        const server = await pickEntraServer(registry, arg);
        if (!server) return;
        // Programmatic callers may pass the secret; people are always asked in a password box.
        const value =
          typeof secretFromCaller === 'string' && secretFromCaller.length > 0
            ? secretFromCaller
            : await vscode.window.showInputBox({
                title: vscode.l10n.t('Client secret for {0}', server.clientId ?? server.name),
                prompt: vscode.l10n.t('Paste the secret Value (not its ID). It is kept in VS Code\'s secret storage.'),
                password: true,
                ignoreFocusOut: true,
                validateInput: (v) => (v.trim() ? secretInputProblem(v.trim()) : undefined),
              });
        if (!value) return;
        const problem = secretInputProblem(value.trim());
        if (problem) throw new Error(problem);
        await tokens.setClientSecret(server, Secret.of(value.trim()));
      }),
    ),
  );
}
