import { getNodeValue } from 'jsonc-parser';
import { parseEnvReference } from '../secrets/envVars';
import { uniqueName } from '../url/serverUrl';
import {
  appendChildEdits,
  applyEdits,
  detectLayout,
  findProperty,
  formatValue,
  lineIndentAt,
  parseJsonc,
  propertyKeys,
  removeChildEdits,
  removePropertyEdits,
  setPropertyEdits,
  type Edit,
  type JsonSyntaxError,
  type Layout,
  type Node,
  type ParsedJsonc,
} from './jsoncText';
import { ALL_TOOLS, buildMcpJsonEntry, buildMcpServersEntry, keyInputId, KEY_INPUT_PREFIX, type EntryOptions, type ServerDescription } from './serverEntries';
import { keyEnvVarName } from '../secrets/envVars';
import { serversKey, type ConfigFileFormat } from './targets';

/**
 * Adds, updates and removes one server in the text of an MCP config file. Pure text in, text out: the caller does
 * the I/O (see safeWrite). Only the server's own node, its input, and the separators next to them change.
 */
export type ConfigEditError =
  | ({ kind: 'malformed' } & JsonSyntaxError)
  | { kind: 'shape'; message: string }
  | { kind: 'nameTaken'; name: string }
  | { kind: 'envVarTaken'; envVar: string; usedBy: string }
  | { kind: 'unsupported'; reason: string };

export type ConfigEdit =
  | { ok: true; text: string; changed: boolean }
  | { ok: false; error: ConfigEditError };

export interface ConfiguredServer {
  readonly name: string;
  readonly type?: string;
  readonly url?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly oauthClientId?: string;
  /** The client id exactly where it is written: `oauth.clientId` (VS Code, Claude Code), `oauthClientId` (Copilot CLI). */
  readonly oauthFields: { readonly nested?: string; readonly flat?: string };
  /** The entry's raw `tools` value, when it has one. */
  readonly tools?: unknown;
  /** `${input:id}` ids used anywhere in the entry. */
  readonly inputRefs: readonly string[];
  /** Environment variables its header values are exactly a reference to. */
  readonly envRefs: readonly string[];
}

export type ReadServersResult = { ok: true; servers: ConfiguredServer[] } | { ok: false; error: ConfigEditError };

const FALLBACK_LAYOUT: Layout = { indentUnit: '\t', eol: '\n' };
const INPUT_REF = /\$\{input:([^}]+)\}/g;

/** `mcpServers` or `servers` at the root decides the format of a file found by the lint. */
export function detectFileFormat(text: string): ConfigFileFormat | undefined {
  const parsed = parseJsonc(text);
  return parsed.ok ? declaredFormat(parsed.root) : undefined;
}

function declaredFormat(root: Node | undefined): ConfigFileFormat | undefined {
  const keys = propertyKeys(root);
  if (keys.includes('mcpServers')) return 'mcpServers';
  if (keys.includes('servers')) return 'vscodeMcpJson';
  return undefined;
}

export function readConfiguredServers(text: string, format: ConfigFileFormat): ReadServersResult {
  const doc = openDocument(text, format);
  return doc.ok ? { ok: true, servers: locatedServers(doc).map((s) => s.server) } : doc;
}

/** A server entry and the offset of its property (`"name": {…}`) in the file. */
export interface LocatedServer {
  readonly server: ConfiguredServer;
  readonly offset: number;
}

export type ReadConfigFileResult = { ok: true; format: ConfigFileFormat | undefined; servers: LocatedServer[] } | { ok: false; error: ConfigEditError };

/**
 * Reads a config file in one parse: its format is the one the root declares (`mcpServers` or `servers`), else
 * `fallback` (from the file's name); with neither, the file holds no servers.
 */
export function readConfigFile(text: string, fallback: ConfigFileFormat | undefined): ReadConfigFileResult {
  const parsed = parseJsonc(text);
  const format = (parsed.ok ? declaredFormat(parsed.root) : undefined) ?? fallback;
  if (!format) return { ok: true, format, servers: [] };
  const doc = openParsed(parsed, format);
  return doc.ok ? { ok: true, format, servers: locatedServers(doc) } : doc;
}

function locatedServers(doc: OpenDocument & { ok: true }): LocatedServer[] {
  const servers: LocatedServer[] = [];
  for (const property of doc.servers?.children ?? []) {
    const [keyNode, valueNode] = property.children ?? [];
    if (typeof keyNode?.value !== 'string' || !valueNode) continue;
    servers.push({ server: describeServer(keyNode.value, getNodeValue(valueNode)), offset: property.offset });
  }
  return servers;
}

