import * as vscode from 'vscode';
import type { Secret } from '../../core/secret';
import {
  clientSecretSecretId,
  decodeClientSecret,
  encodeClientSecret,
  entraSecretIdsForServer,
  legacyClientSecretId,
  legacyEntraSecretIds,
  msalCacheSecretId,
} from '../../core/secrets/secretBinding';
import type { ServerRecord } from '../../core/serverRecord';

/** What Remove Server and Forget Secrets know of a server: its name, and its record while it is still configured. */
export type EntraSecretOwner = Pick<ServerRecord, 'name'> & Partial<Pick<ServerRecord, 'clientId' | 'tenant'>>;

/**
 * A server's Entra ID secrets in SecretStorage: its client secret (bound to the server's origin and the token
 * authority) and its msal-node token caches, one set per server so they go when the server goes
 * (core/secrets/secretBinding).
 */
export class EntraSecrets {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly authorityHost: () => string,
  ) {}

  /** Where msal-node keeps this server's token cache. */
  cacheId(serverName: string): (kind: 'user' | 'app') => string {
    return (kind) => msalCacheSecretId(serverName, kind);
  }

  async setClientSecret(server: ServerRecord, secret: Secret): Promise<void> {
    const stored = encodeClientSecret({ serverOrigin: server.origin, authority: this.authorityHost() }, secret);
    await this.secrets.store(clientSecretSecretId(server.name), stored);
    // The unbound secret of an earlier version is never used again; the user has just replaced it.
    if (server.clientId) await this.secrets.delete(legacyClientSecretId(server.clientId));
  }

  /**
   * The client secret for `server`, released only for the origin and authority it was entered for. Undefined when
   * none is stored; an error that says what to do when one is stored but may not be used.
   */
  async clientSecret(server: ServerRecord): Promise<Secret | undefined> {
    const authority = this.authorityHost();
    const lookup = decodeClientSecret(await this.secrets.get(clientSecretSecretId(server.name)), { serverOrigin: server.origin, authority });
    if (lookup.kind === 'found') return lookup.secret;
    if (lookup.kind === 'originMismatch') {
      throw new Error(
        vscode.l10n.t(
          'The client secret stored for {0} was entered for {1}; the server or the sign-in authority now is {2}, so it is not sent. Run "APIM MCP: Set Client Secret" for {0} if this is right.',
          server.name,
          lookup.storedFor,
          lookup.requestedFor,
        ),
      );
    }
    if (server.clientId && (await this.secrets.get(legacyClientSecretId(server.clientId))) !== undefined) {
      throw new Error(
        vscode.l10n.t(
          'The client secret for client {0} was stored by an earlier version of APIM MCP for every server, bound to no address. It is now kept per server: run "APIM MCP: Set Client Secret" for {1} to enter it again.',
          server.clientId,
          server.name,
        ),
      );
    }
    return undefined;
  }

  /** Whether anything of the server's is stored: client secret, token cache, or the shared entries of an earlier version. */
  async has(server: EntraSecretOwner): Promise<boolean> {
    for (const id of this.ids(server)) if ((await this.secrets.get(id)) !== undefined) return true;
    return false;
  }

  /** Deletes the server's client secret and token caches (refresh tokens included). Returns whether any was there. */
  async forget(server: EntraSecretOwner): Promise<boolean> {
    const had = await this.has(server);
    for (const id of this.ids(server)) await this.secrets.delete(id);
    return had;
  }

  private ids(server: EntraSecretOwner): string[] {
    const ids = entraSecretIdsForServer(server.name);
    if (!server.clientId) return ids;
    const host = this.authorityHost().replace(/\/+$/, '');
    return [...ids, ...legacyEntraSecretIds(server.clientId, { user: `${host}/${server.tenant ?? 'organizations'}`, app: `${host}/${server.tenant ?? ''}` })];
  }
}
