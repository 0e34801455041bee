import * as vscode from 'vscode';
import { entraTargetOf } from '../../auth/entraTarget';
import { grantId, isPreapprovedOrigin, TokenGrants, type GrantMemento } from '../../auth/tokenGrants';
import type { ServerRecord } from '../../core/serverRecord';

/**
 * Asks the user, once per origin and token target (scopes, tenant, client), before an Entra ID token goes to a server:
 * a config that moves a server's URL, or a new server with familiar scopes, cannot send a token somewhere the user did
 * not choose (issue 16, item 2). The answer is remembered in global state; a "no" is not, so the next start asks again.
 */
export class TokenOriginConsent {
  private readonly grants: TokenGrants;
  /** One question per grant at a time: two starts of servers at the same origin get the same answer. */
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(memento: GrantMemento, private readonly log: vscode.LogOutputChannel) {
    this.grants = new TokenGrants(memento);
  }

  /**
   * True when tokens for the server may be sent to its origin: granted before, listed in the user's
   * `apimMcp.entra.allowedTokenOrigins`, or allowed now in the modal prompt. A server whose Entra fields are refused
   * (no scopes, a first-party resource scope) gets no token anyway; the token service says why.
   */
  async allows(server: ServerRecord): Promise<boolean> {
    const parsed = entraTargetOf(server);
    if (!parsed.ok) return true;
    const { target } = parsed;
    if (this.grants.has(server.origin, target)) return true;
    // Only the user's own settings count: the setting is application-scoped, and a workspace value is never read.
    const preapproved = vscode.workspace.getConfiguration('apimMcp.entra').inspect<unknown[]>('allowedTokenOrigins')?.globalValue ?? [];
    if (isPreapprovedOrigin(server.origin, Array.isArray(preapproved) ? preapproved : [])) return true;
    const id = grantId(server.origin, target);
    let pending = this.asking.get(id);
    if (!pending) {
      pending = this.ask(server, target.scopes).then(async (allowed) => {
        if (allowed) await this.grants.add(server.origin, target, server.name);
        return allowed;
      });
      this.asking.set(id, pending);
      pending.finally(() => this.asking.delete(id)).catch(() => undefined);
    }
    return pending;
  }

  /**
   * Takes back the yes given for a server (Remove Server, Forget Secrets, Sign Out): its next token asks again. `record`
   * is the server's configuration while it still has one, which also covers a yes given by an earlier version.
   */
  async revoke(name: string, record?: ServerRecord): Promise<void> {
    const parsed = record && entraTargetOf(record);
    const current = record && parsed?.ok ? { origin: record.origin, target: parsed.target } : undefined;
    const taken = await this.grants.removeHolder(name, current);
    if (taken > 0) this.log.info(`[tokenOrigin] ${name}: ${taken} origin grant(s) taken back; the next token asks again`);
  }

  private async ask(server: ServerRecord, scopes: readonly string[]): Promise<boolean> {
    const send = vscode.l10n.t('Send Tokens');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Send your Microsoft Entra ID tokens to {0}?', server.origin),
      {
        modal: true,
        detail: vscode.l10n.t(
          'The server "{0}" wants access tokens for {1} sent to {2}. Whoever runs {2} can use them as you until they expire. Allow this only if you trust that address; you are asked once per address and scope.',
          server.name,
          scopes.join(' '),
          server.origin,
        ),
      },
      send,
    );
    const allowed = choice === send;
    this.log.info(`[tokenOrigin] ${server.name}: tokens for ${scopes.join(' ')} to ${server.origin} ${allowed ? 'allowed' : 'not allowed'} by the user`);
    return allowed;
  }
}
