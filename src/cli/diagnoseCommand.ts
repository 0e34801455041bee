/**
 * `apim-mcp diagnose <mcp-url>`: probes a deployed gateway and explains what fails. `--format json|sarif|markdown`
 * and `--fail-on` let a release pipeline check the gateway after each deployment (`--json` is kept as an alias of
 * `--format json`). Secrets come from environment variables only: arguments are visible in the process list.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { readPolicyExpectations } from '../core/apim/policy/tokenValidation';
import { diagnose, expectFromPolicy, renderMarkdownReport, type Diagnosis, type DiagnoseInput } from '../core/diagnosis';
import { VSCODE_ENTRA_REDIRECT_URIS } from '../core/entra/redirectUris';
import { createNodeFetch } from '../core/probe/nodeFetch';
import { Secret } from '../core/secret';
import { secretValueProblem } from '../core/secrets/secretValue';
import { AUTH_KINDS, parseServerUrl, type AuthKind } from '../core/serverRecord';
import { inertText } from '../core/basics';
import { colourWanted, paint, parseFormat, parseThreshold, reaches, terminalJson, UsageError, type CliIo } from './io';
import { renderSarif, sarifLevel } from './sarif';
import { clientVerdicts, type ClientVerdict } from '../core/clients/verdicts';
import { keyFromSightings, readSightings, renderVerdicts } from './clients';


const DIAGNOSE_OPTIONS = {
  'key-env': { type: 'string' },
  'key-header': { type: 'string' },
  'token-env': { type: 'string' },
  auth: { type: 'string' },
  'client-id': { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  authority: { type: 'string' },
  'tool-roles': { type: 'string' },
  policy: { type: 'string' },
  'ca-cert': { type: 'string' },
  timeout: { type: 'string' },
  report: { type: 'string' },
  config: { type: 'string', multiple: true },
  format: { type: 'string' },
  json: { type: 'boolean' },
  'fail-on': { type: 'string' },
  'no-color': { type: 'boolean' },
} as const;

function secretFromEnv(io: CliIo, variable: string | undefined, what: string): Secret | undefined {
  if (variable === undefined) return undefined;
  const value = io.env[variable];
  if (value === undefined || value.trim() === '') throw new UsageError(`--${what}-env ${variable}: the environment variable is not set or empty.`);
  const problem = secretValueProblem(value.trim(), `The ${what} in ${variable}`);
  if (problem) throw new UsageError(`--${what}-env ${variable}: ${problem}`);
  return Secret.of(value.trim());
}

function readPolicyExpect(path: string): DiagnoseInput['expect'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--policy ${path}: cannot read the file.`);
  }
  if (!/<policies[\s>]/i.test(text)) throw new UsageError(`--policy ${path}: not an APIM policy (no <policies> element).`);
  return expectFromPolicy(readPolicyExpectations(text), basename(path));
}

function readToolRoles(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UsageError(`--tool-roles ${path}: not a readable JSON file.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new UsageError(`--tool-roles ${path}: expected {"<tool name>": "<app role>", …}.`);
  }
  return parsed as Record<string, string>;
}

/** The terminal report. Everything that came from the server is passed through `inertText` before colour is added. */
export function renderHuman(diagnosis: Diagnosis, colour: boolean, clients: readonly ClientVerdict[] = []): string {
  const c = paint(colour);
  const s = inertText;
  const lines: string[] = [c('bold', `APIM MCP diagnosis of ${s(diagnosis.server.url)}`), ''];
  lines.push(...renderVerdicts(clients).map(s));
  if (!diagnosis.findings.length) lines.push(c('info', 'Healthy: no findings.'));
  for (const f of diagnosis.findings) {
    lines.push(`${c(f.severity, f.severity.toUpperCase())} ${s(f.title)} ${c('dim', `[${s(f.id)}]`)}`);
    for (const e of f.evidence) lines.push(`  • ${s(e)}`);
    lines.push(`  ${c('bold', 'Fix:')} ${s(f.fix.summary)}`);
    for (const cmd of f.fix.commands ?? []) lines.push(`    $ ${s(cmd)}`);
    for (const l of f.fix.links ?? []) lines.push(`    ${s(l.label)}: ${s(l.url)}`);
    if (f.fix.snippet) lines.push(...f.fix.snippet.code.split('\n').map((l) => `    ${s(l)}`));
    lines.push('');
  }
  if (diagnosis.roleMatrix?.length) {
    lines.push(c('bold', 'Tool × role'));
    for (const r of diagnosis.roleMatrix) lines.push(`  ${s(r.tool).padEnd(24)} ${s(r.requiredRole ?? '-').padEnd(20)} ${r.granted === undefined ? '?' : r.granted ? 'allowed' : c('error', 'denied')}`);
    lines.push('');
  }
  lines.push(c('bold', 'Timeline'));
  for (const t of diagnosis.timeline) lines.push(c('dim', `  ${String(t.durationMs).padStart(5)} ms  ${t.status.padEnd(8)} ${s(t.step)}: ${s(t.detail)}`));
  return `${lines.join('\n')}\n`;
}

