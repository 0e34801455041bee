import { Secret } from '../secret';
import { DEFAULT_KEY_HEADER } from '../serverRecord';
import { envReference, keyEnvVarName, tokenEnvVarName } from '../secrets/envVars';
import { redactUrl } from '../secrets/urlRedaction';
import { uniqueName } from '../url/serverUrl';
import { inputIds, upsertInput, type ConfigEditError } from './configEditor';
import { applyEdits, detectLayout, findProperty, lineColumns, nodeEnd, parseJsonc, type Node } from './jsoncText';
import { inputReference, keyInputId, type PasswordInput } from './serverEntries';
import { serversKey, type ConfigFileFormat } from './targets';

/**
 * Finds subscription keys and bearer tokens written literally into `headers` of an MCP config, and computes the
 * edit that replaces each with a reference (password input or env var). The literal comes back as a `Secret`
 * so the adapter can move it into SecretStorage; it is never part of a message or a log line here.
 */
export type PlaintextSecretKind = 'subscriptionKey' | 'bearerToken' | 'queryKey';

export interface PlaintextSecretFinding {
  readonly serverName: string;
  readonly serverUrl?: string;
  /** The header holding the secret; for a `queryKey`, the query parameter in `url` (no quick fix moves those). */
  readonly headerName: string;
  readonly kind: PlaintextSecretKind;
  /** Range of the header value string (quotes included), for a Problems-panel diagnostic. */
  readonly offset: number;
  readonly length: number;
  readonly start: { line: number; column: number };
  readonly end: { line: number; column: number };
  readonly secret: Secret;
}

export interface LintOptions {
  /** Custom APIM key header names in use (from `apimMcp.servers` or a probe), beyond `Ocp-Apim-Subscription-Key`. */
  readonly keyHeaderNames?: readonly string[];
}

export type LintResult = { ok: true; findings: PlaintextSecretFinding[] } | { ok: false; error: ConfigEditError };

const PLACEHOLDER = /^(<[^>]*>|\{\{[^}]*\}\}|your[-_ ].*|.*[-_ ]here|x{3,}|\*{3,}|\.{3,}|changeme|todo|placeholder|redacted)$/i;

function isKeyHeader(name: string, extra: readonly string[]): boolean {
  const lower = name.toLowerCase();
  if (lower === DEFAULT_KEY_HEADER.toLowerCase()) return true;
  if (extra.some((h) => h.toLowerCase() === lower)) return true;
  return /subscription[-_]?key/.test(lower);
}

/** True when the value pulls its content from somewhere else rather than holding it. */
function isReference(value: string): boolean {
  return /\$\{[^}]+\}/.test(value) || /\$[A-Za-z_][A-Za-z0-9_]*/.test(value);
}

function literal(value: string): string | undefined {
  const v = value.trim();
  if (!v || isReference(v) || PLACEHOLDER.test(v)) return undefined;
  return v;
}

export function findPlaintextSecrets(text: string, format: ConfigFileFormat, options: LintOptions = {}): LintResult {
  const parsed = parseJsonc(text);
  if (!parsed.ok) return { ok: false, error: { kind: 'malformed', ...parsed.error } };
  const servers = findProperty(parsed.root, serversKey(format))?.value;
  const findings: PlaintextSecretFinding[] = [];
  const lineColumn = lineColumns(text);
  for (const property of servers?.type === 'object' ? (servers.children ?? []) : []) {
    const [keyNode, entry] = property.children ?? [];
    if (typeof keyNode?.value !== 'string' || entry?.type !== 'object') continue;
    const headers = findProperty(entry, 'headers')?.value;
    const urlNode = findProperty(entry, 'url')?.value;
    const url = urlNode?.value;
    const queryKey = typeof url === 'string' ? queryKeyIn(url) : undefined;
    if (queryKey && urlNode) {
      findings.push({
        serverName: keyNode.value,
        serverUrl: redactUrl(url),
        headerName: queryKey.name,
        kind: 'queryKey',
        offset: urlNode.offset,
        length: urlNode.length,
        start: lineColumn(urlNode.offset),
        end: lineColumn(nodeEnd(urlNode)),
        secret: Secret.of(queryKey.value),
      });
    }
    for (const header of headers?.type === 'object' ? (headers.children ?? []) : []) {
      const found = classifyHeader(header, options.keyHeaderNames ?? []);
      if (!found) continue;
      const valueNode = header.children![1]!;
      findings.push({
        serverName: keyNode.value,
        serverUrl: typeof url === 'string' ? url : undefined,
        headerName: found.headerName,
        kind: found.kind,
        offset: valueNode.offset,
        length: valueNode.length,
        start: lineColumn(valueNode.offset),
        end: lineColumn(nodeEnd(valueNode)),
        secret: Secret.of(found.value),
      });
    }
  }
  return { ok: true, findings };
}

