/**
 * The diagnosis CLI: `node dist/cli.js diagnose <url> [--key-env VAR] [--token-env VAR] [--json]`.
 * Exit 0 when healthy, 1 when there are error findings, 2 on usage errors. Secrets are read from environment
 * variables only (never from arguments, which other users can see in the process list).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { readPolicyExpectations } from './core/apim/policy/tokenValidation';
import { diagnose, expectFromPolicy, hasErrors, renderMarkdownReport, type Diagnosis, type DiagnoseInput } from './core/diagnosis';
import { lookupAadsts, aadstsErrorUrl } from './core/entra/aadstsCatalogue';
import { parseAadstsText } from './core/entra/aadstsText';
import { identifyRedirectUri, PLATFORM_LABEL } from './core/entra/redirectUris';
import { createNodeFetch } from './core/probe/nodeFetch';
import { Secret } from './core/secret';
import { AUTH_KINDS, parseServerUrl, type AuthKind } from './core/serverRecord';
import { errorMessage } from './core/basics';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTty: boolean;
}

const USAGE = `Usage:
  apim-mcp diagnose <mcp-url> [options]
  apim-mcp explain "<pasted AADSTS error text or redirect URL>"

Options for diagnose:
  --key-env VAR        read the subscription key from environment variable VAR
  --key-header NAME    header to send the key in (default Ocp-Apim-Subscription-Key)
  --token-env VAR      read the Entra access token from environment variable VAR
  --auth MODE          the client's auth mode: ${AUTH_KINDS.join(' | ')}
  --client-id ID       client id to preflight at the authorize endpoint
  --redirect-uri URI   redirect URI to preflight (repeatable)
  --scope SCOPE        scope for the preflight (repeatable; default: the PRM scopes)
  --authority URL      Entra authority when PRM names none (https://login.microsoftonline.com/<tenant>/v2.0)
  --tool-roles FILE    JSON {"<tool>": "<app role>"} from the gateway policy, for the tool × role matrix
  --policy FILE        the API's policy XML: the token is judged against its validate-jwt / validate-azure-ad-token
                       settings and a 500 against its forward-request timeout, quoting the policy's lines
  --ca-cert FILE       trust this extra CA certificate (PEM)
  --timeout MS         per-request time limit (default 10000)
  --report FILE        also write the redacted Markdown report to FILE
  --json               print {"server","findings","timeline"} as JSON
  --no-color           no colour even on a terminal

Exit codes: 0 healthy, 1 error findings, 2 usage error.`;

class UsageError extends Error {}

const COLOURS = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;

function paint(enabled: boolean) {
  return (colour: keyof typeof COLOURS, text: string): string => (enabled ? `${COLOURS[colour]}${text}${COLOURS.reset}` : text);
}

function secretFromEnv(io: CliIo, variable: string | undefined, what: string): Secret | undefined {
  if (variable === undefined) return undefined;
  const value = io.env[variable];
  if (value === undefined || value.trim() === '') throw new UsageError(`--${what}-env ${variable}: the environment variable is not set or empty.`);
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

export function renderHuman(diagnosis: Diagnosis, colour: boolean): string {
  const c = paint(colour);
  const lines: string[] = [c('bold', `APIM MCP diagnosis of ${diagnosis.server.url}`), ''];
  if (!diagnosis.findings.length) lines.push(c('info', 'Healthy: no findings.'));
  for (const f of diagnosis.findings) {
    lines.push(`${c(f.severity, f.severity.toUpperCase())} ${f.title} ${c('dim', `[${f.id}]`)}`);
    for (const e of f.evidence) lines.push(`  • ${e}`);
    lines.push(`  ${c('bold', 'Fix:')} ${f.fix.summary}`);
    for (const cmd of f.fix.commands ?? []) lines.push(`    $ ${cmd}`);
    for (const l of f.fix.links ?? []) lines.push(`    ${l.label}: ${l.url}`);
    if (f.fix.snippet) lines.push(...f.fix.snippet.code.split('\n').map((l) => `    ${l}`));
    lines.push('');
  }
  if (diagnosis.roleMatrix?.length) {
    lines.push(c('bold', 'Tool × role'));
    for (const r of diagnosis.roleMatrix) lines.push(`  ${r.tool.padEnd(24)} ${(r.requiredRole ?? '-').padEnd(20)} ${r.granted === undefined ? '?' : r.granted ? 'allowed' : c('error', 'denied')}`);
    lines.push('');
  }
  lines.push(c('bold', 'Timeline'));
  for (const t of diagnosis.timeline) lines.push(c('dim', `  ${String(t.durationMs).padStart(5)} ms  ${t.status.padEnd(7)} ${t.step}: ${t.detail}`));
  return `${lines.join('\n')}\n`;
}

function explain(text: string, io: CliIo): number {
  const parsed = parseAadstsText(text);
  if (!parsed.codes.length) {
    io.stderr('No AADSTS code found in the text.\n');
    return 2;
  }
  const out: string[] = [];
  for (const code of parsed.codes) {
    const entry = lookupAadsts(code);
    out.push(`AADSTS${code}${entry ? ` → ${entry.findingId}` : ''}`);
    if (entry) out.push(`  Meaning: ${entry.meaning}`, `  Fix: ${entry.fix}`);
    out.push(`  Reference: ${aadstsErrorUrl(code)}`);
  }
  if (parsed.appId) out.push(`App id: ${parsed.appId}`);
  if (parsed.redirectUri) {
    const known = identifyRedirectUri(parsed.redirectUri);
    out.push(`Redirect URI: ${parsed.redirectUri}${known ? ` (${known.client}: register under "${PLATFORM_LABEL[known.platform]}")` : ''}`);
  }
  if (parsed.traceId) out.push(`Trace ID: ${parsed.traceId}`);
  if (parsed.correlationId) out.push(`Correlation ID: ${parsed.correlationId}`);
  if (parsed.timestamp) out.push(`Timestamp: ${parsed.timestamp}`);
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === 'explain') {
      if (rest.length !== 1) throw new UsageError('explain takes one argument: the pasted error text or URL (quote it).');
      return explain(rest[0]!, io);
    }
    if (command !== 'diagnose') throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: {
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
        json: { type: 'boolean' },
        'no-color': { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('diagnose takes exactly one MCP URL.');
    const url = parseServerUrl(positionals[0]!);
    if (!url.ok) throw new UsageError(url.error);
    if (values.auth !== undefined && !(AUTH_KINDS as readonly string[]).includes(values.auth)) throw new UsageError(`--auth must be one of ${AUTH_KINDS.join(', ')}.`);
    const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a positive number of milliseconds.');
    if (values['key-header'] !== undefined && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(values['key-header'])) throw new UsageError('--key-header is not a valid header name.');
    if ((values['redirect-uri']?.length ?? 0) > 0 && !values['client-id']) throw new UsageError('--redirect-uri needs --client-id.');
    let extraCaPem: string[] | undefined;
    if (values['ca-cert']) {
      try {
        extraCaPem = [readFileSync(values['ca-cert'], 'utf8')];
      } catch {
        throw new UsageError(`--ca-cert ${values['ca-cert']}: cannot read the file.`);
      }
    }
    const subscriptionKey = secretFromEnv(io, values['key-env'], 'key');
    const accessToken = secretFromEnv(io, values['token-env'], 'token');
    const input: DiagnoseInput = {
      url: url.value.href,
      auth: (values.auth as AuthKind | undefined) ?? (accessToken || values['client-id'] ? (subscriptionKey ? 'subscriptionKeyAndEntra' : 'entra') : undefined),
      subscriptionKey,
      keyHeaderName: values['key-header'],
      accessToken,
      signIn: values['client-id']
        ? { clientId: values['client-id'], redirectUris: values['redirect-uri']?.length ? values['redirect-uri'] : ['http://127.0.0.1:33418'], scopes: values.scope, authority: values.authority }
        : undefined,
      toolRoles: values['tool-roles'] ? readToolRoles(values['tool-roles']) : undefined,
      expect: values.policy ? readPolicyExpect(values.policy) : undefined,
    };
    const net = createNodeFetch({ extraCaPem, keepAlive: true });
    let diagnosis: Diagnosis;
    try {
      diagnosis = await diagnose(input, { fetch: net.fetch, timeoutMs });
    } finally {
      net.close();
    }
    if (values.report) writeFileSync(values.report, renderMarkdownReport(diagnosis));
    if (values.json) {
      io.stdout(`${JSON.stringify({ server: diagnosis.server, findings: diagnosis.findings, timeline: diagnosis.timeline }, null, 2)}\n`);
    } else {
      io.stdout(renderHuman(diagnosis, io.isTty && !values['no-color'] && io.env['NO_COLOR'] === undefined));
    }
    return hasErrors(diagnosis) ? 1 : 0;
  } catch (error: unknown) {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTty: Boolean(process.stdout.isTTY),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`apim-mcp: the diagnosis could not run: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
