import * as vscode from 'vscode';
import type { AccessToken, Interaction } from '../../auth/tokenSource';
import type { Secret } from '../../core/secret';
import type { ServerRecord } from '../../core/serverRecord';
import { LazyFeature, requireChunk } from '../lazyFeature';
import type { EntraSecretOwner } from './entraSecrets';
import { authProviderId, signInMethod, type SignInMethod } from './entraSettings';

type EntraChunk = typeof import('./entraFeature');

/** Entra access tokens for the servers (./entraTokens.ts): what the rest of the extension uses of them. */
export interface EntraTokens extends vscode.Disposable {
  /** A server got a new token (renewal, sign-in, account switch): its definition must be refreshed. */
  readonly onDidRenewToken: vscode.Event<string>;
  readonly onDidSignOut: vscode.Event<string>;
  /** A token for the server's next connection: the held one while it is fresh, else a new one. */
  tokenFor(server: ServerRecord, interaction: Interaction): Promise<AccessToken>;
  /** Drops the held token (for example after the gateway rejected it as expired). */
  forget(name: string): void;
  signIn(server: ServerRecord): Promise<AccessToken | undefined>;
  switchAccount(server: ServerRecord): Promise<AccessToken | undefined>;
  signOut(server: ServerRecord): Promise<void>;
  setClientSecret(server: ServerRecord, secret: Secret): Promise<void>;
  /** Whether the server has a client secret or cached tokens in SecretStorage. */
  hasStoredSecrets(server: EntraSecretOwner): Promise<boolean>;
  /** Deletes the server's client secret and msal-node token caches; returns whether anything was stored. */
  forgetStoredSecrets(server: EntraSecretOwner): Promise<boolean>;
  method(): SignInMethod;
  providerId(): string;
}

/**
 * Thrown by `tokenFor` when the user must sign in first (the sign-in has been offered). The error comes from the
 * Entra bundle, whose classes are not this bundle's, so it is recognised by name rather than with `instanceof`.
 */
export function isSignInRequired(error: unknown): boolean {
  return error instanceof Error && error.name === 'SignInRequiredError';
}

/**
 * The token service, made the first time a server needs a token or an Entra command runs: activation parses neither
 * it nor the msal-node wrapper. Until then no token is held, so there is nothing to renew, forget or sign out of, and
 * session or setting changes need no answer. Its events reach the listeners subscribed here at activation.
 */
export class LazyEntraTokens implements EntraTokens {
  private readonly _onDidRenewToken = new vscode.EventEmitter<string>();
  readonly onDidRenewToken = this._onDidRenewToken.event;
  private readonly _onDidSignOut = new vscode.EventEmitter<string>();
  readonly onDidSignOut = this._onDidSignOut.event;
  private readonly service: LazyFeature<EntraTokens>;

  constructor(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel, findServer: (name: string) => ServerRecord | undefined) {
    this.service = new LazyFeature<EntraTokens>('Entra ID tokens', log, () => {
      const service = requireChunk<EntraChunk>('entra').createEntraTokenService(secrets, log, findServer);
      // The service's emitters go with its dispose(), and these listeners with them.
      service.onDidRenewToken((name) => this._onDidRenewToken.fire(name));
      service.onDidSignOut((name) => this._onDidSignOut.fire(name));
      return service;
    });
  }

  async tokenFor(server: ServerRecord, interaction: Interaction): Promise<AccessToken> {
    return (await this.service.get()).tokenFor(server, interaction);
  }

  forget(name: string): void {
    this.service.loaded?.forget(name);
  }

  async signIn(server: ServerRecord): Promise<AccessToken | undefined> {
    return (await this.service.get()).signIn(server);
  }

  async switchAccount(server: ServerRecord): Promise<AccessToken | undefined> {
    return (await this.service.get()).switchAccount(server);
  }

  async signOut(server: ServerRecord): Promise<void> {
    return (await this.service.get()).signOut(server);
  }

  async setClientSecret(server: ServerRecord, secret: Secret): Promise<void> {
    return (await this.service.get()).setClientSecret(server, secret);
  }

  async hasStoredSecrets(server: EntraSecretOwner): Promise<boolean> {
    return (await this.service.get()).hasStoredSecrets(server);
  }

  async forgetStoredSecrets(server: EntraSecretOwner): Promise<boolean> {
    return (await this.service.get()).forgetStoredSecrets(server);
  }

  method(): SignInMethod {
    return signInMethod();
  }

  providerId(): string {
    return authProviderId();
  }

  dispose(): void {
    this.service.dispose();
    this._onDidRenewToken.dispose();
    this._onDidSignOut.dispose();
  }
}
