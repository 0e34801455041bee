import { firstPartyScopeProblem } from '../core/entra/firstPartyResources';
import { decodeAccessToken, claimTime } from '../core/entra/jwt';
import type { Secret } from '../core/secret';
import type { ServerRecord } from '../core/serverRecord';
import type { EntraTarget } from './tokenSource';

/**
 * Turns a server's Entra fields into the value object the token sources use, or says what is wrong. Scopes of
 * Microsoft's own APIs (Resource Manager, Graph, Key Vault, Storage) are refused for any server that is not that API:
 * the token would be sent to the server's URL (issue 16, item 2).
 */
export function entraTargetOf(server: ServerRecord): { ok: true; target: EntraTarget } | { ok: false; error: string } {
  const scopes = server.scopes.map((s) => s.trim()).filter((s) => s.length > 0 && !s.startsWith('VSCODE_'));
  if (scopes.length === 0) {
    return { ok: false, error: `Server "${server.name}" uses Entra ID but has no "scopes" (for example "api://<app-id>/.default").` };
  }
  const firstParty = firstPartyScopeProblem(scopes, server.url);
  if (firstParty) return { ok: false, error: `Server "${server.name}": ${firstParty}` };
  return { ok: true, target: { scopes, tenant: server.tenant, clientId: server.clientId } };
}

/** The scope list VS Code's Microsoft provider understands: resource scopes plus its `VSCODE_*` pseudo-scopes. */
export function vscodeScopes(target: EntraTarget): string[] {
  const scopes = [...target.scopes];
  if (target.tenant) scopes.push(`VSCODE_TENANT:${target.tenant}`);
  if (target.clientId) scopes.push(`VSCODE_CLIENT_ID:${target.clientId}`);
  return scopes;
}

/** A stable key for caching tokens per target. */
export function targetKey(target: EntraTarget): string {
  return JSON.stringify([[...target.scopes].sort(), target.tenant?.toLowerCase() ?? '', target.clientId?.toLowerCase() ?? '']);
}

const FALLBACK_LIFETIME_MS = 30 * 60_000;

/** When the token expires (its `exp` claim), in ms since the epoch; opaque tokens get a conservative guess. */
export function tokenExpiry(token: Secret, now = Date.now()): number {
  const decoded = decodeAccessToken(token);
  const exp = decoded.ok ? claimTime(decoded.token.claims, 'exp') : undefined;
  return exp !== undefined ? exp * 1000 : now + FALLBACK_LIFETIME_MS;
}

const MAX_LEAD_MS = 5 * 60_000;
const MIN_LEAD_MS = 5_000;
const MIN_DELAY_MS = 1_000;

/**
 * How long to wait before refreshing a token: 5 minutes before expiry for normal tokens (when MSAL also renews),
 * a fifth of the remaining life for short ones, so a 60 s token is renewed after about 48 s.
 */
export function refreshDelayMs(expiresOn: number, now = Date.now()): number {
  const remaining = expiresOn - now;
  const lead = Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, remaining / 5));
  return Math.max(MIN_DELAY_MS, remaining - lead);
}

/** True when the token is expired or will be within `skewMs`. */
export function isExpired(expiresOn: number, now = Date.now(), skewMs = 5_000): boolean {
  return expiresOn - skewMs <= now;
}
