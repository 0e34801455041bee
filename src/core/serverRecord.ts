import { GUID, inertText } from './basics';

/**
 * The non-secret record of an APIM-fronted MCP server, as kept in the `apimMcp.servers` setting.
 * Raw setting values are turned into `ServerRecord`s once, at the boundary; the rest of the code uses only these.
 */
export type AuthKind = 'subscriptionKey' | 'entra' | 'subscriptionKeyAndEntra' | 'none';

export const AUTH_KINDS: readonly AuthKind[] = ['subscriptionKey', 'entra', 'subscriptionKeyAndEntra', 'none'];
export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

export interface ServerRecord {
  readonly name: string;
  readonly url: string;
  readonly origin: string;
  readonly auth: AuthKind;
  readonly keyHeaderName: string;
  readonly tenant?: string;
  readonly scopes: readonly string[];
  readonly clientId?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function usesSubscriptionKey(auth: AuthKind): boolean {
  return auth === 'subscriptionKey' || auth === 'subscriptionKeyAndEntra';
}

export function usesEntra(auth: AuthKind): boolean {
  return auth === 'entra' || auth === 'subscriptionKeyAndEntra';
}

/**
 * A server name as the `apimMcp.servers` schema (package.json) and the MCP config files accept it: 1 to 100
 * characters, no `/`, no control characters. Names reach logs, notifications, tree labels and terminal variable names,
 * so a control character in one would be a terminal escape in the Output panel or a forged log line.
 */
export const SERVER_NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/]/;

export type ServerNameFault = 'empty' | 'tooLong' | 'badCharacter';

/** What is wrong with a name, if anything; the wizard words it (localised), parseServerRecord in English. */
export function serverNameFault(value: string): ServerNameFault | undefined {
  const v = value.trim();
  if (!v) return 'empty';
  if (v.length > 100) return 'tooLong';
  if (SERVER_NAME_FORBIDDEN.test(v)) return 'badCharacter';
  return undefined;
}

const NAME_FAULT_TEXT: Readonly<Record<ServerNameFault, string>> = {
  empty: 'Enter a name.',
  tooLong: 'Use at most 100 characters.',
  badCharacter: 'A name cannot contain "/" or control characters.',
};

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Validates an MCP endpoint URL: https, or http on a loopback address only, so secrets never cross the network in clear. */
export function parseServerUrl(raw: string): ParseResult<URL> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, error: `"${raw}" is not a valid URL.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: `The URL must start with https:// (found "${url.protocol}").` };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { ok: false, error: `Use https:// for ${url.hostname}: http is only allowed for loopback addresses.` };
  }
  if (url.username || url.password) {
    return { ok: false, error: 'The URL must not contain a user name or password.' };
  }
  return { ok: true, value: url };
}

/** Turns one raw `apimMcp.servers` entry into a ServerRecord, or says exactly what is wrong with it. */
export function parseServerRecord(raw: unknown): ParseResult<ServerRecord> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'A server entry must be an object.' };
  }
  const entry = raw as Record<string, unknown>;
  const name = typeof entry.name === 'string' ? entry.name.trim() : '';
  if (!name) return { ok: false, error: 'A server entry needs a "name".' };
  const nameFault = serverNameFault(name);
  if (nameFault) return { ok: false, error: `Server "${inertText(name)}": ${NAME_FAULT_TEXT[nameFault]}` };
  if (typeof entry.url !== 'string') return { ok: false, error: `Server "${name}" needs a "url".` };
  const url = parseServerUrl(entry.url);
  if (!url.ok) return { ok: false, error: `Server "${name}": ${url.error}` };
  const auth = entry.auth ?? 'subscriptionKey';
  if (typeof auth !== 'string' || !(AUTH_KINDS as readonly string[]).includes(auth)) {
    return { ok: false, error: `Server "${name}": "auth" must be one of ${AUTH_KINDS.join(', ')}.` };
  }
  const keyHeaderName = entry.keyHeaderName === undefined ? DEFAULT_KEY_HEADER : entry.keyHeaderName;
  if (typeof keyHeaderName !== 'string' || !HEADER_TOKEN.test(keyHeaderName)) {
    return { ok: false, error: `Server "${name}": "keyHeaderName" is not a valid HTTP header name.` };
  }
  if (entry.clientId !== undefined && (typeof entry.clientId !== 'string' || !GUID.test(entry.clientId))) {
    return { ok: false, error: `Server "${name}": "clientId" must be a GUID.` };
  }
  if (entry.tenant !== undefined && typeof entry.tenant !== 'string') {
    return { ok: false, error: `Server "${name}": "tenant" must be a string.` };
  }
  const scopes = entry.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
    return { ok: false, error: `Server "${name}": "scopes" must be a list of strings.` };
  }
  return {
    ok: true,
    value: {
      name,
      url: url.value.toString(),
      origin: url.value.origin,
      auth: auth as AuthKind,
      keyHeaderName,
      tenant: (entry.tenant as string | undefined)?.trim() || undefined,
      scopes: scopes as string[],
      clientId: entry.clientId as string | undefined,
    },
  };
}

export interface ServerList {
  readonly servers: readonly ServerRecord[];
  /** Entries that were skipped, each with the reason, so they can be logged and shown instead of dropped silently. */
  readonly problems: readonly string[];
}

/** Parses the whole setting; the first entry with a given name wins and later duplicates are reported. */
export function parseServerList(raw: unknown): ServerList {
  if (raw === undefined || raw === null) return { servers: [], problems: [] };
  if (!Array.isArray(raw)) return { servers: [], problems: ['"apimMcp.servers" must be a list.'] };
  const servers: ServerRecord[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of raw) {
    const parsed = parseServerRecord(entry);
    if (!parsed.ok) {
      problems.push(parsed.error);
    } else if (seen.has(parsed.value.name.toLowerCase())) {
      problems.push(`Server "${parsed.value.name}" is listed more than once; only the first entry is used.`);
    } else {
      seen.add(parsed.value.name.toLowerCase());
      servers.push(parsed.value);
    }
  }
  return { servers, problems };
}
