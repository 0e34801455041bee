import { randomBytes } from 'node:crypto';
import type { AuthenticationResult, ConfidentialClientApplication, Configuration, DeviceCodeRequest, PublicClientApplication } from '@azure/msal-node';
import { Secret } from '../../core/secret';
import { SerialQueue } from '../serialQueue';
import { tokenExpiry } from '../entraTarget';
import type { AccessToken, AuthLog, EntraTarget, Interaction, SecretStore, TokenSource } from '../tokenSource';
import { AUTHORITY_NETWORK_ERRORS, probeAuthorityMetadata } from './authorityProbe';
import { loadMsal, type Msal } from './loadMsal';
import { LoopbackRedirect } from './loopbackRedirect';
import { secretCachePlugin } from './secretCachePlugin';

export type MsalFlow = 'deviceCode' | 'loopback' | 'clientCredentials';

export interface DeviceCodePrompt {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly message: string;
  readonly expiresInSeconds: number;
}

export interface MsalTokenSourceOptions {
  readonly flow: MsalFlow;
  /** Authority host, e.g. `https://login.microsoftonline.com` (sovereign clouds and the sandbox use others). */
  readonly authorityHost: string;
  /** The app registration MSAL signs in as. VS Code's own client is not ours to use here. */
  readonly clientId: string;
  readonly store: SecretStore;
  /** Where this source keeps its token cache in `store`: one entry per server, deleted with it (`msalCacheSecretId`). */
  readonly cacheKey: (kind: 'user' | 'app') => string;
  readonly log: AuthLog;
  /** The client secret, read from SecretStorage at the moment it is needed (client credentials only). */
  readonly clientSecret?: () => Promise<Secret | undefined>;
  /** Shows the device code to the user; the returned promise settles when the notification is closed. */
  readonly showDeviceCode?: (prompt: DeviceCodePrompt) => void;
  /** Opens the authorize URL in a browser (loopback flow). */
  readonly openBrowser?: (url: string) => Promise<void>;
  /**
   * Shows that a loopback sign-in waits for the browser, with a way to give up (`cancel`). Returns what to call
   * when the wait is over.
   */
  readonly showBrowserWait?: (cancel: () => void) => () => void;
  readonly loopbackTimeoutMs?: number;
  readonly loadMsal?: () => Promise<Msal>;
}

/**
 * Entra tokens through @azure/msal-node for what VS Code's Microsoft provider cannot do: device code (remote and
 * browser-hosted windows), a custom public client on a loopback redirect whose AADSTS errors we capture, and client
 * credentials for an app-only identity. The token cache lives in SecretStorage; every MSAL call is serialised.
 */
export class MsalTokenSource implements TokenSource {
  readonly kind: string;
  private readonly queue = new SerialQueue();
  private readonly apps = new Map<string, PublicClientApplication | ConfidentialClientApplication>();
  /** Stops the interactive sign-in waiting for the user, if any (the queue lets only one run at a time). */
  private cancelPendingSignIn: (() => void) | undefined;

  private constructor(
    private readonly msal: Msal,
    private readonly options: MsalTokenSourceOptions,
  ) {
    this.kind = `msal:${options.flow}`;
  }

  static async create(options: MsalTokenSourceOptions): Promise<MsalTokenSource> {
    const msal = await (options.loadMsal ?? loadMsal)();
    return new MsalTokenSource(msal, options);
  }

  getToken(target: EntraTarget, interaction: Interaction): Promise<AccessToken | undefined> {
    return this.queue.run(() => this.explainUnreachableAuthority(target, () => this.acquire(target, interaction)));
  }

