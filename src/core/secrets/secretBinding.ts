import { Secret } from '../secret';

/**
 * How secrets are named and shaped in SecretStorage. A subscription key is stored together with the origin it was
 * entered for; a lookup from a record whose URL now has another origin never yields the key, so a key can't follow
 * an edited config to a different host.
 */
export const SECRET_PREFIX = 'apimMcp';

/** SecretStorage key for a server's subscription key. Server names are unique case-insensitively, so the id is too. */
export function subscriptionKeySecretId(serverName: string): string {
  return `${SECRET_PREFIX}.subscriptionKey/${encodeURIComponent(serverName.trim().toLowerCase())}`;
}

function serverPart(serverName: string): string {
  return encodeURIComponent(serverName.trim().toLowerCase());
}

/**
 * SecretStorage key for a confidential client's secret (client-credentials flow), per server: bound to the server's
 * origin and the token authority it was entered for (`encodeClientSecret`), and deleted with the server rather than
 * shared by every server that names the same client id.
 */
export function clientSecretSecretId(serverName: string): string {
  return `${SECRET_PREFIX}.clientSecret/${serverPart(serverName)}`;
}

/** SecretStorage key for a server's msal-node token cache (refresh tokens included), user or app-only. */
export function msalCacheSecretId(serverName: string, kind: 'user' | 'app'): string {
  return `${SECRET_PREFIX}.msalCache/${serverPart(serverName)}/${kind}`;
}

const OWN_PREFIXES = ['subscriptionKey/', 'clientSecret/', 'msalCache/'].map((p) => `${SECRET_PREFIX}.${p}`);

/** True for ids this module produces. */
export function isOwnSecretId(id: string): boolean {
  return OWN_PREFIXES.some((prefix) => id.startsWith(prefix));
}

/** Every SecretStorage id belonging to one server, for Forget Secrets and Remove Server. */
export function secretIdsForServer(serverName: string): string[] {
  return [subscriptionKeySecretId(serverName), ...entraSecretIdsForServer(serverName)];
}

/** The Entra ID part of `secretIdsForServer`: the client secret and both token caches. */
export function entraSecretIdsForServer(serverName: string): string[] {
  return [clientSecretSecretId(serverName), msalCacheSecretId(serverName, 'user'), msalCacheSecretId(serverName, 'app')];
}

/**
 * Ids an earlier version used, shared by every server with the same client id and bound to nothing. Never read for
 * a token again (the client secret is asked for once more, per server); deleted with any server that names the client.
 */
export function legacyEntraSecretIds(clientId: string, authorities: { user: string; app: string }): string[] {
  return [
    legacyClientSecretId(clientId),
    `${SECRET_PREFIX}.msalCache/${authorities.user}/${clientId}/user`,
    `${SECRET_PREFIX}.msalCache/${authorities.app}/${clientId}/app`,
  ];
}

/** The id under which an earlier version kept the client secret of `clientId` (see `legacyEntraSecretIds`). */
export function legacyClientSecretId(clientId: string): string {
  return `${SECRET_PREFIX}.entra.clientSecret/${clientId.toLowerCase()}`;
}

interface StoredBound {
  readonly v: 1;
  /** The server origin the secret is sent to, or (client secrets) the origin of the server it was entered for. */
  readonly boundTo: string;
  /** Client secrets only: the origin of the token authority the secret is sent to. */
  readonly authority?: string;
  readonly value: string;
}

/** The string to put in SecretStorage: the secret bound to `boundTo` (an origin). Only goes to SecretStorage. */
export function encodeBoundSecret(boundTo: string, secret: Secret): string {
  const stored: StoredBound = { v: 1, boundTo: normaliseOrigin(boundTo), value: secret.reveal() };
  return JSON.stringify(stored);
}

/** Where a client secret may be used: for one server's origin, sent only to one token authority. */
export interface ClientSecretBinding {
  readonly serverOrigin: string;
  /** The authority host (`apimMcp.entra.authorityHost`); only its origin counts. */
  readonly authority: string;
}

/** The string to put in SecretStorage for a client secret, bound to the server's origin and the token authority. */
export function encodeClientSecret(binding: ClientSecretBinding, secret: Secret): string {
  const stored: StoredBound = { v: 1, boundTo: normaliseOrigin(binding.serverOrigin), authority: clientSecretAuthority(binding.authority), value: secret.reveal() };
  return JSON.stringify(stored);
}

export type BoundSecretLookup =
  | { kind: 'found'; secret: Secret }
  | { kind: 'missing' }
  /** The secret was stored for another origin: ask the user again, never send it. */
  | { kind: 'originMismatch'; storedFor: string; requestedFor: string }
  /** Unreadable value (hand-edited or an older format): treat as missing and ask again. */
  | { kind: 'corrupt' };

/** Reads what `encodeBoundSecret` stored, releasing the secret only to the origin it was stored for. */
export function decodeBoundSecret(stored: string | undefined, requestedFor: string): BoundSecretLookup {
  const parsed = parseStored(stored);
  if (typeof parsed === 'string') return { kind: parsed };
  const requested = normaliseOrigin(requestedFor);
  if (parsed.boundTo !== requested) return { kind: 'originMismatch', storedFor: parsed.boundTo, requestedFor: requested };
  return { kind: 'found', secret: Secret.of(parsed.value) };
}

/**
 * Reads what `encodeClientSecret` stored: released only for the server origin and to the authority it was entered
 * for. A server whose URL or the authority setting changed since gets nothing, so the secret never goes to a token
 * endpoint, and its token never to a server, that the user did not enter it for.
 */
export function decodeClientSecret(stored: string | undefined, binding: ClientSecretBinding): BoundSecretLookup {
  const parsed = parseStored(stored);
  if (typeof parsed === 'string') return { kind: parsed };
  const server = normaliseOrigin(binding.serverOrigin);
  if (parsed.boundTo !== server) return { kind: 'originMismatch', storedFor: parsed.boundTo, requestedFor: server };
  const authority = clientSecretAuthority(binding.authority);
  // A secret without an authority was not stored by encodeClientSecret: it is not released to any authority.
  if (parsed.authority !== authority) return { kind: 'originMismatch', storedFor: parsed.authority ?? '(none)', requestedFor: authority };
  return { kind: 'found', secret: Secret.of(parsed.value) };
}

function parseStored(stored: string | undefined): StoredBound | 'missing' | 'corrupt' {
  if (stored === undefined || stored === '') return 'missing';
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return 'corrupt';
  }
  return isStoredBound(parsed) ? parsed : 'corrupt';
}

/** The authority a client secret is bound to (it is sent only to the token endpoint of this authority host). */
export function clientSecretAuthority(authorityUrl: string): string {
  return normaliseOrigin(authorityUrl);
}

function isStoredBound(value: unknown): value is StoredBound {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.v === 1 && typeof v.boundTo === 'string' && (v.authority === undefined || typeof v.authority === 'string') && typeof v.value === 'string' && v.value.length > 0;
}

/** `https://Host:443/path` and `https://host` are the same origin; anything unparsable is compared verbatim. */
export function normaliseOrigin(urlOrOrigin: string): string {
  try {
    return new URL(urlOrOrigin).origin;
  } catch {
    return urlOrOrigin;
  }
}
