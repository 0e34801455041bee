import * as vscode from 'vscode';
import { entraTargetOf, isExpired, refreshDelayMs, targetKey } from '../../auth/entraTarget';
import { MsalTokenSource } from '../../auth/msal/msalTokenSource';
import type { AccessToken, EntraTarget, Interaction, TokenSource } from '../../auth/tokenSource';
import { runAtWallClock, type WallClockTimer } from '../../auth/wallClockTimer';
import type { Secret } from '../../core/secret';
import type { ServerRecord } from '../../core/serverRecord';
import { showBrowserWait, showDeviceCode } from './signInNotifications';
import { VsCodeSessionSource } from './vscodeSessionSource';
import { EntraSecrets, type EntraSecretOwner } from './entraSecrets';
import { errorMessage } from '../../core/basics';
import { authProviderId, signInMethod, type SignInMethod } from './entraSettings';
import type { EntraTokens } from './lazyEntraTokens';


/** The server cannot get a token without the user signing in; the sign-in has been offered. */
export class SignInRequiredError extends Error {
  constructor(server: string) {
    super(vscode.l10n.t('Sign in to Microsoft Entra ID to start {0}: use "Sign In" in the notification or under Accounts.', server));
    this.name = 'SignInRequiredError';
  }
}

interface Held {
  readonly key: string;
  readonly token: AccessToken;
  /** Renews the token; on the wall clock, so a machine that slept past the renewal renews on waking. */
  readonly renewal: WallClockTimer;
}

/**
 * Entra access tokens for the servers, from VS Code's authentication provider or from msal-node (setting
 * `apimMcp.entra.signInMethod`). Holds one token per server, renews it before it expires, and reports each new
 * token so the MCP provider can hand VS Code fresh headers.
 */