/** `--format json`: `{ server, findings, timeline }`, safe to print (see `terminalJson`). */
export function renderJson(diagnosis: Diagnosis, clients: readonly ClientVerdict[] = []): string {
  return terminalJson({ server: diagnosis.server, findings: diagnosis.findings, timeline: diagnosis.timeline, clients });
}

function diagnoseSarif(diagnosis: Diagnosis, version: string, cwd: string): string {
  const ids = [...new Set(diagnosis.findings.map((f) => f.id))];
  const rules = ids.map((id) => {
    const first = diagnosis.findings.find((f) => f.id === id)!;
    return { id, title: first.title, level: sarifLevel(first.severity), help: `docs/findings.md#${id}` };
  });
  const results = diagnosis.findings.map((f) => ({
    ruleId: f.id,
    level: sarifLevel(f.severity),
    message: [f.title, ...f.evidence.map((e) => `- ${e}`), `Fix: ${f.fix.summary}`].join('\n'),
    location: diagnosis.server.url,
  }));
  return renderSarif(version, rules, results, cwd);
}

function diagnoseInput(io: CliIo, values: Record<string, string | boolean | string[] | undefined>, url: string): DiagnoseInput {
  const v = values as { [K in keyof typeof DIAGNOSE_OPTIONS]?: (typeof DIAGNOSE_OPTIONS)[K] extends { multiple: true } ? string[] : string };
  const subscriptionKey = secretFromEnv(io, v['key-env'], 'key');
  const accessToken = secretFromEnv(io, v['token-env'], 'token');
  return {
    url,
    auth: (v.auth as AuthKind | undefined) ?? (accessToken || v['client-id'] ? (subscriptionKey ? 'subscriptionKeyAndEntra' : 'entra') : undefined),
    subscriptionKey,
    keyHeaderName: v['key-header'],
    accessToken,
    signIn: v['client-id']
      ? { clientId: v['client-id'], redirectUris: v['redirect-uri']?.length ? v['redirect-uri'] : [...VSCODE_ENTRA_REDIRECT_URIS], scopes: v.scope, authority: v.authority }
      : undefined,
    toolRoles: v['tool-roles'] ? readToolRoles(v['tool-roles']) : undefined,
    expect: v.policy ? readPolicyExpect(v.policy) : undefined,
  };
}

export async function runDiagnose(args: readonly string[], io: CliIo, version: string): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: DIAGNOSE_OPTIONS });
  if (positionals.length !== 1) throw new UsageError('diagnose takes exactly one MCP URL.');
  const url = parseServerUrl(positionals[0]!);
  if (!url.ok) throw new UsageError(url.error);
  if (values.auth !== undefined && !(AUTH_KINDS as readonly string[]).includes(values.auth)) throw new UsageError(`--auth must be one of ${AUTH_KINDS.join(', ')}.`);
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a positive number of milliseconds.');
  if (values['key-header'] !== undefined && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(values['key-header'])) throw new UsageError('--key-header is not a valid header name.');
  if ((values['redirect-uri']?.length ?? 0) > 0 && !values['client-id']) throw new UsageError('--redirect-uri needs --client-id.');
  if (values.json && values.format !== undefined && values.format !== 'json') throw new UsageError('--json is --format json; give one of them.');
  const format = values.json ? 'json' : parseFormat(values.format, ['text', 'json', 'sarif', 'markdown'] as const, 'text');
  const threshold = parseThreshold(values['fail-on']);
  let extraCaPem: string[] | undefined;
  if (values['ca-cert']) {
    try {
      extraCaPem = [readFileSync(values['ca-cert'], 'utf8')];
    } catch {
      throw new UsageError(`--ca-cert ${values['ca-cert']}: cannot read the file.`);
    }
  }
  const configs = readSightings(values.config ?? [], url.value.href);
  for (const problem of configs.problems) io.stderr(`${problem}\n`);
  const fromConfig = values['key-env'] === undefined ? keyFromSightings(configs.sightings, io.env) : undefined;
  const given = diagnoseInput(io, values, url.value.href);
  const input: DiagnoseInput = fromConfig && !given.subscriptionKey ? { ...given, subscriptionKey: fromConfig.key, keyHeaderName: given.keyHeaderName ?? fromConfig.header } : given;
  const net = createNodeFetch({ extraCaPem, keepAlive: true });
  let diagnosis: Diagnosis;
  try {
    diagnosis = await diagnose(input, { fetch: net.fetch, timeoutMs });
  } finally {
    net.close();
  }
  if (values.report) writeFileSync(values.report, renderMarkdownReport(diagnosis));
  // This shell is where the clients would run: a variable is set or not here; VS Code terminals are not known.
  const environment = { isSet: (name: string) => Boolean(io.env[name]?.trim()), inVsCodeTerminals: () => false };
  const clients = diagnosis.traits ? clientVerdicts(configs.sightings, diagnosis.traits, environment) : [];
  if (format === 'json') io.stdout(renderJson(diagnosis, clients));
  else if (format === 'sarif') io.stdout(diagnoseSarif(diagnosis, version, io.cwd ?? process.cwd()));
  else if (format === 'markdown') io.stdout(renderMarkdownReport(diagnosis));
  else io.stdout(renderHuman(diagnosis, colourWanted(io, values['no-color']), clients));
  return diagnosis.findings.some((f) => reaches(f.severity, threshold)) ? 1 : 0;
}