/**
 * A subscription key written into the URL's query string (`?subscription-key=…`, APIM's default query parameter, or
 * any `subscription_key`-like name): plain text in the file like a header, and also in every log that records URLs.
 */
function queryKeyIn(url: string): { name: string; value: string } | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  for (const [name, raw] of params) {
    if (!/subscription[-_]?key/i.test(name)) continue;
    const value = literal(raw);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

function classifyHeader(header: Node, extra: readonly string[]): { headerName: string; kind: PlaintextSecretKind; value: string } | undefined {
  const [nameNode, valueNode] = header.children ?? [];
  if (typeof nameNode?.value !== 'string' || typeof valueNode?.value !== 'string') return undefined;
  const headerName = nameNode.value;
  if (isKeyHeader(headerName, extra)) {
    const value = literal(valueNode.value);
    return value === undefined ? undefined : { headerName, kind: 'subscriptionKey', value };
  }
  if (headerName.toLowerCase() === 'authorization') {
    const m = /^\s*bearer\s+(.+)$/i.exec(valueNode.value);
    const value = m ? literal(m[1]!) : undefined;
    return value === undefined ? undefined : { headerName, kind: 'bearerToken', value };
  }
  return undefined;
}

/** `passwordInput` for mcp.json (VS Code prompts once and encrypts); `envVar` for `.mcp.json` and Copilot CLI. */
export type MigrationMode = 'passwordInput' | 'envVar';

export type MigrationEdit =
  | { ok: true; text: string; changed: boolean; secret?: Secret; reference?: { kind: 'input'; id: string } | { kind: 'envVar'; name: string } }
  | { ok: false; error: ConfigEditError };

/**
 * Replaces the literal in `serverName`'s `headerName` with a reference. It looks the header up again in `text`, so it
 * can be re-applied to a file that changed on disk; if the literal is gone by then, nothing changes.
 */
export function migratePlaintextSecret(
  text: string,
  format: ConfigFileFormat,
  target: { serverName: string; headerName: string },
  mode: MigrationMode = format === 'vscodeMcpJson' ? 'passwordInput' : 'envVar',
  options: LintOptions = {},
): MigrationEdit {
  if (mode === 'passwordInput' && format !== 'vscodeMcpJson') {
    return { ok: false, error: { kind: 'unsupported', reason: 'This file does not support ${input:} references; use an environment variable.' } };
  }
  // The targeted header counts as a key header even if the caller's list is stale; Authorization stays a bearer header.
  const extra = target.headerName.toLowerCase() === 'authorization' ? [] : [target.headerName];
  const lint = findPlaintextSecrets(text, format, { keyHeaderNames: [...(options.keyHeaderNames ?? []), ...extra] });
  if (!lint.ok) return lint;
  const finding = lint.findings.find((f) => f.kind !== 'queryKey' && f.serverName === target.serverName && f.headerName === target.headerName);
  if (!finding) return { ok: true, text, changed: false };

  const layout = detectLayout(text, { indentUnit: '\t', eol: '\n' });
  const bearer = finding.kind === 'bearerToken';
  let reference: { kind: 'input'; id: string } | { kind: 'envVar'; name: string };
  let refText: string;
  if (mode === 'passwordInput') {
    const parsed = parseJsonc(text);
    const existing = parsed.ok ? inputIds(findProperty(parsed.root, 'inputs')?.value) : [];
    const base = bearer ? keyInputId(target.serverName).replace('-key-', '-token-') : keyInputId(target.serverName);
    const id = uniqueName(base, existing);
    reference = { kind: 'input', id };
    refText = inputReference(id);
  } else {
    const name = bearer ? tokenEnvVarName(target.serverName) : keyEnvVarName(target.serverName);
    reference = { kind: 'envVar', name };
    refText = envReference(name);
  }
  const newValue = bearer ? `Bearer ${refText}` : refText;
  let out = applyEdits(text, [{ offset: finding.offset, length: finding.length, content: JSON.stringify(newValue) }]);
  if (reference.kind === 'input') {
    const input: PasswordInput = {
      type: 'promptString',
      id: reference.id,
      description: `${bearer ? 'Access token' : 'APIM subscription key'} for ${target.serverName}`,
      password: true,
    };
    out = upsertInput(out, { ...input }, layout);
  }
  return { ok: true, text: out, changed: true, secret: finding.secret, reference };
}
