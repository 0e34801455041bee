/**
 * Runs a Node program as a child process and measures it whole: wall time from spawn to exit (this process's
 * clock), and the child's own CPU time (user + system) and peak resident memory. The child runs with a tiny
 * `--require` preload that, at exit, writes `process.cpuUsage()` (all CPU since the process started, Node's own
 * start-up included) and `process.resourceUsage().maxRSS` to a file. Both clients run in one process each (the
 * Inspector's launcher imports its CLI in-process), so nothing is missed; what runs after the `exit` event
 * (Node's teardown) is in the wall time but not in the CPU figure, for both alike.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessSample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  readonly code: number | null;
  readonly out: string;
}

const PRELOAD = `process.on('exit', () => {
  const cpu = process.cpuUsage();
  require('node:fs').writeFileSync(process.env.APIM_MCP_BENCH_USAGE, JSON.stringify({ cpuUs: cpu.user + cpu.system, maxRssKiB: process.resourceUsage().maxRSS }));
});
`;

export interface ProcessMeter {
  run(node: string, args: readonly string[], env?: Record<string, string>, cwd?: string): Promise<ProcessSample>;
  dispose(): void;
}

export function processMeter(): ProcessMeter {
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-bench-usage-'));
  const preload = join(dir, 'usage.cjs');
  writeFileSync(preload, PRELOAD);
  let n = 0;
  return {
    run: (node, args, env = {}, cwd) =>
      new Promise((resolve, reject) => {
        const usageFile = join(dir, `usage-${n++}.json`);
        const started = performance.now();
        const child = spawn(node, ['--require', preload, ...args], { cwd, env: { ...process.env, ...env, APIM_MCP_BENCH_USAGE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          const wallMs = performance.now() - started;
          try {
            const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuUs: number; maxRssKiB: number };
            resolve({ wallMs, cpuMs: usage.cpuUs / 1000, peakRssMiB: usage.maxRssKiB / 1024, code, out });
          } catch {
            reject(new Error(`${node} ${args.join(' ')} exited (${code}) without its usage record: ${out.slice(0, 500)}`));
          }
        });
      }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[], digits = 0): Spread {
  const s = [...values].sort((a, b) => a - b);
  const round = (v: number) => Number(v.toFixed(digits));
  return { median: round(s[Math.floor(s.length / 2)]!), min: round(s[0]!), max: round(s[s.length - 1]!) };
}

/** The 1-minute load average, to two decimals. */
export function load(): number {
  return Number(loadavg()[0]!.toFixed(2));
}