  /** Turns MSAL's bare "endpoints_resolution_error" into what went wrong with the authority and what to check. */
  private async explainUnreachableAuthority<T>(target: EntraTarget, acquire: () => Promise<T>): Promise<T> {
    try {
      return await acquire();
    } catch (error: unknown) {
      if (!(error instanceof this.msal.AuthError) || !AUTHORITY_NETWORK_ERRORS.has(error.errorCode)) throw error;
      const metadataUrl = `${this.authority(target)}/v2.0/.well-known/openid-configuration`;
      const cause = (await probeAuthorityMetadata(metadataUrl)) ?? `MSAL reported ${error.errorCode}, but the document reads fine now; try again`;
      throw new Error(
        `Could not read the sign-in authority's OpenID configuration at ${metadataUrl}: ${cause.replace(/\.$/, '')}. ` +
          'Check the setting apimMcp.entra.authorityHost and the server\'s "tenant"; a certificate error means VS Code does not trust ' +
          'the authority\'s TLS certificate (it trusts the operating system\'s certificate store).',
      );
    }
  }

  /**
   * Stops the sign-in waiting for the user, if any: device code polling (until the code expires, 15 minutes) or a
   * loopback redirect (5 minutes). It resolves to no token. Both hold the queue while they wait.
   */
  cancelInteractiveSignIn(): void {
    this.cancelPendingSignIn?.();
  }

  signOut(target: EntraTarget): Promise<void> {
    this.cancelInteractiveSignIn();
    return this.queue.run(async () => {
      const app = await this.appFor(target);
      const cache = app.getTokenCache();
      for (const account of await cache.getAllAccounts()) await cache.removeAccount(account);
      await this.options.store.delete(this.storeKey());
      this.apps.delete(this.appKey(target));
      this.options.log.info(`[msal] ${this.options.clientId}: signed out, cache cleared`);
    });
  }

  /** The user names in the cache for this target's client (for Switch Account). */
  accounts(target: EntraTarget): Promise<string[]> {
    return this.queue.run(async () => {
      const app = await this.appFor(target);
      return (await app.getTokenCache().getAllAccounts()).map((a) => a.username);
    });
  }

  private async acquire(target: EntraTarget, interaction: Interaction): Promise<AccessToken | undefined> {
    const { flow, log } = this.options;
    const app = await this.appFor(target);
    const scopes = [...target.scopes];
    if (flow === 'clientCredentials') {
      const result = await (app as ConfidentialClientApplication).acquireTokenByClientCredential({ scopes });
      return this.toAccessToken(result, 'client credentials');
    }
    const pca = app as PublicClientApplication;
    const [account] = await pca.getTokenCache().getAllAccounts();
    if (account) {
      try {
        return this.toAccessToken(await pca.acquireTokenSilent({ account, scopes }), 'cache');
      } catch (error: unknown) {
        if (!(error instanceof this.msal.InteractionRequiredAuthError)) throw error;
        log.info(`[msal] silent renewal needs interaction (${error.errorCode})`);
      }
    }
    if (interaction === 'silent') return undefined;
    if (flow === 'deviceCode') return this.deviceCode(pca, scopes);
    return this.loopback(pca, scopes);
  }

  private async deviceCode(pca: PublicClientApplication, scopes: string[]): Promise<AccessToken | undefined> {
    const show = this.options.showDeviceCode;
    if (!show) throw new Error('Device code sign-in needs a way to show the code.');
    const request: DeviceCodeRequest = {
      scopes,
      deviceCodeCallback: (response) => {
        this.options.log.info(`[msal] device code issued; verification at ${response.verificationUri}`);
        show({ userCode: response.userCode, verificationUri: response.verificationUri, message: response.message, expiresInSeconds: response.expiresIn });
      },
    };
    // MSAL checks `cancel` before each poll.
    const cancel = (): void => {
      request.cancel = true;
    };
    this.cancelPendingSignIn = cancel;
    try {
      return this.toAccessToken(await pca.acquireTokenByDeviceCode(request), 'device code');
    } catch (error: unknown) {
      if (!(error instanceof this.msal.AuthError)) throw error;
      if (error.errorCode === 'device_code_polling_cancelled') {
        this.options.log.info('[msal] device code sign-in cancelled');
        return undefined;
      }
      if (error.errorCode === 'device_code_expired') throw new Error('The device code expired before it was entered. Start the server again for a new code.');
      throw error;
    } finally {
      if (this.cancelPendingSignIn === cancel) this.cancelPendingSignIn = undefined;
    }
  }