export function serverNames(text: string, format: ConfigFileFormat): string[] {
  const read = readConfiguredServers(text, format);
  return read.ok ? read.servers.map((s) => s.name) : [];
}

/** Server names in a file are compared case-insensitively, so two entries never differ only by case. */
export function isNameTaken(text: string, format: ConfigFileFormat, name: string): boolean {
  const lower = name.trim().toLowerCase();
  return serverNames(text, format).some((n) => n.toLowerCase() === lower);
}

/** `base`, or `base-2`, `base-3`, … whichever is free in this file. */
export function suggestUniqueName(text: string, format: ConfigFileFormat, base: string): string {
  return uniqueName(base, serverNames(text, format));
}

export interface AddServerOptions extends EntryOptions {
  /** Update the entry if a server with exactly this name exists (its unknown fields and other headers are kept). */
  readonly replace?: boolean;
  /** Indentation for a file that has none to copy (new or single-line). */
  readonly newFileIndent?: string;
}

/** Adds the server (and, in mcp.json, its password input) or, with `replace`, updates it. */
export function addServer(text: string, format: ConfigFileFormat, desc: ServerDescription, options: AddServerOptions = {}): ConfigEdit {
  const doc = openDocument(text, format);
  if (!doc.ok) return doc;
  const layout = detectLayout(text, { ...FALLBACK_LAYOUT, indentUnit: options.newFileIndent ?? FALLBACK_LAYOUT.indentUnit });
  const names = propertyKeys(doc.servers);
  const existingName = names.find((n) => n.toLowerCase() === desc.name.toLowerCase());
  if (existingName !== undefined && !(options.replace && existingName === desc.name)) {
    return { ok: false, error: { kind: 'nameTaken', name: existingName } };
  }
  const previous = existingName !== undefined ? describeServer(existingName, getNodeValue(findProperty(doc.servers, existingName)!.value)) : undefined;

  let entry: Record<string, unknown>;
  let inputs: readonly Record<string, unknown>[] = [];
  if (format === 'vscodeMcpJson') {
    const ownPrevious = previous?.inputRefs.find((id) => id.startsWith(KEY_INPUT_PREFIX));
    const inputId = ownPrevious ?? uniqueName(keyInputId(desc.name), inputIds(doc.inputs));
    const built = buildMcpJsonEntry(desc, inputId, options);
    if (!built.ok) return { ok: false, error: { kind: 'unsupported', reason: built.reason } };
    entry = built.value.server;
    inputs = built.value.inputs.map((i) => ({ ...i }));
  } else {
    const built = buildMcpServersEntry(desc, keyEnvVarName(desc.name), options);
    if (!built.ok) return { ok: false, error: { kind: 'unsupported', reason: built.reason } };
    entry = built.value.server;
    const others = readConfiguredServers(text, format);
    for (const envVar of built.value.envVars) {
      const user = others.ok ? others.servers.find((s) => s.name !== existingName && s.envRefs.includes(envVar)) : undefined;
      if (user) return { ok: false, error: { kind: 'envVarTaken', envVar, usedBy: user.name } };
    }
  }

  const key = serversKey(format);
  if (!doc.root) return { ok: true, text: newDocument(text, key, desc.name, entry, inputs, layout), changed: true };

  let out = text;
  if (!doc.servers) {
    out = applyEdits(out, appendChildEdits(out, doc.root, key, { [desc.name]: entry }, layout));
  } else if (previous === undefined) {
    out = applyEdits(out, appendChildEdits(out, doc.servers, desc.name, entry, layout));
  } else {
    out = updateEntry(out, format, desc.name, entry, previous, layout, options);
  }
  for (const input of inputs) out = upsertInput(out, input, layout);
  if (previous) out = removeUnreferencedInputs(out, previous.inputRefs);
  return { ok: true, text: out, changed: out !== text };
}

/** Removes the server and any input that only it used. A server that is not there leaves the text unchanged. */
export function removeServer(text: string, format: ConfigFileFormat, name: string): ConfigEdit {
  const doc = openDocument(text, format);
  if (!doc.ok) return doc;
  const found = findProperty(doc.servers, name);
  if (!found || !doc.servers) return { ok: true, text, changed: false };
  const refs = describeServer(name, getNodeValue(found.value)).inputRefs;
  let out = applyEdits(text, removeChildEdits(text, doc.servers, found.index));
  if (format === 'vscodeMcpJson') out = removeUnreferencedInputs(out, refs);
  return { ok: true, text: out, changed: out !== text };
}

type OpenDocument =
  | { ok: true; root: Node | undefined; servers: Node | undefined; inputs: Node | undefined }
  | { ok: false; error: ConfigEditError };

