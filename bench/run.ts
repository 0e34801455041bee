/**
 * `npm run bench`, every figure a ratio against a baseline measured in the same run:
 * - full diagnosis of healthy-key and role-missing-for-tool with 50 ms injected gateway latency, against (a) the
 *   critical-path lower bound and (b) MCP Inspector's CLI doing tools/list on the same server;
 * - extension activation in real VS Code against an empty extension, and the installed bundle sizes
 *   (bench/activation.ts);
 * - addServer on a 5 MB mcp.json against jsonc-parser's parseTree, and policy lint throughput against the reader
 *   alone, on generated policies (bench/micro.ts) and on the real-pattern corpus (bench/lint.ts).
 * - how each operation's cost grows with N (bench/scaling.ts).
 * Figures go to bench/results.json. Run: node --import tsx bench/run.ts [diagnosis|activation|edit|lint|scaling ...]
 * (no argument: all). BENCH_RUNS (default 7) sets the diagnosis runs, BENCH_ACTIVATION_RUNS (default 3) the
 * code-server starts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createInterface } from 'node:readline';
import { loadScenario, type ClientSetup, type Scenario, type SandboxEndpoints } from '../test/sandbox/index';
import { inputFromClient } from '../test/unit/diagnosis/sandboxClient';
import { diagnose } from '../src/core/diagnosis';
import { createNodeFetch } from '../src/core/probe/nodeFetch';
import { benchActivation, type ActivationResult } from './activation';
import { benchCorpusLint, type CorpusLintResult } from './lint';
import { benchMcpJsonEdit, benchPolicyLint, type McpJsonEditResult, type PolicyLintResult } from './micro';
import { benchScaling, type ScalingResult } from './scaling';

const LATENCY_MS = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ACTIVATION_RUNS = Number(process.env.BENCH_ACTIVATION_RUNS ?? 3);
const PARTS = ['diagnosis', 'activation', 'edit', 'lint', 'scaling'] as const;
const root = join(__dirname, '..');
const inspectorCli = join(root, 'node_modules/@modelcontextprotocol/inspector-cli/build/cli.js');
// inspector-cli 1.0.3 looks for "../package.json" relative to the working directory but imports it relative to
// its module; running it from its build folder makes both point at its own package.json.
const inspectorCwd = join(root, 'node_modules/@modelcontextprotocol/inspector-cli/build');

/**
 * Dependent gateway round trips no client can avoid: initialize → tools/list (notifications/initialized needs no
 * answer first), plus → tools/call when the per-tool policy is checked. Discovery (PRM, Entra) runs beside these.
 */
const DEPENDENT_ROUND_TRIPS: Record<string, number> = { 'healthy-key': 2, 'role-missing-for-tool': 3 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(cmd: string, args: string[], env: Record<string, string>, cwd?: string): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, out }));
  });
}

/** The sandbox runs in its own process, so its CPU time does not compete with the engine being measured. */
interface ExternalSandbox {
  readonly endpoints: SandboxEndpoints;
  readonly scenario: Scenario;
  client(): Promise<ClientSetup>;
  requestCount(): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function startExternalSandbox(name: string): Promise<ExternalSandbox> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/sandbox/cli.ts'), '--scenario', name, '--latency', String(LATENCY_MS)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const endpoints = JSON.parse(line) as SandboxEndpoints;
  const get = async (path: string): Promise<unknown> => (await fetch(`${endpoints.control}/${path}`)).json();
  return {
    endpoints,
    scenario: loadScenario(name),
    client: async () => (await get('client')) as ClientSetup,
    requestCount: async () => ((await get('requests')) as unknown[]).length,
    reset: async () => void (await fetch(`${endpoints.control}/reset`, { method: 'POST' })),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function inProcess(sb: ExternalSandbox): Promise<number[]> {
  const input = inputFromClient(await sb.client(), sb.scenario);
  const net = createNodeFetch({ extraCaPem: [readFileSync(sb.endpoints.caCertPath, 'utf8')], keepAlive: true });
  const times: number[] = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const started = performance.now();
      const d = await diagnose(input, { fetch: net.fetch, timeoutMs: 10_000 });
      const ms = performance.now() - started;
      if (i > 0) times.push(ms); // run 0 warms up JIT and TLS
      if (i === 0) console.log(`  findings: ${d.findings.filter((f) => f.severity === 'error').map((f) => f.id).join(', ') || '(none)'}`);
    }
  } finally {
    net.close();
  }
  return times;
}

