import type { Secret } from '../core/secret';

/** What a token is for, normalised once from a server record: the scopes to ask for, the tenant and the client. */
export interface EntraTarget {
  /** Resource scopes, e.g. `api://<app>/.default`. Never the `VSCODE_*` pseudo-scopes. */
  readonly scopes: readonly string[];
  /** Tenant id or domain; undefined means `organizations`. */
  readonly tenant?: string;
  /** A custom public (or confidential) client; undefined means the provider's own client. */
  readonly clientId?: string;
}

export interface AccessToken {
  readonly token: Secret;
  /** Milliseconds since the epoch. */
  readonly expiresOn: number;
  /** The signed-in account's user name, or the client id for app-only tokens. Not secret. */
  readonly account?: string;
}

/**
 * - `silent`: no UI at all (background refresh, autostart).
 * - `interactive`: the user asked for it (Sign In, Start); sign-in UI may be shown.
 */
export type Interaction = 'silent' | 'interactive';

/** One way of getting Entra access tokens. Implementations serialise their own calls. */
export interface TokenSource {
  /** A short name for logs, e.g. `vscode:microsoft` or `msal:deviceCode`. */
  readonly kind: string;
  /** Undefined when no token can be had without the interaction that was not allowed. */
  getToken(target: EntraTarget, interaction: Interaction): Promise<AccessToken | undefined>;
  /** Forgets cached accounts and tokens for the target's client. */
  signOut(target: EntraTarget): Promise<void>;
}

/** The subset of a LogOutputChannel that auth code writes to, so it stays free of `vscode`. */
export interface AuthLog {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The subset of `vscode.SecretStorage` the MSAL cache and client secrets need. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}
