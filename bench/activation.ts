/**
 * Activation time and installed bundle sizes, measured in real VS Code (code-server 4.139 = VS Code 1.139).
 *
 * Each run starts a fresh code-server with two extensions installed from .vsix files: the packaged APIM MCP
 * extension and an empty baseline extension (`exports.activate = () => {}`) with the same activation event
 * (onStartupFinished; the workspace is empty so nothing activates APIM MCP earlier). After both are active the
 * bench opens **Developer: Show Running Extensions** and reads VS Code's own figure for each row
 * (`codeLoadingTime + activateCallTime`, what that editor prints as "Activation: N ms"). The baseline is what the
 * extension host costs for any extension on the same machine, in the same window, at the same moment, so the
 * ratio is ours / empty. The built-in Git extension's figure is recorded too when it is active, as a second
 * reference of a real, larger extension.
 *
 * Bundle sizes are the bytes of the files VS Code installed from the .vsix (the extension folder under
 * --extensions-dir), not of dist/ at build time.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkbench, type Workbench } from '../test/harness/browser';
import { startCodeServer, type CodeServer } from '../test/harness/codeServer';
import { packagedExtension } from '../test/harness/packages';
import { run, waitFor } from '../test/harness/processes';
import { runCommand } from '../test/e2e/workbench';

const root = join(__dirname, '..');
const OURS = 'APIM MCP';
const BASELINE = 'APIM MCP bench baseline (empty extension)';
const GIT = 'Git';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Packages the empty baseline extension (same packaging script as the real one). */
async function baselineVsix(dir: string): Promise<string> {
  const ext = join(dir, 'baseline');
  mkdirSync(ext, { recursive: true });
  writeFileSync(
    join(ext, 'package.json'),
    JSON.stringify({
      name: 'apim-mcp-bench-baseline',
      displayName: BASELINE,
      description: 'Empty extension: the activation-time baseline of npm run bench.',
      version: '0.0.1',
      publisher: 'apim-mcp-bench',
      license: 'MIT',
      private: true,
      repository: { type: 'git', url: 'https://example.invalid/apim-mcp.git' },
      engines: { vscode: '^1.101.0' },
      main: './extension.js',
      activationEvents: ['onStartupFinished'],
    }),
  );
  writeFileSync(join(ext, 'extension.js'), 'exports.activate = function activate() {};\n');
  writeFileSync(join(ext, 'README.md'), '# Bench baseline\n\nAn empty extension used as the activation-time baseline.\n');
  cpSync(join(root, 'LICENSE'), join(ext, 'LICENSE'));
  const vsix = join(dir, 'baseline.vsix');
  await run(process.execPath, [join(root, 'scripts', 'package.mjs'), vsix], { cwd: ext });
  return vsix;
}

/** Reads "Activation: N ms" for the named rows of the Running Extensions editor. */
async function readActivationTimes(workbench: Workbench, names: string[]): Promise<Record<string, number>> {
  const page = workbench.page;
  await page.setViewportSize({ width: 1400, height: 3000 }); // every row rendered: the list is virtualised
  await runCommand(page, 'Developer: Show Running Extensions');
  return waitFor('activation times in Running Extensions', 60_000, async () => {
    const rows = await page.locator('.runtime-extensions-editor .monaco-list-row').evaluateAll((elements) =>
      elements.map((e) => ({ name: e.querySelector('.name')?.textContent?.trim() ?? '', time: e.querySelector('.activation-time')?.textContent?.trim() ?? '' })),
    );
    const found: Record<string, number> = {};
    for (const row of rows) {
      const m = /Activation:\s*(\d+)\s*ms/i.exec(row.time);
      if (m && names.includes(row.name)) found[row.name] = Number(m[1]);
    }
    return names.slice(0, 2).every((n) => n in found) ? found : undefined;
  }, 500);
}

