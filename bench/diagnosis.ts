/**
 * `npm run bench -- diagnosis`: the diagnosis of healthy-key and role-missing-for-tool with 50 ms injected per
 * gateway request (the sandbox in its own process), measured three ways in one run:
 * - the engine in this process: wall time against the critical path, and its CPU time with no latency at all;
 * - the CLI as a user runs it (the shipped bundles, scripts/cliBundles.mjs), whole process: wall, CPU and peak
 *   memory, against the floor (critical path + a bare `node -e 0`) and against MCP Inspector 2.x's CLI doing
 *   `tools/list` on the same server, on the same Node;
 * - the older `@modelcontextprotocol/inspector-cli` 1.0.3, kept as a labelled reference row.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { cliProductionBuilds } from '../scripts/cliBundles.mjs';
import { loadScenario, type ClientSetup, type Scenario, type SandboxEndpoints } from '../test/sandbox/index';
import { inputFromClient } from '../test/unit/diagnosis/sandboxClient';
import { clientPaths } from '../test/harness/clients';
import { toolPaths } from '../test/harness/tools';
import { diagnose } from '../src/core/diagnosis';
import { createNodeFetch } from '../src/core/probe/nodeFetch';
import { load, processMeter, spread, type ProcessMeter, type ProcessSample, type Spread } from './processUsage';

export const LATENCY_MS = 50;
export const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const root = join(__dirname, '..');
const olderInspectorCli = join(root, 'node_modules/@modelcontextprotocol/inspector-cli/build/cli.js');
// inspector-cli 1.0.3 looks for "../package.json" relative to the working directory but imports it relative to
// its module; running it from its build folder makes both point at its own package.json.
const olderInspectorCwd = join(root, 'node_modules/@modelcontextprotocol/inspector-cli/build');

/**
 * Dependent gateway round trips of the diagnosis: initialize → tools/list → tools/call. The diagnosis calls one
 * read-only tool after tools/list names it, to see the gateway's per-tool policy act (its timeline shows the three
 * in sequence in both scenarios); notifications/initialized needs no answer first, and discovery (PRM, Entra,
 * the keyless probe) runs beside these. The Inspector's tools/list needs the first two only.
 */
const DEPENDENT_ROUND_TRIPS: Record<string, number> = { 'healthy-key': 3, 'role-missing-for-tool': 3 };
const INSPECTOR_ROUND_TRIPS = 2;