function openDocument(text: string, format: ConfigFileFormat): OpenDocument {
  return openParsed(parseJsonc(text), format);
}

function openParsed(parsed: ParsedJsonc, format: ConfigFileFormat): OpenDocument {
  if (!parsed.ok) return { ok: false, error: { kind: 'malformed', ...parsed.error } };
  const key = serversKey(format);
  const servers = findProperty(parsed.root, key)?.value;
  if (servers && servers.type !== 'object') {
    return { ok: false, error: { kind: 'shape', message: `"${key}" must be an object.` } };
  }
  const inputs = format === 'vscodeMcpJson' ? findProperty(parsed.root, 'inputs')?.value : undefined;
  if (inputs && inputs.type !== 'array') return { ok: false, error: { kind: 'shape', message: '"inputs" must be a list.' } };
  return { ok: true, root: parsed.root, servers, inputs };
}

function describeServer(name: string, value: unknown): ConfiguredServer {
  const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  if (typeof entry.headers === 'object' && entry.headers !== null) {
    for (const [k, v] of Object.entries(entry.headers as Record<string, unknown>)) if (typeof v === 'string') headers[k] = v;
  }
  const oauth = entry.oauth as { clientId?: unknown } | undefined;
  const oauthFields = { nested: typeof oauth?.clientId === 'string' ? oauth.clientId : undefined, flat: typeof entry.oauthClientId === 'string' ? entry.oauthClientId : undefined };
  const oauthClientId = oauthFields.flat ?? oauthFields.nested;
  const inputRefs = [...new Set([...JSON.stringify(value ?? null).matchAll(INPUT_REF)].map((m) => m[1]!))];
  const envRefs = [...new Set(Object.values(headers).map(parseEnvReference).filter((v): v is string => v !== undefined))];
  return {
    name,
    type: typeof entry.type === 'string' ? entry.type : undefined,
    url: typeof entry.url === 'string' ? entry.url : undefined,
    headers,
    oauthClientId,
    oauthFields,
    tools: entry.tools,
    inputRefs,
    envRefs,
  };
}

/** The ids of a VS Code mcp.json's `inputs`, in file order; none when the text is not a readable mcp.json. */
export function mcpJsonInputIds(text: string): string[] {
  const doc = openDocument(text, 'vscodeMcpJson');
  return doc.ok ? inputIds(doc.inputs) : [];
}

export function inputIds(inputs: Node | undefined): string[] {
  return (inputs?.children ?? [])
    .map((n) => (n.type === 'object' ? findProperty(n, 'id')?.value.value : undefined))
    .filter((id): id is string => typeof id === 'string');
}

function newDocument(
  existing: string,
  key: string,
  name: string,
  entry: Record<string, unknown>,
  inputs: readonly Record<string, unknown>[],
  layout: Layout,
): string {
  const doc: Record<string, unknown> = { [key]: { [name]: entry } };
  if (inputs.length > 0) doc.inputs = inputs;
  // An empty or comment-only file keeps its comments above the new object.
  const prefix = existing.trim() === '' ? '' : existing.endsWith('\n') ? existing : existing + layout.eol;
  return prefix + formatValue(doc, layout, '') + layout.eol;
}

/** Applies one edit at a time, re-parsing in between, so offsets are always fresh. */
function step(text: string, build: (root: Node, text: string) => Edit[]): string {
  const parsed = parseJsonc(text);
  if (!parsed.ok || !parsed.root) return text;
  return applyEdits(text, build(parsed.root, text));
}

function entryNode(root: Node, key: string, name: string): Node | undefined {
  return findProperty(findProperty(root, key)?.value, name)?.value;
}

