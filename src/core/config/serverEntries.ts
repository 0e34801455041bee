import { DEFAULT_KEY_HEADER, usesEntra, usesSubscriptionKey, type ServerRecord } from '../serverRecord';
import { envReference, keyEnvVarName } from '../secrets/envVars';

/**
 * The entry each target gets for one server. No secret ever appears here: a key is an `${input:}` reference to a
 * password prompt (mcp.json), an env var reference (`.mcp.json`, Copilot CLI), or lives in SecretStorage (setting).
 */
export interface ServerDescription extends ServerRecord {
  /** The server publishes protected-resource metadata whose `resource` matches its URL, so clients can sign in alone. */
  readonly prmValid: boolean;
}

/** Why a file target cannot hold a server; the adapter words it, `reason` is the English text (CLI, logs). */
export type EntryRefusal = 'entraNeedsPrm';

export type EntryResult<T> = { ok: true; value: T } | { ok: false; refusal: EntryRefusal; reason: string };

/** An mcp.json `inputs` item. Always `promptString` + `password`: VS Code stores every other input kind in plaintext. */
export interface PasswordInput {
  readonly type: 'promptString';
  readonly id: string;
  readonly description: string;
  readonly password: true;
}

export interface McpJsonEntry {
  readonly server: Record<string, unknown>;
  readonly inputs: readonly PasswordInput[];
}

export interface McpServersEntry {
  readonly server: Record<string, unknown>;
  /** Variables the header values refer to; the adapter fills them in terminals from SecretStorage. */
  readonly envVars: readonly string[];
}

export const KEY_INPUT_PREFIX = 'apim-mcp-key-';

/** The Copilot CLI `tools` value that keeps every tool the server lists; earlier versions wrote it to `.mcp.json` too. */
export const ALL_TOOLS: readonly string[] = ['*'];

/** The default input id for a server's key: `apim-mcp-key-<slug>` (input ids stay within `[a-z0-9-]`). */
export function keyInputId(serverName: string): string {
  const slug = serverName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return KEY_INPUT_PREFIX + (slug || 'server');
}

export function inputReference(id: string): string {
  return '${input:' + id + '}';
}

const NEEDS_PRM =
  'Clients can sign in to this server by themselves only when it publishes valid protected-resource metadata. ' +
  'Fix the metadata, or add the server to VS Code through the extension, which signs in for it.';

function entraSupported(desc: ServerDescription): { ok: false; refusal: EntryRefusal; reason: string } | undefined {
  return usesEntra(desc.auth) && !desc.prmValid ? { ok: false, refusal: 'entraNeedsPrm', reason: NEEDS_PRM } : undefined;
}

/** What the program that reads a file accepts, where that differs between versions (see `CONFIG_TARGETS`). */
export interface EntryOptions {
  /**
   * mcp.json: whether the running VS Code's schema (`vscode://schemas/mcp`) has `oauth.clientId` on HTTP servers.
   * Older schemas had `additionalProperties: false` without it. Default true: every VS Code that reads the field.
   */
  readonly vscodeOauthClientId?: boolean;
  /**
   * `mcpServers` files: add `"tools": ["*"]`. Only the Copilot CLI config gets it (`copilot mcp add` writes it
   * itself); Claude Code rejects a list of strings in `.mcp.json` and skips the whole server.
   */
  readonly toolsAllowList?: boolean;
}

/** `.vscode/mcp.json` / user `mcp.json`: `{type, url, headers?, oauth?}` plus a password input for a key. */
export function buildMcpJsonEntry(desc: ServerDescription, inputId: string = keyInputId(desc.name), options: EntryOptions = {}): EntryResult<McpJsonEntry> {
  const refused = entraSupported(desc);
  if (refused) return refused;
  const server: Record<string, unknown> = { type: 'http', url: desc.url };
  const inputs: PasswordInput[] = [];
  if (usesSubscriptionKey(desc.auth)) {
    server.headers = { [desc.keyHeaderName || DEFAULT_KEY_HEADER]: inputReference(inputId) };
    inputs.push({
      type: 'promptString',
      id: inputId,
      description: `APIM subscription key for ${desc.name} (${desc.origin})`,
      password: true,
    });
  }
  if (usesEntra(desc.auth) && desc.clientId && options.vscodeOauthClientId !== false) server.oauth = { clientId: desc.clientId };
  return { ok: true, value: { server, inputs } };
}

/**
 * Root `.mcp.json` / Copilot CLI `mcp-config.json`: `{type, url, headers?, tools?, oauth?, oauthClientId?}`. An Entra
 * client id goes in both fields: Claude Code reads `oauth.clientId`, Copilot CLI reads `oauthClientId`.
 */
export function buildMcpServersEntry(desc: ServerDescription, envVar: string = keyEnvVarName(desc.name), options: EntryOptions = {}): EntryResult<McpServersEntry> {
  const refused = entraSupported(desc);
  if (refused) return refused;
  const server: Record<string, unknown> = { type: 'http', url: desc.url };
  const envVars: string[] = [];
  if (usesSubscriptionKey(desc.auth)) {
    server.headers = { [desc.keyHeaderName || DEFAULT_KEY_HEADER]: envReference(envVar) };
    envVars.push(envVar);
  }
  if (options.toolsAllowList) server.tools = [...ALL_TOOLS];
  if (usesEntra(desc.auth) && desc.clientId) {
    server.oauth = { clientId: desc.clientId };
    server.oauthClientId = desc.clientId;
  }
  return { ok: true, value: { server, envVars } };
}

/** One `apimMcp.servers` item: non-secret fields only, defaults left out so the setting stays short. */
export function buildSettingEntry(desc: ServerRecord): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: desc.name, url: desc.url, auth: desc.auth };
  if (usesSubscriptionKey(desc.auth) && desc.keyHeaderName && desc.keyHeaderName !== DEFAULT_KEY_HEADER) {
    entry.keyHeaderName = desc.keyHeaderName;
  }
  if (usesEntra(desc.auth)) {
    if (desc.tenant) entry.tenant = desc.tenant;
    if (desc.scopes.length > 0) entry.scopes = [...desc.scopes];
    if (desc.clientId) entry.clientId = desc.clientId;
  }
  return entry;
}

/**
 * The `apimMcp.servers` list with `entry` added, or replacing the item with the same name (case-insensitive) when
 * `replace` is set. Unknown items are kept as they are. Undefined when the name is taken and `replace` is not set.
 */
export function withSettingEntry(list: unknown, entry: Record<string, unknown>, replace = false): unknown[] | undefined {
  const items = Array.isArray(list) ? [...list] : [];
  const name = String(entry.name).toLowerCase();
  const index = items.findIndex((i) => typeof i === 'object' && i !== null && String((i as { name?: unknown }).name ?? '').trim().toLowerCase() === name);
  if (index === -1) return [...items, entry];
  if (!replace) return undefined;
  items[index] = entry;
  return items;
}

/** The `apimMcp.servers` list without the named server; unchanged (same array) when it is not there. */
export function withoutSettingEntry(list: unknown, serverName: string): unknown[] {
  const items = Array.isArray(list) ? list : [];
  const name = serverName.trim().toLowerCase();
  const kept = items.filter((i) => !(typeof i === 'object' && i !== null && String((i as { name?: unknown }).name ?? '').trim().toLowerCase() === name));
  return kept.length === items.length ? items : kept;
}