  private async loopback(pca: PublicClientApplication, scopes: string[]): Promise<AccessToken | undefined> {
    const open = this.options.openBrowser;
    if (!open) throw new Error('Loopback sign-in needs a browser to open.');
    const { verifier, challenge } = await new this.msal.CryptoProvider().generatePkceCodes();
    const state = randomBytes(16).toString('base64url');
    const redirect = await LoopbackRedirect.start(state);
    const abort = new AbortController();
    const cancel = (): void => abort.abort();
    this.cancelPendingSignIn = cancel;
    let waitOver: (() => void) | undefined;
    try {
      const url = await pca.getAuthCodeUrl({ scopes, redirectUri: redirect.redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state });
      this.options.log.info(`[msal] loopback sign-in, redirect ${redirect.redirectUri}`);
      const waiting = redirect.waitForCode(this.options.loopbackTimeoutMs ?? 5 * 60_000, abort.signal);
      // The redirect can fail before the browser call returns; it is awaited just below.
      waiting.catch(() => undefined);
      await open(url);
      waitOver = this.options.showBrowserWait?.(cancel);
      const code = await waiting;
      const result = await pca.acquireTokenByCode({ code, scopes, redirectUri: redirect.redirectUri, codeVerifier: verifier });
      return this.toAccessToken(result, 'loopback');
    } catch (error: unknown) {
      if (!abort.signal.aborted) throw error;
      this.options.log.info('[msal] loopback sign-in cancelled');
      return undefined;
    } finally {
      waitOver?.();
      if (this.cancelPendingSignIn === cancel) this.cancelPendingSignIn = undefined;
      redirect.close();
    }
  }

  private toAccessToken(result: AuthenticationResult | null, how: string): AccessToken | undefined {
    if (!result?.accessToken) return undefined;
    const token = Secret.of(result.accessToken);
    const account = result.account?.username || this.options.clientId;
    this.options.log.info(`[msal] token from ${how} for ${account}, expires ${new Date(tokenExpiry(token)).toISOString()}`);
    return { token, expiresOn: tokenExpiry(token), account };
  }

  private storeKey(): string {
    return this.options.cacheKey(this.options.flow === 'clientCredentials' ? 'app' : 'user');
  }

  /** One MSAL application per authority (tenant): they share the source's one cache entry, which MSAL keys by authority. */
  private appKey(target: EntraTarget): string {
    return this.authority(target);
  }

  private authority(target: EntraTarget): string {
    return `${this.options.authorityHost.replace(/\/+$/, '')}/${target.tenant ?? (this.options.flow === 'clientCredentials' ? '' : 'organizations')}`;
  }

  private async appFor(target: EntraTarget): Promise<PublicClientApplication | ConfidentialClientApplication> {
    const key = this.appKey(target);
    const existing = this.apps.get(key);
    if (existing) return existing;
    const { flow, clientId, store, log } = this.options;
    if (flow === 'clientCredentials' && !target.tenant) throw new Error('Client credentials need a tenant: set "tenant" on the server.');
    const config: Configuration = {
      auth: {
        clientId,
        authority: this.authority(target),
        knownAuthorities: [new URL(this.options.authorityHost).host],
      },
      cache: { cachePlugin: secretCachePlugin(store, this.storeKey()) },
      system: {
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: this.msal.LogLevel.Warning,
          loggerCallback: (_level, message) => log.debug(`[msal] ${message}`),
        },
      },
    };
    let app: PublicClientApplication | ConfidentialClientApplication;
    if (flow === 'clientCredentials') {
      const secret = await this.options.clientSecret?.();
      if (!secret || secret.isEmpty) throw new Error(`No client secret is stored for client ${clientId}. Run "APIM MCP: Set Client Secret".`);
      app = new this.msal.ConfidentialClientApplication({ ...config, auth: { ...config.auth, clientSecret: secret.reveal() } });
    } else {
      app = new this.msal.PublicClientApplication(config);
    }
    this.apps.set(key, app);
    return app;
  }
}
