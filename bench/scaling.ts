/**
 * How the cost of each operation grows with the work, for `npm run bench -- scaling`. Every operation runs at
 * N = 100, 1,000 and 10,000 in one process. The slope between 1,000 and 10,000 is 1 + log10 of the time of one
 * N = 10,000 run over that of ten N = 1,000 runs (the same amount of work): 1.0 is linear growth, 2.0 quadratic.
 * The samples of each size are interleaved and hold the same work, so a load spike from another process hits both
 * sizes alike; the slope is the median over the pairs, on CPU time (wall time recorded too). Also the absolute
 * figures of the issue (a 5,000-server mcp.json listed and linted, a 1 MB policy linted), each beside a baseline
 * measured in the same run (jsonc-parser's parseTree of the same text, the policy reader alone).
 */
import { loadavg } from 'node:os';
import { parseTree } from 'jsonc-parser';
import { lintPolicyFile, readPolicy } from '../src/core/apim/policy/index';
import { toolRolesFromPolicy } from '../src/core/apim/policy/toolRoles';
import { addServer } from '../src/core/config/configEditor';
import { entriesInConfigFile } from '../src/core/config/configEntries';
import { findPlaintextSecrets, migratePlaintextSecret } from '../src/core/config/plaintextKeyLint';
import { parseServerRecord } from '../src/core/serverRecord';
import { mcpJsonWithServers, policyOfSize, policyWithSetHeaders, policyWithToolRules, policyWithValidateJwt } from './scalingInputs';

/** Samples per size; each sample of N = 100 and 1,000 repeats the run to the work of one N = 10,000 run. */
const PAIRS = Number(process.env.BENCH_SCALING_PAIRS ?? 7);
/** A still-quadratic operation whose N = 1,000 run takes longer than this is not run at N = 10,000 (~100× longer). */
const BUDGET_MS = 2_000;

interface Operation<T> {
  readonly name: string;
  readonly input: (n: number) => T;
  readonly run: (input: T) => unknown;
  /** Throws when the result is not what N items should give, so a fast wrong answer never counts. */
  readonly check: (result: unknown, n: number) => void;
}

export interface Timing {
  n: number;
  /** Samples, each of 10,000 / N runs. */
  samples: number;
  /** Per run. */
  wallMedianMs: number;
  cpuMedianMs: number;
  /** Fastest and slowest sample, CPU time per run. */
  cpuSpreadMs: [number, number];
  loadAverage: number;
}

export interface ScalingRow {
  operation: string;
  timings: Timing[];
  /** 1 + log10 of the median paired ratio of CPU time, N = 10,000 over ten N = 1,000 runs; 1.0 is linear. */
  slope?: number;
  /** The same on wall time. */
  wallSlope?: number;
  /** Why a size was left out. */
  note?: string;
}

export interface AbsoluteRow {
  figure: string;
  target: string;
  cpuMedianMs: number;
  wallMedianMs: number;
  cpuSpreadMs: [number, number];
  baseline: string;
  baselineCpuMedianMs: number;
  ratioToBaseline: number;
  loadAverage: number;
}