/** Sets the fields this extension manages and keeps everything else in the entry (gallery, dev, timeout, user headers…). */
function updateEntry(
  text: string,
  format: ConfigFileFormat,
  name: string,
  entry: Record<string, unknown>,
  previous: ConfiguredServer,
  layout: Layout,
  options: EntryOptions,
): string {
  const key = serversKey(format);
  const previousRefs = new Set([...previous.inputRefs.map((id) => '${input:' + id + '}'), ...previous.envRefs]);
  const newHeaders = (entry.headers ?? {}) as Record<string, string>;
  const newHeaderNames = new Set(Object.keys(newHeaders).map((h) => h.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [h, v] of Object.entries(previous.headers)) {
    // Drop the header this update sets, and the old key header (it may have been renamed); keep the user's others.
    const envVar = parseEnvReference(v);
    const ours = newHeaderNames.has(h.toLowerCase()) || [...previousRefs].some((r) => v.includes(r)) || (envVar !== undefined && previousRefs.has(envVar));
    if (!ours) headers[h] = v;
  }
  Object.assign(headers, newHeaders);

  const managed: [string, unknown][] =
    format === 'vscodeMcpJson'
      ? [
          ['type', entry.type],
          ['url', entry.url],
          ['headers', Object.keys(headers).length ? headers : undefined],
          ['oauth', mergedOauth(text, key, name, entry.oauth as Record<string, unknown> | undefined)],
        ]
      : [
          ['type', entry.type],
          ['url', entry.url],
          ['headers', Object.keys(headers).length ? headers : undefined],
          ['oauth', mergedOauth(text, key, name, entry.oauth as Record<string, unknown> | undefined)],
          ['oauthClientId', entry.oauthClientId],
        ];
  let out = text;
  for (const [field, value] of managed) {
    out = step(out, (root, current) => {
      const node = entryNode(root, key, name);
      if (!node || node.type !== 'object') return [];
      const existing = findProperty(node, field);
      if (value === undefined) return existing ? removePropertyEdits(current, node, field) : [];
      if (existing && JSON.stringify(getNodeValue(existing.value)) === JSON.stringify(value)) return [];
      return setPropertyEdits(current, node, field, value, layout);
    });
  }
  if (format === 'mcpServers') out = step(out, (root, current) => toolsEdits(current, entryNode(root, key, name), options, layout));
  return out;
}

/**
 * `tools` in an `mcpServers` entry: the Copilot CLI config gets `["*"]` when it has none; elsewhere the `["*"]` earlier
 * versions wrote is removed (Claude Code skips the whole server for it). A list the user narrowed is kept.
 */
export function toolsEdits(text: string, node: Node | undefined, options: EntryOptions, layout: Layout): Edit[] {
  if (!node || node.type !== 'object') return [];
  const tools = findProperty(node, 'tools');
  if (options.toolsAllowList) return tools ? [] : setPropertyEdits(text, node, 'tools', ALL_TOOLS, layout);
  return tools && JSON.stringify(getNodeValue(tools.value)) === JSON.stringify(ALL_TOOLS) ? removePropertyEdits(text, node, 'tools') : [];
}

function mergedOauth(text: string, key: string, name: string, next: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const parsed = parseJsonc(text);
  const node = parsed.ok && parsed.root ? findProperty(entryNode(parsed.root, key, name), 'oauth')?.value : undefined;
  const current = node ? (getNodeValue(node) as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...(typeof current === 'object' && current ? current : {}) };
  delete merged.clientId;
  Object.assign(merged, next ?? {});
  return Object.keys(merged).length ? merged : undefined;
}

/** Adds an mcp.json input, or replaces the one with the same id in place. */
export function upsertInput(text: string, input: Record<string, unknown>, layout: Layout = detectLayout(text, FALLBACK_LAYOUT)): string {
  return step(text, (root, current) => {
    const inputs = findProperty(root, 'inputs')?.value;
    if (!inputs) return appendChildEdits(current, root, 'inputs', [input], layout);
    const element = (inputs.children ?? []).find((n) => n.type === 'object' && findProperty(n, 'id')?.value.value === input.id);
    if (!element) return appendChildEdits(current, inputs, undefined, input, layout);
    if (JSON.stringify(getNodeValue(element)) === JSON.stringify(input)) return [];
    // Same id, other content (say, not a password): replace in place, keeping its position among the inputs.
    return [{ offset: element.offset, length: element.length, content: formatValue(input, layout, lineIndentAt(current, element.offset)) }];
  });
}

/** Removes inputs among `ids` that no server entry references any more. */
function removeUnreferencedInputs(text: string, ids: readonly string[]): string {
  let out = text;
  for (const id of ids) {
    const parsed = parseJsonc(out);
    if (!parsed.ok || !parsed.root) return out;
    const servers = findProperty(parsed.root, 'servers')?.value;
    const stillUsed = servers ? JSON.stringify(getNodeValue(servers)).includes('${input:' + id + '}') : false;
    if (stillUsed) continue;
    const inputs = findProperty(parsed.root, 'inputs')?.value;
    const index = (inputs?.children ?? []).findIndex((n) => n.type === 'object' && findProperty(n, 'id')?.value.value === id);
    if (!inputs || index === -1) continue;
    // Emptying `inputs` removes the property: most hand-written files have none, and add-then-remove must be a no-op.
    out = inputs.children!.length === 1 ? applyEdits(out, removePropertyEdits(out, parsed.root, 'inputs')) : applyEdits(out, removeChildEdits(out, inputs, index));
  }
  return out;
}
