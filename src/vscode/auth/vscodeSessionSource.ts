import * as vscode from 'vscode';
import { Secret } from '../../core/secret';
import { tokenExpiry, vscodeScopes } from '../../auth/entraTarget';
import type { AccessToken, EntraTarget, Interaction, TokenSource } from '../../auth/tokenSource';

/**
 * Tokens from a VS Code authentication provider (`microsoft` by default): VS Code owns the sign-in, the accounts and
 * the refresh; we pass the scope with `VSCODE_TENANT:` and `VSCODE_CLIENT_ID:` and never see a password.
 */
export class VsCodeSessionSource implements TokenSource {
  readonly kind: string;

  constructor(
    readonly providerId: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.kind = `vscode:${providerId}`;
  }

  async getToken(target: EntraTarget, interaction: Interaction): Promise<AccessToken | undefined> {
    const scopes = vscodeScopes(target);
    const session =
      interaction === 'silent'
        ? await vscode.authentication.getSession(this.providerId, scopes, { silent: true })
        : await vscode.authentication.getSession(this.providerId, scopes, { createIfNone: { detail: signInDetail(target) } });
    return session && toAccessToken(session);
  }

  /** Asks VS Code to list a sign-in request under Accounts, without any dialog; the session arrives later. */
  async requestSignIn(target: EntraTarget): Promise<void> {
    await vscode.authentication.getSession(this.providerId, vscodeScopes(target), {});
  }

  async switchAccount(target: EntraTarget): Promise<AccessToken | undefined> {
    const session = await vscode.authentication.getSession(this.providerId, vscodeScopes(target), {
      forceNewSession: { detail: vscode.l10n.t('Choose the account to use for {0}.', target.scopes.join(' ')) },
      clearSessionPreference: true,
    });
    return session && toAccessToken(session);
  }

  async signOut(target: EntraTarget): Promise<void> {
    // Extensions cannot remove a VS Code account; forgetting the preference makes the next sign-in ask again.
    await vscode.authentication.getSession(this.providerId, vscodeScopes(target), { clearSessionPreference: true, silent: true });
    this.log.info(`[signOut] ${this.kind}: session preference cleared`);
  }
}

function signInDetail(target: EntraTarget): string {
  return vscode.l10n.t(
    'APIM MCP needs a Microsoft Entra ID access token for {0}{1} to connect to your MCP server through Azure API Management.',
    target.scopes.join(' '),
    target.tenant ? vscode.l10n.t(' in tenant {0}', target.tenant) : '',
  );
}

function toAccessToken(session: vscode.AuthenticationSession): AccessToken {
  const token = Secret.of(session.accessToken);
  return { token, expiresOn: tokenExpiry(token), account: session.account.label };
}