export interface ScalingResult {
  rows: ScalingRow[];
  absolute: AbsoluteRow[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (ms: number): number => Number(ms.toFixed(ms < 10 ? 2 : 1));

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One sample: `reps` runs back to back; wall and CPU time per run. */
function sample(fn: () => unknown, reps: number): { wall: number; cpu: number } {
  const wall = performance.now();
  const cpu = cpuMs();
  for (let i = 0; i < reps; i++) fn();
  return { wall: (performance.now() - wall) / reps, cpu: (cpuMs() - cpu) / reps };
}

function timing(n: number, samples: { wall: number; cpu: number }[]): Timing {
  const cpus = samples.map((x) => x.cpu);
  return {
    n,
    samples: samples.length,
    wallMedianMs: round(median(samples.map((x) => x.wall))),
    cpuMedianMs: round(median(cpus)),
    cpuSpreadMs: [round(Math.min(...cpus)), round(Math.max(...cpus))],
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
  };
}

function expectCount(what: string, count: number, n: number): void {
  if (count !== n) throw new Error(`${what}: ${count} for N = ${n}`);
}

const KEY = 'Ocp-Apim-Subscription-Key';
const added = parseServerRecord({ name: 'bench-added', url: 'https://contoso.azure-api.net/added/mcp', auth: 'subscriptionKey' });

const OPERATIONS: Operation<string>[] = [
  {
    name: 'tree listing of one mcp.json (entriesInConfigFile: format, servers and lines in one parse)',
    input: mcpJsonWithServers,
    run: (text) => entriesInConfigFile(text, 'vscodeMcpJson', 'workspaceMcpJson', '/w/.vscode/mcp.json'),
    check: (r, n) => expectCount('entries', (r as ReturnType<typeof entriesInConfigFile> & { ok: true }).entries.filter((e) => e.line !== undefined).length, n),
  },
  {
    name: 'plaintext-key lint of one mcp.json',
    input: mcpJsonWithServers,
    run: (text) => findPlaintextSecrets(text, 'vscodeMcpJson'),
    check: (r, n) => expectCount('findings', (r as ReturnType<typeof findPlaintextSecrets> & { ok: true }).findings.length, n),
  },
  {
    name: 'migratePlaintextSecret (one quick fix)',
    input: mcpJsonWithServers,
    run: (text) => migratePlaintextSecret(text, 'vscodeMcpJson', { serverName: 'server-0', headerName: KEY }),
    check: (r) => {
      if (!(r as { changed?: boolean }).changed) throw new Error('the migration changed nothing');
    },
  },
  {
    name: 'addServer on one mcp.json',
    input: mcpJsonWithServers,
    run: (text) => (added.ok ? addServer(text, 'vscodeMcpJson', { ...added.value, prmValid: false }) : undefined),
    check: (r) => {
      if (!(r as { changed?: boolean }).changed) throw new Error('addServer changed nothing');
    },
  },
  {
    name: 'toolRolesFromPolicy',
    input: policyWithToolRules,
    run: (text) => toolRolesFromPolicy(text),
    check: (r, n) => expectCount('tools', (r as Map<string, unknown>).size, n),
  },
  {
    name: 'policy lint, N validate-jwt blocks',
    input: policyWithValidateJwt,
    run: (text) => lintPolicyFile('bench.policy.xml', text),
    check: (r) => void r,
  },
  {
    name: 'policy lint, N set-header elements with expressions',
    input: policyWithSetHeaders,
    run: (text) => lintPolicyFile('bench.policy.xml', text),
    check: (r, n) => expectCount('LastError.Message findings', (r as { ruleId: string }[]).filter((f) => f.ruleId === 'apim.policy.lastErrorMessageInHeader').length, Math.ceil(n / 4)),
  },
  {
    name: 'baseline: jsonc-parser parseTree of the N-server mcp.json',
    input: mcpJsonWithServers,
    run: (text) => parseTree(text, [], { allowTrailingComma: true }),
    check: (r) => void r,
  },
  {
    name: 'baseline: policy reader alone on the N validate-jwt policy',
    input: policyWithValidateJwt,
    run: (text) => readPolicy(text),
    check: (r, n) => expectCount('validate-jwt elements', (r as ReturnType<typeof readPolicy>).elements.filter((e) => e.name === 'validate-jwt').length, n),
  },
];

function scale(op: Operation<string>): ScalingRow {
  const sizes = [100, 1_000, 10_000];
  const inputs = sizes.map((n) => op.input(n));
  const fns = inputs.map((input) => () => op.run(input));
  op.check(fns[0]!(), sizes[0]!);
  op.check(fns[1]!(), sizes[1]!);
  // Warm-up: the JIT settles on the small sizes; the first N = 1,000 run also tells whether N = 10,000 is affordable.
  for (let i = 0; i < 3; i++) sample(fns[0]!, 10);
  const first = sample(fns[1]!, 1);
  const large = first.cpu <= BUDGET_MS;
  if (large) op.check(fns[2]!(), sizes[2]!);
  const samples: { wall: number; cpu: number }[][] = [[], [], []];
  const ratios: { wall: number; cpu: number }[] = [];
  for (let p = 0; p < PAIRS; p++) {
    samples[0]!.push(sample(fns[0]!, 100));
    // Alternate which size goes first, so neither always follows the other's garbage.
    const order = p % 2 === 0 ? [1, 2] : [2, 1];
    for (const i of order) if (i === 1 || large) samples[i]!.push(sample(fns[i]!, i === 1 ? 10 : 1));
    if (large) {
      const small = samples[1]![p]!;
      const big = samples[2]![p]!;
      ratios.push({ wall: big.wall / (small.wall * 10), cpu: big.cpu / (small.cpu * 10) });
    }
  }
  const timings = sizes.flatMap((n, i) => (samples[i]!.length > 0 ? [timing(n, samples[i]!)] : []));
  const slope = (r: number[]) => Number((1 + Math.log10(median(r))).toFixed(2));
  return {
    operation: op.name,
    timings,
    ...(large ? { slope: slope(ratios.map((r) => r.cpu)), wallSlope: slope(ratios.map((r) => r.wall)) } : { note: `N = 10,000 not run: one N = 1,000 run took ${round(first.cpu)} ms CPU` }),
  };
}

/** Median of PAIRS interleaved samples of the figure and its baseline. */
function absolute(figure: string, target: string, fn: () => unknown, baseline: string, base: () => unknown): AbsoluteRow {
  for (let i = 0; i < 2; i++) {
    fn();
    base();
  }
  const ours: { wall: number; cpu: number }[] = [];
  const theirs: { wall: number; cpu: number }[] = [];
  for (let p = 0; p < PAIRS; p++) {
    ours.push(sample(fn, 1));
    theirs.push(sample(base, 1));
  }
  const t = timing(1, ours);
  const b = timing(1, theirs);
  return {
    figure,
    target,
    cpuMedianMs: t.cpuMedianMs,
    wallMedianMs: t.wallMedianMs,
    cpuSpreadMs: t.cpuSpreadMs,
    baseline,
    baselineCpuMedianMs: b.cpuMedianMs,
    ratioToBaseline: Number((t.cpuMedianMs / Math.max(b.cpuMedianMs, 0.01)).toFixed(2)),
    loadAverage: t.loadAverage,
  };
}

export function benchScaling(only?: string): ScalingResult {
  const rows: ScalingRow[] = [];
  for (const op of OPERATIONS.filter((o) => !only || o.name.includes(only))) {
    const row = scale(op);
    rows.push(row);
    const cells = row.timings.map((t) => `N=${t.n}: ${t.cpuMedianMs} ms CPU [${t.cpuSpreadMs.join('–')}] (${t.wallMedianMs} ms wall)`).join(', ');
    console.log(`  ${op.name}: ${cells}; slope ${row.slope ?? '—'} (wall ${row.wallSlope ?? '—'})${row.note ? ` (${row.note})` : ''} [load ${row.timings[0]?.loadAverage}]`);
  }
  const mcpJson = mcpJsonWithServers(5_000);
  const policy = policyOfSize(1024 * 1024);
  const parse = () => parseTree(mcpJson, [], { allowTrailingComma: true });
  const absoluteRows = [
    absolute('list a 5,000-server mcp.json', '≤ 200 ms', () => entriesInConfigFile(mcpJson, 'vscodeMcpJson', 'workspaceMcpJson', '/w/mcp.json'), 'jsonc-parser parseTree', parse),
    absolute('lint a 5,000-server mcp.json (plaintext keys)', '≤ 200 ms', () => findPlaintextSecrets(mcpJson, 'vscodeMcpJson'), 'jsonc-parser parseTree', parse),
    absolute(`lint a ${(policy.length / 1024 / 1024).toFixed(2)} MB policy`, '≤ 200 ms', () => lintPolicyFile('big.policy.xml', policy), 'policy reader alone', () => readPolicy(policy)),
  ];
  for (const a of absoluteRows) console.log(`  ${a.figure}: ${a.cpuMedianMs} ms CPU, ${a.wallMedianMs} ms wall (target ${a.target}); ${a.baseline} ${a.baselineCpuMedianMs} ms → ${a.ratioToBaseline}× [load ${a.loadAverage}]`);
  return { rows, absolute: absoluteRows };
}

if (require.main === module) benchScaling(process.argv[2]);