/**
 * The same dependent chain done bare (raw fetch, nothing else in flight): initialize → tools/list [→ tools/call].
 * It shows what the sandbox itself costs per request on top of the injected latency.
 */
async function bareChain(sb: ExternalSandbox, withToolCall: boolean): Promise<number[]> {
  const client = await sb.client();
  const headers = { ...client.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const rpc = (id: number, method: string, params: unknown, session?: string) =>
    fetch(client.url, { method: 'POST', headers: { ...headers, ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}) }, body: JSON.stringify({ jsonrpc: '2.0', id, method, params }) });
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const init = await rpc(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    await init.text();
    const session = init.headers.get('mcp-session-id') ?? undefined;
    await (await rpc(1, 'tools/list', {}, session)).text();
    if (withToolCall) await (await rpc(2, 'tools/call', { name: 'listProducts', arguments: {} }, session)).text();
    if (i > 0) times.push(performance.now() - started);
  }
  return times;
}

async function cliArgs(sb: ExternalSandbox, dir: string): Promise<{ args: string[]; env: Record<string, string>; headers: string[] }> {
  const client = await sb.client();
  const env: Record<string, string> = {};
  const args = ['diagnose', client.url, '--json', '--ca-cert', sb.endpoints.caCertPath, '--auth', client.auth];
  const headers: string[] = [];
  for (const [name, value] of Object.entries(client.headers)) {
    headers.push(`${name}: ${value}`);
    if (name.toLowerCase() === 'authorization') {
      env.BENCH_TOKEN = value.replace(/^Bearer\s+/, '');
      args.push('--token-env', 'BENCH_TOKEN');
    } else {
      env.BENCH_KEY = value;
      args.push('--key-env', 'BENCH_KEY', '--key-header', name);
    }
  }
  if (client.signIn?.redirectUri) {
    args.push('--client-id', client.signIn.clientId, '--redirect-uri', client.signIn.redirectUri, '--authority', client.signIn.authority);
    for (const s of client.signIn.scopes) args.push('--scope', s);
  }
  if (sb.scenario.gateway.toolRoles) {
    const file = join(dir, `${sb.scenario.name}-roles.json`);
    writeFileSync(file, JSON.stringify(sb.scenario.gateway.toolRoles.map));
    args.push('--tool-roles', file);
  }
  return { args, env, headers };
}