function installedSizes(server: CodeServer): Record<string, number> {
  const folder = readdirSync(server.extensionsDir).find((f) => f.startsWith('apim-mcp.apim-mcp-'));
  if (!folder) throw new Error('APIM MCP is not in the extensions folder');
  const dist = join(server.extensionsDir, folder, 'dist');
  const sizes: Record<string, number> = {};
  for (const file of readdirSync(dist)) if (file.endsWith('.js')) sizes[file] = statSync(join(dist, file)).size;
  return sizes;
}

export interface ActivationResult {
  runs: number;
  vscode: string;
  oursMedianMs: number;
  baselineMedianMs: number;
  /** Median over runs of ours / empty, measured in the same window. */
  ratioToEmptyExtension: number;
  /** Median over runs of ours − empty: what this extension adds to the cost of any extension. */
  overMedianMs: number;
  gitMedianMs?: number;
  ratioToGit?: number;
  /** Lowest and highest ours − empty over the runs: the machine's noise, next to the median. */
  overRangeMs: [number, number];
  /** The 1-minute load average when each run's figures were read (the machine is shared; a loaded one is slower). */
  loadAverage: [number, number];
  samples: { ours: number; baseline: number; git?: number; load1: number }[];
  bundleBytes: Record<string, number>;
  mainBundleBytes: number;
  lazyChunkBytes: number;
  mainShareOfTotal: number;
}

export async function benchActivation(runs: number): Promise<ActivationResult> {
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-bench-activation-'));
  try {
    const [vsix, baseline] = await Promise.all([packagedExtension(), baselineVsix(dir)]);
    const samples: ActivationResult['samples'] = [];
    let sizes: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const server = await startCodeServer({ label: 'bench', extensions: [vsix, baseline] });
      let workbench: Workbench | undefined;
      try {
        workbench = await openWorkbench(server.url);
        const times = await readActivationTimes(workbench, [OURS, BASELINE, GIT]);
        const load1 = Number(loadavg()[0]!.toFixed(1));
        samples.push({ ours: times[OURS]!, baseline: times[BASELINE]!, ...(times[GIT] !== undefined ? { git: times[GIT] } : {}), load1 });
        console.log(`  run ${i + 1}: APIM MCP ${times[OURS]} ms, empty extension ${times[BASELINE]} ms${times[GIT] !== undefined ? `, Git ${times[GIT]} ms` : ''} (load average ${load1})`);
        if (i === 0) sizes = installedSizes(server);
      } finally {
        await workbench?.close();
        await server.stop();
      }
    }
    const ours = median(samples.map((s) => s.ours));
    const base = median(samples.map((s) => s.baseline));
    const gits = samples.flatMap((s) => (s.git !== undefined ? [s.git] : []));
    const main = sizes['extension.js'] ?? 0;
    // Every other bundle is a lazy chunk (the feature bundles, msal, diagnosis, webview) or the separate CLI.
    const lazy = Object.entries(sizes).reduce((sum, [f, bytes]) => sum + (f === 'extension.js' ? 0 : bytes), 0);
    return {
      runs,
      vscode: '1.139.1 (code-server 4.139.1)',
      oursMedianMs: ours,
      baselineMedianMs: base,
      // Paired per run (both measured in the same window at the same moment), then the median: a loaded machine
      // slows both, so the per-run ratio is steadier than a ratio of medians.
      ratioToEmptyExtension: Number(median(samples.map((s) => s.ours / Math.max(s.baseline, 1))).toFixed(2)),
      overMedianMs: median(samples.map((s) => s.ours - s.baseline)),
      overRangeMs: [Math.min(...samples.map((s) => s.ours - s.baseline)), Math.max(...samples.map((s) => s.ours - s.baseline))],
      loadAverage: [Math.min(...samples.map((s) => s.load1)), Math.max(...samples.map((s) => s.load1))],
      ...(gits.length === runs ? { gitMedianMs: median(gits), ratioToGit: Number(median(samples.map((s) => s.ours / Math.max(s.git!, 1))).toFixed(2)) } : {}),
      samples,
      bundleBytes: sizes,
      mainBundleBytes: main,
      lazyChunkBytes: lazy,
      mainShareOfTotal: Number((main / (main + lazy)).toFixed(2)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