/** MCP Inspector 2.x as the clients test tier runs it (scripts/setup-clients.mjs), on the cached Node 24. */
function inspectorV2(): { launcher: string; version: string; node: string } {
  try {
    return { launcher: clientPaths().inspector.path, version: clientPaths().inspector.version, node: toolPaths().node24 };
  } catch (error: unknown) {
    throw new Error(`The bench compares with MCP Inspector 2.x's CLI, installed with the clients test tier: ${(error as Error).message}. ` + '(npm run setup-clients installs @modelcontextprotocol/inspector@2.12.0 and npm run setup-tools Node 24, both into ~/.cache/apim-mcp-tools or $APIM_MCP_TOOLS_DIR.)');
  }
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

async function startExternalSandbox(name: string, latencyMs: number): Promise<ExternalSandbox> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/sandbox/cli.ts'), '--scenario', name, '--latency', String(latencyMs)], {
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

/** The engine in this process, RUNS times after a warm-up: wall time of each diagnosis and its CPU time. */
async function inProcess(sb: ExternalSandbox, runs = RUNS, log = true): Promise<{ wallMs: number[]; cpuMs: number[]; firstCpuMs: number }> {
  const input = inputFromClient(await sb.client(), sb.scenario);
  const net = createNodeFetch({ extraCaPem: [readFileSync(sb.endpoints.caCertPath, 'utf8')], keepAlive: true });
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  let firstCpuMs = 0;
  try {
    for (let i = 0; i <= runs; i++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const d = await diagnose(input, { fetch: net.fetch, timeoutMs: 10_000 });
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuUsed = (used.user + used.system) / 1000;
      if (i === 0) firstCpuMs = cpuUsed;
      if (i > 0) {
        wallMs.push(ms); // run 0 warms up JIT and connections
        cpuMs.push(cpuUsed);
      }
      if (i === 0 && log) console.log(`  findings: ${d.findings.filter((f) => f.severity === 'error').map((f) => f.id).join(', ') || '(none)'}`);
    }
  } finally {
    net.close();
  }
  return { wallMs, cpuMs, firstCpuMs };
}

/** The engine's CPU time per diagnosis with no injected latency (a sandbox of its own): its own work, no waiting. */
async function engineCpuWithoutLatency(name: string): Promise<{ firstRunMs: number; warmMs: Spread }> {
  const sb = await startExternalSandbox(name, 0);
  try {
    const r = await inProcess(sb, RUNS * 3, false);
    return { firstRunMs: Number(r.firstCpuMs.toFixed(1)), warmMs: spread(r.cpuMs, 1) };
  } finally {
    await sb.stop();
  }
}

/**
 * The same dependent chain done bare (raw fetch, nothing else in flight): initialize → tools/list → tools/call.
 * It shows what the sandbox itself costs per request on top of the injected latency.
 */
async function bareChain(sb: ExternalSandbox): Promise<number[]> {
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
    await (await rpc(2, 'tools/call', { name: 'listProducts', arguments: {} }, session)).text();
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

export interface ProcessFigures {
  readonly node: string;
  readonly wallMs: Spread;
  readonly cpuMs: Spread;
  readonly peakRssMiB: Spread;
}

function figures(node: string, samples: readonly ProcessSample[]): ProcessFigures {
  return { node, wallMs: spread(samples.map((s) => s.wallMs)), cpuMs: spread(samples.map((s) => s.cpuMs)), peakRssMiB: spread(samples.map((s) => s.peakRssMiB), 1) };
}

function nodeVersion(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

type Contender = 'nodeStart' | 'nodeStartBench' | 'cliLoad' | 'cli' | 'cliBench' | 'inspector' | 'olderInspector';

/**
 * What our CLI loads before it can send its first MCP request, and nothing else: the diagnose bundle (through the
 * compile cache, as cli.js turns it on) and Node's fetch classes, which the SDK's transport needs for every request.
 * Its wall time less `node -e 0`'s is the loading that the 1.3× floor target has to absorb.
 */
function loadOnlyScript(bundle: string): string {
  const diagnoseBundle = join(dirname(bundle), 'cli-diagnose.js');
  return `require('node:module').enableCompileCache?.(); require(${JSON.stringify(diagnoseBundle)}); new Headers();`;
}

/**
 * One round of every process, in turn, so a change in load weighs on all of them: a bare Node start on each Node,
 * our CLI on the Inspector's Node and on the bench's own Node, Inspector 2.x, and inspector-cli 1.0.3.
 */
async function processRound(meter: ProcessMeter, sb: ExternalSandbox, cli: { bundle: string; args: string[]; env: Record<string, string>; headers: string[]; tmp: string }): Promise<Record<Contender, ProcessSample>> {
  const v2 = inspectorV2();
  const headerArgs = cli.headers.flatMap((h) => ['--header', h]);
  const caEnv = { NODE_EXTRA_CA_CERTS: sb.endpoints.caCertPath };
  // Our CLI keeps Node's compile cache in the OS temp folder; TMPDIR points that at this run's own folder.
  const cliEnv = { ...cli.env, TMPDIR: cli.tmp };
  const round = {
    nodeStart: await meter.run(v2.node, ['-e', '0']),
    nodeStartBench: await meter.run(process.execPath, ['-e', '0']),
    cliLoad: await meter.run(v2.node, ['-e', loadOnlyScript(cli.bundle)], cliEnv),
    cli: await meter.run(v2.node, [cli.bundle, ...cli.args], cliEnv),
    cliBench: await meter.run(process.execPath, [cli.bundle, ...cli.args], cliEnv),
    inspector: await meter.run(v2.node, [v2.launcher, '--cli', sb.endpoints.mcpUrl, '--method', 'tools/list', ...headerArgs], caEnv),
    olderInspector: await meter.run(process.execPath, [olderInspectorCli, '--cli', sb.endpoints.mcpUrl, '--transport', 'http', '--method', 'tools/list', ...headerArgs], caEnv, olderInspectorCwd),
  };
  for (const which of ['cli', 'cliBench'] as const) if (round[which].code === null || round[which].code > 1) throw new Error(`our CLI failed: ${round[which].out.slice(0, 500)}`);
  if (round.cliLoad.code !== 0) throw new Error(`loading our CLI's diagnose bundle failed: ${round.cliLoad.out.slice(0, 500)}`);
  for (const which of ['inspector', 'olderInspector'] as const) {
    if (round[which].code !== 0 || !round[which].out.includes('listProducts')) throw new Error(`${which} CLI failed: ${round[which].out.slice(0, 500)}`);
  }
  return round;
}

async function processes(sb: ExternalSandbox, dir: string, bundle: string): Promise<Record<Contender, ProcessSample[]>> {
  const meter = processMeter();
  const { args, env, headers } = await cliArgs(sb, dir);
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const all: Record<Contender, ProcessSample[]> = { nodeStart: [], nodeStartBench: [], cliLoad: [], cli: [], cliBench: [], inspector: [], olderInspector: [] };
  try {
    for (let i = 0; i <= RUNS; i++) {
      const round = await processRound(meter, sb, { bundle, args, env, headers, tmp });
      // Round 0 warms the disk cache and fills our CLI's compile cache (Node >= 22.1), as any earlier run would.
      if (i > 0) for (const [k, v] of Object.entries(round)) all[k as Contender].push(v);
    }
  } finally {
    meter.dispose();
  }
  return all;
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

export interface DiagnosisRow {
  readonly dependentRoundTrips: number;
  readonly criticalPathMs: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly engine: {
    readonly wallMs: Spread;
    readonly ratioToCriticalPath: number;
    readonly bareChainMs: Spread;
    readonly ratioToBareChain: number;
    readonly cpuAtZeroLatencyMs: { readonly firstRunMs: number; readonly warmMs: Spread };
    readonly gatewayRequestsPerDiagnosis: number;
  };
  readonly nodeStart: ProcessFigures;
  readonly nodeStartBench: ProcessFigures;
  readonly floorMs: number;
  /** The diagnose bundle and Node's fetch classes loaded, no request; `overNodeStartMs` is its wall less `node -e 0`'s. */
  readonly cliLoadOnly: ProcessFigures & { readonly overNodeStartMs: number };
  readonly cli: ProcessFigures & { readonly wallToFloor: number };
  readonly cliOnBenchNode: ProcessFigures & { readonly wallToFloor: number };
  readonly inspector: ProcessFigures & { readonly version: string; readonly floorMs: number; readonly wallToFloor: number };
  readonly cliCpuToInspectorCpu: number;
  readonly cliWallToInspectorWall: number;
  readonly cliPeakRssToInspector: number;
  readonly olderInspectorCli: ProcessFigures & { readonly tool: string };
}

async function scenario(name: string, dir: string, bundle: string): Promise<DiagnosisRow> {
  const loadAtStart = load();
  const criticalPathMs = DEPENDENT_ROUND_TRIPS[name]! * LATENCY_MS;
  const engineCpu = await engineCpuWithoutLatency(name);
  const sb = await startExternalSandbox(name, LATENCY_MS);
  try {
    const engine = await inProcess(sb);
    const bare = await bareChain(sb);
    const p = await processes(sb, dir, bundle);
    const v2 = inspectorV2();
    const nodeStart = figures(nodeVersion(v2.node), p.nodeStart);
    const nodeStartBench = figures(nodeVersion(process.execPath), p.nodeStartBench);
    const cliLoad = figures(nodeStart.node, p.cliLoad);
    const cli = figures(nodeStart.node, p.cli);
    const cliBench = figures(nodeStartBench.node, p.cliBench);
    const inspector = figures(nodeStart.node, p.inspector);
    const floorMs = criticalPathMs + nodeStart.wallMs.median;
    const floorBenchMs = criticalPathMs + nodeStartBench.wallMs.median;
    await sb.reset();
    await inProcess(sb, RUNS, false);
    const gatewayRequestsPerDiagnosis = Math.round((await sb.requestCount()) / (RUNS + 1));
    const engineWall = spread(engine.wallMs);
    return {
      dependentRoundTrips: DEPENDENT_ROUND_TRIPS[name],
      criticalPathMs,
      loadAverage: { start: loadAtStart, end: load() },
      engine: {
        wallMs: engineWall,
        ratioToCriticalPath: ratio(engineWall.median, criticalPathMs),
        bareChainMs: spread(bare),
        ratioToBareChain: ratio(engineWall.median, spread(bare).median),
        cpuAtZeroLatencyMs: engineCpu,
        gatewayRequestsPerDiagnosis,
      },
      nodeStart,
      nodeStartBench,
      floorMs,
      cliLoadOnly: { ...cliLoad, overNodeStartMs: cliLoad.wallMs.median - nodeStart.wallMs.median },
      cli: { ...cli, wallToFloor: ratio(cli.wallMs.median, floorMs) },
      cliOnBenchNode: { ...cliBench, wallToFloor: ratio(cliBench.wallMs.median, floorBenchMs) },
      inspector: { version: v2.version, ...inspector, floorMs: INSPECTOR_ROUND_TRIPS * LATENCY_MS + nodeStart.wallMs.median, wallToFloor: ratio(inspector.wallMs.median, INSPECTOR_ROUND_TRIPS * LATENCY_MS + nodeStart.wallMs.median) },
      cliCpuToInspectorCpu: ratio(cli.cpuMs.median, inspector.cpuMs.median),
      cliWallToInspectorWall: ratio(cli.wallMs.median, inspector.wallMs.median),
      cliPeakRssToInspector: ratio(cli.peakRssMiB.median, inspector.peakRssMiB.median),
      olderInspectorCli: { tool: '@modelcontextprotocol/inspector-cli 1.0.3 (the older tool, before Inspector 2.x)', ...figures(nodeStartBench.node, p.olderInspector) },
    };
  } finally {
    await sb.stop();
  }
}

function report(r: DiagnosisRow): void {
  const f = (s: Spread, unit = 'ms') => `${s.median} ${unit} [${s.min}–${s.max}]`;
  console.log(`  load average ${r.loadAverage.start} → ${r.loadAverage.end}`);
  console.log(`  engine ${f(r.engine.wallMs)} vs critical path ${r.criticalPathMs} ms → ${r.engine.ratioToCriticalPath}×; bare chain ${f(r.engine.bareChainMs)}`);
  console.log(`  engine CPU at 0 ms latency: first run ${r.engine.cpuAtZeroLatencyMs.firstRunMs} ms, then ${f(r.engine.cpuAtZeroLatencyMs.warmMs)} (target ≤ 15 ms)`);
  console.log(`  node -e 0 on ${r.nodeStart.node}: ${f(r.nodeStart.wallMs)} → floor ${r.floorMs} ms`);
  console.log(`  CLI loading only (diagnose bundle + fetch classes, no request) on ${r.cliLoadOnly.node}: wall ${f(r.cliLoadOnly.wallMs)} (${r.cliLoadOnly.overNodeStartMs} ms over node -e 0; the 1.3× target leaves ${Math.round(0.3 * r.floorMs)} ms), CPU ${f(r.cliLoadOnly.cpuMs)}`);
  console.log(`  CLI on ${r.cli.node}: wall ${f(r.cli.wallMs)} (${r.cli.wallToFloor}× floor, target ≤ 1.3), CPU ${f(r.cli.cpuMs)}, peak ${f(r.cli.peakRssMiB, 'MiB')}`);
  console.log(`  CLI on ${r.cliOnBenchNode.node}: wall ${f(r.cliOnBenchNode.wallMs)} (${r.cliOnBenchNode.wallToFloor}× its floor), CPU ${f(r.cliOnBenchNode.cpuMs)}, peak ${f(r.cliOnBenchNode.peakRssMiB, 'MiB')}`);
  console.log(`  Inspector ${r.inspector.version} --cli tools/list: wall ${f(r.inspector.wallMs)}, CPU ${f(r.inspector.cpuMs)}, peak ${f(r.inspector.peakRssMiB, 'MiB')}`);
  console.log(`  CLI CPU / Inspector CPU ${r.cliCpuToInspectorCpu}× (target ≤ 0.5); wall ${r.cliWallToInspectorWall}×; peak memory ${r.cliPeakRssToInspector}×`);
  console.log(`  older inspector-cli 1.0.3: wall ${f(r.olderInspectorCli.wallMs)}, CPU ${f(r.olderInspectorCli.cpuMs)}, peak ${f(r.olderInspectorCli.peakRssMiB, 'MiB')}`);
}

export async function benchDiagnosis(): Promise<Record<string, DiagnosisRow>> {
  inspectorV2(); // fail before anything runs when it is not installed
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-bench-'));
  // The CLI as it ships: the dispatcher and its command bundles, minified.
  for (const options of cliProductionBuilds(join(dir, 'cli'))) await build({ ...options, absWorkingDir: root });
  const bundle = join(dir, 'cli', 'cli.js');
  const results: Record<string, DiagnosisRow> = {};
  try {
    for (const name of Object.keys(DEPENDENT_ROUND_TRIPS)) {
      console.log(`${name} (latency ${LATENCY_MS} ms per gateway request, ${RUNS} runs after a warm-up)`);
      const r = await scenario(name, dir, bundle);
      report(r);
      results[name] = r;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