export class EntraTokenService implements EntraTokens {
  private readonly _onDidRenewToken = new vscode.EventEmitter<string>();
  /** A server got a new token (renewal, sign-in, account switch): its definition must be refreshed. */
  readonly onDidRenewToken = this._onDidRenewToken.event;
  private readonly _onDidSignOut = new vscode.EventEmitter<string>();
  readonly onDidSignOut = this._onDidSignOut.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidRenewToken, this._onDidSignOut];
  private readonly held = new Map<string, Held>();
  /** Servers that asked for a token and were told to sign in; they start once a session appears. */
  private readonly waitingForSignIn = new Map<string, ServerRecord>();
  /** One msal-node source per server (its own token cache), with the settings it was made for. */
  private readonly msalSources = new Map<string, { readonly made: string; readonly source: Promise<MsalTokenSource> }>();
  private readonly stored: EntraSecrets;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    private readonly findServer: (name: string) => ServerRecord | undefined,
  ) {
    this.stored = new EntraSecrets(secrets, () => this.authorityHost());
    this.disposables.push(
      vscode.authentication.onDidChangeSessions((e) => {
        if (this.method() === 'vscode' && e.provider.id === this.providerId()) void this.onSessionsChanged();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('apimMcp.authProviderId') || e.affectsConfiguration('apimMcp.entra')) {
          this.forgetAll();
          const via = this.method() === 'vscode' ? `VS Code's ${this.providerId()} provider` : `msal-node ${this.method()}`;
          this.log.info(`[settings] Entra sign-in now through ${via}; held tokens forgotten`);
        }
      }),
    );
  }

  /** A token for the server's next connection: the held one while it is fresh, else a new one. */
  async tokenFor(server: ServerRecord, interaction: Interaction): Promise<AccessToken> {
    const target = this.target(server);
    const held = this.held.get(server.name);
    if (held && held.key === targetKey(target) && !isExpired(held.token.expiresOn)) return held.token;
    const source = await this.source(server);
    let token = await source.getToken(target, 'silent');
    if (!token && interaction === 'interactive') {
      if (source instanceof VsCodeSessionSource) {
        await this.offerSignIn(server, source, target);
        throw new SignInRequiredError(server.name);
      }
      token = await source.getToken(target, 'interactive');
    }
    if (!token) throw new SignInRequiredError(server.name);
    this.hold(server, target, token);
    return token;
  }

  /** Drops the held token (for example after the gateway rejected it as expired). */
  forget(name: string): void {
    const held = this.held.get(name);
    held?.renewal.cancel();
    this.held.delete(name);
  }

  async signIn(server: ServerRecord): Promise<AccessToken | undefined> {
    const target = this.target(server);
    const token = await (await this.source(server)).getToken(target, 'interactive');
    if (token) this.accept(server, target, token, 'signIn');
    return token;
  }

  async switchAccount(server: ServerRecord): Promise<AccessToken | undefined> {
    const target = this.target(server);
    const source = await this.source(server);
    let token: AccessToken | undefined;
    if (source instanceof VsCodeSessionSource) {
      token = await source.switchAccount(target);
    } else {
      await source.signOut(target);
      token = await source.getToken(target, 'interactive');
    }
    if (token) this.accept(server, target, token, 'switchAccount');
    return token;
  }

  async signOut(server: ServerRecord): Promise<void> {
    const target = this.target(server);
    await (await this.source(server)).signOut(target);
    this.forget(server.name);
    this.waitingForSignIn.delete(server.name);
    this.log.info(`[signOut] ${server.name}: tokens forgotten`);
    this._onDidSignOut.fire(server.name);
  }

  async setClientSecret(server: ServerRecord, secret: Secret): Promise<void> {
    if (!server.clientId) throw new Error(vscode.l10n.t('Server {0} has no "clientId"; client credentials need one.', server.name));
    await this.stored.setClientSecret(server, secret);
    // The confidential client holds the old secret; build it again on next use.
    this.dropSource(server.name);
    this.forget(server.name);
    this.log.info(`[clientSecret] ${server.name}: client secret stored for client ${server.clientId}, bound to ${server.origin} and ${this.authorityHost()}`);
  }

  /** Whether the server has a client secret or cached tokens in SecretStorage. */
  hasStoredSecrets(server: EntraSecretOwner): Promise<boolean> {
    return this.stored.has(server);
  }

  /**
   * Remove Server and Forget Secrets: deletes the server's client secret and msal-node token caches (refresh tokens
   * included) and drops what is held in memory. Returns whether anything was stored.
   */
  async forgetStoredSecrets(server: EntraSecretOwner): Promise<boolean> {
    const source = this.msalSources.get(server.name.toLowerCase());
    this.dropSource(server.name);
    void source?.source.then((s) => s.cancelInteractiveSignIn(), () => undefined);
    this.forget(server.name);
    this.waitingForSignIn.delete(server.name);
    const had = await this.stored.forget(server);
    this.log.info(`[forgetSecrets] ${server.name}: client secret and cached Entra ID tokens ${had ? 'deleted' : 'were not there'}`);
    return had;
  }

  method(): SignInMethod {
    return signInMethod();
  }

  providerId(): string {
    return authProviderId();
  }

  private target(server: ServerRecord): EntraTarget {
    const parsed = entraTargetOf(server);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.target;
  }

  private async source(server: ServerRecord): Promise<TokenSource> {
    const method = this.method();
    if (method === 'vscode') return new VsCodeSessionSource(this.providerId(), this.log);
    if (!server.clientId) {
      throw new Error(vscode.l10n.t('Sign-in method "{0}" needs the server\'s "clientId" (your own app registration).', method));
    }
    const clientId = server.clientId;
    const authorityHost = this.authorityHost();
    // A source is bound to what its client secret was checked against: another URL or authority makes a new one.
    const made = JSON.stringify([method, authorityHost, clientId.toLowerCase(), server.origin]);
    const name = server.name.toLowerCase();
    const existing = this.msalSources.get(name);
    if (existing?.made === made) return existing.source;
    const source = MsalTokenSource.create({
      flow: method,
      authorityHost,
      clientId,
      store: this.secrets,
      cacheKey: this.stored.cacheId(server.name),
      log: this.log,
      clientSecret: () => this.stored.clientSecret(server),
      showDeviceCode: (prompt) => showDeviceCode(prompt, this.log),
      openBrowser: async (url) => {
        await vscode.env.openExternal(vscode.Uri.parse(url, true));
      },
      showBrowserWait,
    });
    const entry = { made, source };
    this.msalSources.set(name, entry);
    source.catch(() => {
      if (this.msalSources.get(name) === entry) this.msalSources.delete(name);
    });
    return source;
  }

  private dropSource(serverName: string): void {
    this.msalSources.delete(serverName.toLowerCase());
  }

  private authorityHost(): string {
    return vscode.workspace.getConfiguration('apimMcp.entra').get<string>('authorityHost', 'https://login.microsoftonline.com');
  }

  private async offerSignIn(server: ServerRecord, source: VsCodeSessionSource, target: EntraTarget): Promise<void> {
    this.waitingForSignIn.set(server.name, server);
    this.log.info(`[signIn] ${server.name}: no ${source.providerId} session for ${target.scopes.join(' ')}; asking the user`);
    await source.requestSignIn(target);
    const signIn = vscode.l10n.t('Sign In');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('APIM MCP: {0} needs you to sign in to Microsoft Entra ID for {1}.', server.name, target.scopes.join(' ')), signIn)
      .then((choice) => {
        if (choice === signIn) void vscode.commands.executeCommand('apimMcp.signIn', server.name);
      });
  }

  private async onSessionsChanged(): Promise<void> {
    const names = new Set([...this.held.keys(), ...this.waitingForSignIn.keys()]);
    for (const name of names) {
      const server = this.findServer(name);
      if (!server) continue;
      try {
        const target = this.target(server);
        const token = await (await this.source(server)).getToken(target, 'silent');
        const previous = this.held.get(name)?.token;
        if (!token) {
          if (previous) this.log.warn(`[sessions] ${name}: the session is gone; the next start will ask to sign in`);
          this.forget(name);
          continue;
        }
        if (previous?.token.equals(token.token)) continue;
        this.accept(server, target, token, 'sessionsChanged');
      } catch (error: unknown) {
        this.log.warn(`[sessions] ${name}: ${errorMessage(error)}`);
      }
    }
  }

  private async renew(name: string): Promise<void> {
    const server = this.findServer(name);
    const previous = this.held.get(name);
    if (!server || !previous) return;
    try {
      const target = this.target(server);
      const token = await (await this.source(server)).getToken(target, 'silent');
      if (!token) {
        this.log.warn(`[renew] ${name}: no token without signing in; the next start will ask`);
        this.forget(name);
        return;
      }
      if (token.token.equals(previous.token.token)) {
        if (isExpired(token.expiresOn)) {
          this.log.warn(`[renew] ${name}: the provider still returns the expired token; the next start will ask`);
          this.forget(name);
          return;
        }
        // The provider has not renewed it yet (its renewal window may be shorter than ours): ask again shortly.
        const retryIn = Math.min(5_000, refreshDelayMs(token.expiresOn));
        this.held.set(name, { ...previous, renewal: runAtWallClock(Date.now() + retryIn, () => void this.renew(name)) });
        return;
      }
      this.accept(server, target, token, 'renew');
    } catch (error: unknown) {
      this.log.error(`[renew] ${name}: ${errorMessage(error)}`);
    }
  }

  private accept(server: ServerRecord, target: EntraTarget, token: AccessToken, why: string): void {
    this.hold(server, target, token);
    this.waitingForSignIn.delete(server.name);
    this.log.info(`[${why}] ${server.name}: new token for ${token.account ?? 'unknown account'}, expires ${new Date(token.expiresOn).toISOString()}`);
    this._onDidRenewToken.fire(server.name);
  }

  private hold(server: ServerRecord, target: EntraTarget, token: AccessToken): void {
    this.forget(server.name);
    const delay = refreshDelayMs(token.expiresOn);
    const renewal = runAtWallClock(Date.now() + delay, () => void this.renew(server.name));
    this.held.set(server.name, { key: targetKey(target), token, renewal });
    this.log.debug(`[token] ${server.name}: renewal in ${Math.round(delay / 1000)} s`);
  }

  private forgetAll(): void {
    for (const name of [...this.held.keys()]) this.forget(name);
  }

  dispose(): void {
    this.forgetAll();
    for (const d of this.disposables) d.dispose();
  }
}
