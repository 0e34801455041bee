/**
 * `npm run bench`, every figure a ratio against a baseline measured in the same run:
 * - full diagnosis of healthy-key and role-missing-for-tool with 50 ms injected gateway latency: the engine
 *   against the critical path, the CLI process against the floor (critical path + `node -e 0`) and against MCP
 *   Inspector 2.x's CLI doing tools/list on the same server (wall, CPU, peak memory; bench/diagnosis.ts);
 * - extension activation in real VS Code against an empty extension, and the installed bundle sizes
 *   (bench/activation.ts);
 * - addServer on a 5 MB mcp.json against jsonc-parser's parseTree, and policy lint throughput against the reader
 *   alone, on generated policies (bench/micro.ts) and on the real-pattern corpus (bench/lint.ts).
 * - how each operation's cost grows with N (bench/scaling.ts).
 * Figures go to bench/results.json. Run: node --import tsx bench/run.ts [diagnosis|activation|edit|lint|scaling ...]
 * (no argument: all; `npm run bench -- diagnosis` runs one part). BENCH_RUNS (default 7) sets the diagnosis runs,
 * BENCH_ACTIVATION_RUNS (default 5) the code-server starts, each a paired run of ours and the empty extension.
 * Each part's duration and the load average are recorded.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { benchActivation, type ActivationResult } from './activation';
import { benchDiagnosis, LATENCY_MS, RUNS, type DiagnosisRow } from './diagnosis';
import { benchCorpusLint, type CorpusLintResult } from './lint';
import { benchMcpJsonEdit, benchPolicyLint, type McpJsonEditResult, type PolicyLintResult } from './micro';
import { benchScaling, type ScalingResult } from './scaling';
import { load } from './processUsage';

const ACTIVATION_RUNS = Number(process.env.BENCH_ACTIVATION_RUNS ?? 5);
if (!Number.isInteger(ACTIVATION_RUNS) || ACTIVATION_RUNS < 1) throw new Error(`BENCH_ACTIVATION_RUNS must be a whole number ≥ 1, not ${process.env.BENCH_ACTIVATION_RUNS}`);
const PARTS = ['diagnosis', 'activation', 'edit', 'lint', 'scaling'] as const;
const root = join(__dirname, '..');

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** One line per figure: what, measured, baseline, ratio. Also what the README's Benchmarks table is made from. */
function summary(r: { scenarios?: Record<string, DiagnosisRow>; activation?: ActivationResult; mcpJsonEdit?: McpJsonEditResult; policyLint?: PolicyLintResult; corpusLint?: CorpusLintResult; scaling?: ScalingResult }): string[][] {
  const rows: string[][] = [['figure', 'measured', 'baseline (same run)', 'ratio']];
  for (const [name, s] of Object.entries(r.scenarios ?? {})) {
    if (!s.cli) continue; // a results.json from before the Inspector 2.x comparison
    const at = `[load ${s.loadAverage.start}→${s.loadAverage.end}]`;
    const m = (x: { median: number; min: number; max: number }, unit = 'ms') => `${x.median} ${unit} (${x.min}–${x.max})`;
    rows.push([`diagnosis ${name}, engine`, `${m(s.engine.wallMs)} ${at}`, `critical path ${s.criticalPathMs} ms`, `${s.engine.ratioToCriticalPath}×`]);
    rows.push([`diagnosis ${name}, engine CPU at 0 ms latency`, `${m(s.engine.cpuAtZeroLatencyMs.warmMs)} (first run ${s.engine.cpuAtZeroLatencyMs.firstRunMs} ms)`, 'target 15 ms', `${(s.engine.cpuAtZeroLatencyMs.warmMs.median / 15).toFixed(2)}×`]);
    rows.push([`diagnosis ${name}, CLI wall (${s.cli.node})`, `${m(s.cli.wallMs)} ${at}`, `floor ${s.floorMs} ms (critical path + node -e 0 ${s.nodeStart.wallMs.median} ms)`, `${s.cli.wallToFloor}×`]);
    if (s.cliLoadOnly) rows.push([`diagnosis ${name}, CLI loading only: diagnose bundle + fetch classes, no request (${s.cliLoadOnly.node})`, m(s.cliLoadOnly.wallMs), `node -e 0 ${s.nodeStart.wallMs.median} ms; the 1.3× target leaves ${Math.round(0.3 * s.floorMs)} ms over the floor`, `+${s.cliLoadOnly.overNodeStartMs} ms`]);
    rows.push([`diagnosis ${name}, CLI wall (${s.cliOnBenchNode.node})`, m(s.cliOnBenchNode.wallMs), `floor ${s.criticalPathMs + s.nodeStartBench.wallMs.median} ms (node -e 0 ${s.nodeStartBench.wallMs.median} ms)`, `${s.cliOnBenchNode.wallToFloor}×`]);
    rows.push([`diagnosis ${name}, CLI CPU (${s.cli.node})`, m(s.cli.cpuMs), `Inspector ${s.inspector.version} CLI tools/list CPU ${m(s.inspector.cpuMs)}`, `${s.cliCpuToInspectorCpu}×`]);
    rows.push([`diagnosis ${name}, CLI wall (${s.cli.node})`, m(s.cli.wallMs), `Inspector ${s.inspector.version} CLI tools/list wall ${m(s.inspector.wallMs)}`, `${s.cliWallToInspectorWall}×`]);
    rows.push([`diagnosis ${name}, CLI peak memory`, m(s.cli.peakRssMiB, 'MiB'), `Inspector ${s.inspector.version} ${m(s.inspector.peakRssMiB, 'MiB')}`, `${s.cliPeakRssToInspector}×`]);
    rows.push([`(older tool) inspector-cli 1.0.3 tools/list, ${name}`, `wall ${m(s.olderInspectorCli.wallMs)}, CPU ${m(s.olderInspectorCli.cpuMs)}`, `our CLI on ${s.cliOnBenchNode.node}: wall ${s.cliOnBenchNode.wallMs.median} ms`, `${(s.cliOnBenchNode.wallMs.median / s.olderInspectorCli.wallMs.median).toFixed(2)}×`]);
  }
  const a = r.activation;
  if (a) {
    const load = a.loadAverage ? `, load average ${a.loadAverage[0]}–${a.loadAverage[1]}` : '';
    const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms}`;
    const spread = a.overRangeMs ? `, ${signed(a.overRangeMs[0])} to ${signed(a.overRangeMs[1])} ms over ${a.runs} runs` : '';
    rows.push([`activation in VS Code 1.139 (median of runs${load})`, `${a.oursMedianMs} ms (+${a.overMedianMs} ms${spread})`, `empty extension ${a.baselineMedianMs} ms`, `${a.ratioToEmptyExtension}× (paired)`]);
    if (a.gitMedianMs !== undefined) rows.push(['activation in VS Code 1.139 (median of runs)', `${a.oursMedianMs} ms`, `built-in Git ${a.gitMedianMs} ms`, `${a.ratioToGit}× (paired)`]);
    rows.push(['main bundle (extension.js)', kib(a.mainBundleBytes), `main + lazy chunks ${kib(a.mainBundleBytes + a.lazyChunkBytes)}`, `${a.mainShareOfTotal}×`]);
    for (const [f, bytes] of Object.entries(a.bundleBytes).sort()) {
      if (f !== 'extension.js') rows.push([`${/^cli(-[a-z]+)?\.js$/.test(f) ? 'CLI (not loaded by VS Code)' : 'lazy chunk'} ${f}`, kib(bytes), `main bundle ${kib(a.mainBundleBytes)}`, `${(bytes / a.mainBundleBytes).toFixed(2)}×`]);
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
  const took: Record<string, number> = {};
  const timed = async <T>(part: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    took[part] = Math.round((performance.now() - started) / 1000);
    console.log(`[${part}: ${took[part]} s, load average now ${load()}]`);
    return result;
  };
  const loadAtStart = load();
  if (parts.has('diagnosis')) out.scenarios = await timed('diagnosis', benchDiagnosis);
  if (parts.has('edit')) {
    console.log('mcp.json edit: addServer on a generated 5 MB mcp.json with comments');
    out.mcpJsonEdit = await timed('edit', benchMcpJsonEdit);
  }
  if (parts.has('lint')) {
    console.log('policy lint: the 1,000-file corpus of test/unit/policy/policyCorpus.ts');
    out.policyLint = await timed('lint', benchPolicyLint);
    console.log('policy lint: the real-pattern corpus of test/fixtures/policy-corpus (target: at least 5,000 files/s)');
    out.corpusLint = await timed('corpus lint', benchCorpusLint);
  }
  if (parts.has('scaling')) {
    console.log('scaling: each operation at N = 100, 1,000 and 10,000 (slope 1.0 is linear, 2.0 quadratic), and the absolute targets');
    out.scaling = await timed('scaling', benchScaling);
  }
  if (parts.has('activation')) {
    console.log(`activation: ${ACTIVATION_RUNS} fresh code-server start(s), Developer: Show Running Extensions`);
    out.activation = await timed('activation', () => benchActivation(ACTIVATION_RUNS));
  }
  out.lastRun = { parts: [...parts], seconds: took, loadAverage: { start: loadAtStart, end: load() } };
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
