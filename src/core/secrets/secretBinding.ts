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

/** SecretStorage key for a confidential client's secret (client-credentials flow), per tenant and client id. */
export function clientSecretSecretId(tenant: string, clientId: string): string {
  return `${SECRET_PREFIX}.clientSecret/${encodeURIComponent(tenant.trim().toLowerCase())}/${clientId.trim().toLowerCase()}`;
}

/** True for ids this module produces, so Forget Secrets can find every secret of the extension via `secrets.keys()`. */
export function isOwnSecretId(id: string): boolean {
  return id.startsWith(`${SECRET_PREFIX}.subscriptionKey/`) || id.startsWith(`${SECRET_PREFIX}.clientSecret/`);
}

/** Every SecretStorage id belonging to one server, for Forget Secrets and Remove Server. */
export function secretIdsForServer(server: { name: string; tenant?: string; clientId?: string }): string[] {
  const ids = [subscriptionKeySecretId(server.name)];
  if (server.tenant && server.clientId) ids.push(clientSecretSecretId(server.tenant, server.clientId));
  return ids;
}

interface StoredBound {
  readonly v: 1;
  /** For keys: the server origin. For client secrets: the token authority host. */
  readonly boundTo: string;
  readonly value: string;
}

/** The string to put in SecretStorage: the secret bound to `boundTo` (an origin). Only goes to SecretStorage. */
export function encodeBoundSecret(boundTo: string, secret: Secret): string {
  const stored: StoredBound = { v: 1, boundTo: normaliseOrigin(boundTo), value: secret.reveal() };
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
  if (stored === undefined || stored === '') return { kind: 'missing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return { kind: 'corrupt' };
  }
  if (!isStoredBound(parsed)) return { kind: 'corrupt' };
  const requested = normaliseOrigin(requestedFor);
  if (parsed.boundTo !== requested) return { kind: 'originMismatch', storedFor: parsed.boundTo, requestedFor: requested };
  return { kind: 'found', secret: Secret.of(parsed.value) };
}

/** The authority a client secret is bound to (it is sent only to the token endpoint of this authority host). */
export function clientSecretAuthority(authorityUrl: string): string {
  return normaliseOrigin(authorityUrl);
}

function isStoredBound(value: unknown): value is StoredBound {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.v === 1 && typeof v.boundTo === 'string' && typeof v.value === 'string' && v.value.length > 0;
}

/** `https://Host:443/path` and `https://host` are the same origin; anything unparsable is compared verbatim. */
export function normaliseOrigin(urlOrOrigin: string): string {
  try {
    return new URL(urlOrOrigin).origin;
  } catch {
    return urlOrOrigin;
  }
}