async function benchDiagnosis(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-bench-'));
  const cliBundle = join(dir, 'cli.js');
  await build({ entryPoints: [join(root, 'src/cli.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cliBundle, logLevel: 'warning' });
  const results: Record<string, unknown> = {};
  try {
    for (const name of Object.keys(DEPENDENT_ROUND_TRIPS)) {
      console.log(`${name} (latency ${LATENCY_MS} ms per gateway request, ${RUNS} runs)`);
      const sb = await startExternalSandbox(name);
      try {
        const lowerBound = DEPENDENT_ROUND_TRIPS[name]! * LATENCY_MS;
        const engine = await inProcess(sb);
        const bare = await bareChain(sb, DEPENDENT_ROUND_TRIPS[name]! > 2);
        const { args, env, headers } = await cliArgs(sb, dir);
        const ours: number[] = [];
        const inspector: number[] = [];
        for (let i = 0; i <= RUNS; i++) {
          const a = await time(process.execPath, [cliBundle, ...args], env);
          if (a.code === null || a.code > 1) throw new Error(`our CLI failed: ${a.out.slice(0, 500)}`);
          const b = await time(process.execPath, [inspectorCli, '--cli', sb.endpoints.mcpUrl, '--transport', 'http', '--method', 'tools/list', ...headers.flatMap((h) => ['--header', h])], { NODE_EXTRA_CA_CERTS: sb.endpoints.caCertPath }, inspectorCwd);
          if (b.code !== 0 || !b.out.includes('listProducts')) throw new Error(`inspector CLI failed: ${b.out.slice(0, 500)}`);
          if (i > 0) {
            ours.push(a.ms);
            inspector.push(b.ms);
          }
        }
        const row = {
          dependentRoundTrips: DEPENDENT_ROUND_TRIPS[name],
          lowerBoundMs: lowerBound,
          engineMedianMs: Math.round(median(engine)),
          engineRatioToLowerBound: Number((median(engine) / lowerBound).toFixed(2)),
          bareChainMedianMs: Math.round(median(bare)),
          engineRatioToBareChain: Number((median(engine) / median(bare)).toFixed(2)),
          cliMedianMs: Math.round(median(ours)),
          inspectorCliMedianMs: Math.round(median(inspector)),
          cliRatioToInspector: Number((median(ours) / median(inspector)).toFixed(2)),
          gatewayRequestsPerDiagnosis: undefined as number | undefined,
        };
        await sb.reset();
        await inProcess(sb);
        row.gatewayRequestsPerDiagnosis = Math.round((await sb.requestCount()) / (RUNS + 1));
        results[name] = row;
        console.log(`  engine ${row.engineMedianMs} ms vs lower bound ${lowerBound} ms → ${row.engineRatioToLowerBound}× (target ≤ 1.3×)`);
        console.log(`  engine vs the same dependent chain done bare (${row.bareChainMedianMs} ms: latency + the sandbox's own time) → ${row.engineRatioToBareChain}×`);
        console.log(`  CLI process ${row.cliMedianMs} ms vs Inspector CLI tools/list ${row.inspectorCliMedianMs} ms → ${row.cliRatioToInspector}× (target < 1)`);
      } finally {
        await sb.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** One line per figure: what, measured, baseline, ratio. Also what the README's Benchmarks table is made from. */
function summary(r: { scenarios?: Record<string, Record<string, number>>; activation?: ActivationResult; mcpJsonEdit?: McpJsonEditResult; policyLint?: PolicyLintResult; corpusLint?: CorpusLintResult; scaling?: ScalingResult }): string[][] {
  const rows: string[][] = [['figure', 'measured', 'baseline (same run)', 'ratio']];
  for (const [name, s] of Object.entries(r.scenarios ?? {})) {
    rows.push([`diagnosis ${name}`, `${s.engineMedianMs} ms`, `critical-path lower bound ${s.lowerBoundMs} ms`, `${s.engineRatioToLowerBound}×`]);
    rows.push([`diagnosis CLI ${name}`, `${s.cliMedianMs} ms`, `MCP Inspector CLI tools/list ${s.inspectorCliMedianMs} ms`, `${s.cliRatioToInspector}×`]);
  }
  const a = r.activation;
  if (a) {
    rows.push(['activation in VS Code 1.139 (median of runs)', `${a.oursMedianMs} ms (+${a.overMedianMs} ms)`, `empty extension ${a.baselineMedianMs} ms`, `${a.ratioToEmptyExtension}× (paired)`]);
    if (a.gitMedianMs !== undefined) rows.push(['activation in VS Code 1.139 (median of runs)', `${a.oursMedianMs} ms`, `built-in Git ${a.gitMedianMs} ms`, `${a.ratioToGit}× (paired)`]);
    rows.push(['main bundle (extension.js)', kib(a.mainBundleBytes), `main + lazy chunks ${kib(a.mainBundleBytes + a.lazyChunkBytes)}`, `${a.mainShareOfTotal}×`]);
    for (const [f, bytes] of Object.entries(a.bundleBytes).sort()) {
      if (f !== 'extension.js') rows.push([`${f === 'cli.js' ? 'CLI (not loaded by VS Code)' : 'lazy chunk'} ${f}`, kib(bytes), `main bundle ${kib(a.mainBundleBytes)}`, `${(bytes / a.mainBundleBytes).toFixed(2)}×`]);
    }
  }
  const e = r.mcpJsonEdit;
  if (e) {
    rows.push([`addServer on ${(e.bytes / 1024 / 1024).toFixed(1)} MB mcp.json`, `${e.addServerMedianMs} ms`, `jsonc-parser parseTree ${e.parseTreeMedianMs} ms`, `${e.ratioToParseTree}×`]);
    rows.push([`addServer on ${(e.bytes / 1024 / 1024).toFixed(1)} MB mcp.json`, `${e.addServerMedianMs} ms`, `JSON.parse ${e.jsonParseMedianMs} ms`, `${e.ratioToJsonParse}×`]);
  }
  const l = r.policyLint;
  if (l) {
    rows.push([`policy lint, ${l.files} files (${(l.bytes / 1024 / 1024).toFixed(1)} MB)`, `${l.filesPerSecond} files/s, ${l.mbPerSecond} MB/s`, `policy reader alone ${l.readerFilesPerSecond} files/s`, `${l.ratioToReader}× the time`]);
  }
  const c = r.corpusLint;
  if (c) {
    rows.push([`policy lint, real-pattern corpus (${c.files} files, ${c.filesPerPass} per pass)`, `${c.filesPerSecond} files/s`, `policy reader alone ${c.readerFilesPerSecond} files/s`, `${c.ratioToReader}× the time`]);
  }
  for (const s of r.scaling?.rows ?? []) {
    const large = s.timings.find((t) => t.n === 10_000);
    const mid = s.timings.find((t) => t.n === 1_000);
    rows.push([`scaling: ${s.operation}`, large ? `N=10k ${large.cpuMedianMs} ms CPU [load ${large.loadAverage}]` : (s.note ?? ''), `N=1k ${mid?.cpuMedianMs} ms CPU (×10 = same work)`, `slope ${s.slope ?? '—'}`]);
  }
  for (const a of r.scaling?.absolute ?? []) {
    rows.push([`${a.figure} (target ${a.target})`, `${a.cpuMedianMs} ms CPU [load ${a.loadAverage}]`, `${a.baseline} ${a.baselineCpuMedianMs} ms`, `${a.ratioToBaseline}×`]);
  }
  return rows;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((a) => !(PARTS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`unknown bench part(s) ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
  const parts = new Set(asked.length > 0 ? asked : PARTS);
  const file = join(root, 'bench/results.json');
  // A partial run keeps the other sections of the last full run.
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
  const out: Record<string, unknown> = { ...previous, measuredAt: new Date().toISOString(), node: process.version, cpus: availableParallelism(), latencyMs: LATENCY_MS, runs: RUNS };
  if (parts.has('diagnosis')) out.scenarios = await benchDiagnosis();
  if (parts.has('edit')) {
    console.log('mcp.json edit: addServer on a generated 5 MB mcp.json with comments');
    out.mcpJsonEdit = benchMcpJsonEdit();
  }
  if (parts.has('lint')) {
    console.log('policy lint: the 1,000-file corpus of test/unit/policy/policyCorpus.ts');
    out.policyLint = benchPolicyLint();
    console.log('policy lint: the real-pattern corpus of test/fixtures/policy-corpus (target: at least 5,000 files/s)');
    out.corpusLint = benchCorpusLint();
  }
  if (parts.has('scaling')) {
    console.log('scaling: each operation at N = 100, 1,000 and 10,000 (slope 1.0 is linear, 2.0 quadratic), and the absolute targets');
    out.scaling = benchScaling();
  }
  if (parts.has('activation')) {
    console.log(`activation: ${ACTIVATION_RUNS} fresh code-server start(s), Developer: Show Running Extensions`);
    out.activation = await benchActivation(ACTIVATION_RUNS);
  }
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log('');
  printTable(summary(out as Parameters<typeof summary>[0]));
  console.log('written bench/results.json');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
