import { parseEnvReference } from '../secrets/envVars';
import { DEFAULT_KEY_HEADER, type AuthKind, type ServerRecord } from '../serverRecord';
import { classifyHost } from '../url/serverUrl';
import { readConfigFile, type ConfiguredServer } from './configEditor';
import { findProperty, lineColumn, lineColumns, parseJsonc } from './jsoncText';
import type { ConfigFileFormat, ConfigTargetKind } from './targets';

/**
 * The Servers view's model of one APIM-fronted MCP server found in a config source, which the diagnostics panel and
 * the commands on a tree node act on. Pure: the VS Code adapter (src/vscode/servers/configSources.ts) reads and
 * watches the files; this turns file text into entries with their line.
 */
export interface ServerEntry {
  /** Stable across refreshes: source, file and name. */
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly source: ConfigTargetKind;
  readonly auth: AuthKind;
  readonly keyHeaderName: string;
  /** The file that defines it (the settings file for extension-managed servers, when known). */
  readonly file?: string;
  /** Zero-based line of the entry in `file`. */
  readonly line?: number;
  readonly oauthClientId?: string;
  /** The client id exactly where a file entry writes it (`oauth.clientId`, `oauthClientId`). */
  readonly oauthFields?: { readonly nested?: string; readonly flat?: string };
  /** A file entry's raw `tools` value, when it has one. */
  readonly tools?: unknown;
  /** How the key is supplied in a file entry: a `${input:…}` reference, a `${VAR}` reference, or plaintext. */
  readonly keySupply?: 'input' | 'env' | 'plaintext';
  /** Environment variables a file entry's headers reference. */
  readonly envRefs: readonly string[];
  /** The variable the key header is exactly a reference to (`${VAR}`, `$VAR`), when it is one. */
  readonly keyEnvVar?: string;
  /** The setting record, for extension-managed servers. */
  readonly record?: ServerRecord;
}

const KEY_HEADER = /subscription-key|apim/i;

export function entryId(source: ConfigTargetKind, name: string, file?: string): string {
  return `${source}:${file ?? ''}:${name}`;
}

/** A server behind APIM: an APIM gateway host, or a request that carries an APIM subscription key header. */
export function isApimFronted(server: Pick<ConfiguredServer, 'url' | 'headers'>): boolean {
  if (!server.url) return false;
  let host: string;
  try {
    host = new URL(server.url).hostname;
  } catch {
    return false;
  }
  if (classifyHost(host).kind.startsWith('apim')) return true;
  return Object.keys(server.headers).some((h) => KEY_HEADER.test(h));
}

function authOf(server: ConfiguredServer): Pick<ServerEntry, 'auth' | 'keyHeaderName' | 'keySupply' | 'keyEnvVar'> {
  const headerNames = Object.keys(server.headers);
  const keyHeader = headerNames.find((h) => KEY_HEADER.test(h));
  const bearer = headerNames.some((h) => h.toLowerCase() === 'authorization') || server.oauthClientId !== undefined;
  let keySupply: ServerEntry['keySupply'];
  let keyEnvVar: string | undefined;
  if (keyHeader) {
    const value = server.headers[keyHeader] ?? '';
    keyEnvVar = parseEnvReference(value);
    keySupply = /\$\{input:[^}]+\}/.test(value) ? 'input' : keyEnvVar !== undefined || /\$\{?[A-Za-z_]/.test(value) ? 'env' : 'plaintext';
  }
  const auth: AuthKind = keyHeader ? (bearer ? 'subscriptionKeyAndEntra' : 'subscriptionKey') : bearer ? 'entra' : 'none';
  return { auth, keyHeaderName: keyHeader ?? DEFAULT_KEY_HEADER, keySupply, keyEnvVar };
}

export type FileEntries = { ok: true; entries: ServerEntry[] } | { ok: false; error: string };

/**
 * The APIM-fronted servers in one MCP config file, read in one parse. The format the file's root declares
 * (`mcpServers` or `servers`) wins; `format` (from the file's name) is used when it declares neither.
 */
export function entriesInConfigFile(text: string, format: ConfigFileFormat | undefined, source: ConfigTargetKind, file: string): FileEntries {
  const read = readConfigFile(text, format);
  if (!read.ok) {
    const e = read.error;
    return { ok: false, error: e.kind === 'malformed' ? `${file}:${e.line}:${e.column}: ${e.message}` : e.kind === 'shape' ? e.message : e.kind };
  }
  const lineColumn = lineColumns(text);
  const entries = read.servers
    .filter(({ server }) => isApimFronted(server))
    .map(({ server, offset }): ServerEntry => ({
      id: entryId(source, server.name, file),
      name: server.name,
      url: server.url!,
      source,
      ...authOf(server),
      file,
      line: lineColumn(offset).line - 1,
      oauthClientId: server.oauthClientId,
      oauthFields: server.oauthFields,
      tools: server.tools,
      envRefs: server.envRefs,
    }));
  return { ok: true, entries };
}

export function entryForRecord(record: ServerRecord, file?: string, line?: number): ServerEntry {
  return {
    id: entryId('extension', record.name),
    name: record.name,
    url: record.url,
    source: 'extension',
    auth: record.auth,
    keyHeaderName: record.keyHeaderName,
    file,
    line,
    oauthClientId: record.clientId,
    envRefs: [],
    record,
  };
}

/** Zero-based line of the `apimMcp.servers` entry named `name` in a settings.json text, if it is there. */
export function settingsEntryLine(text: string, name: string): number | undefined {
  const parsed = parseJsonc(text);
  if (!parsed.ok) return undefined;
  const list = findProperty(parsed.root, 'apimMcp.servers')?.value;
  if (!list) return undefined;
  for (const element of list.children ?? []) {
    const nameNode = findProperty(element, 'name')?.value;
    if (nameNode?.value === name) return lineColumn(text, element.offset).line - 1;
  }
  return lineColumn(text, list.offset).line - 1;
}
