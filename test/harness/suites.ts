import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RESULTS_DIR } from './browser';

const SUITES_DIR = resolve(__dirname, '..', 'vscode');

/**
 * Bundles each test/vscode/*.test.ts (filtered by name substrings) into a CommonJS file that mocha can load in an
 * extension host; `vscode` and `mocha` stay external. Returns the bundle paths, in a fresh folder per run so that
 * concurrent runs do not collide, or in `into` (emptied first) for a fixed place such as F5's "Extension Tests".
 */
export async function compileSuites(filters: string[], into?: string): Promise<string[]> {
  const entries = readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .map((f) => join(SUITES_DIR, f));
  if (entries.length === 0) throw new Error(`no vscode-tier suites matched in ${SUITES_DIR}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (into) rmSync(into, { recursive: true, force: true });
  const outDir = into ?? mkdtempSync(join(RESULTS_DIR, 'vscode-suites-'));
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // As the extension's own build: jsonc-parser's UMD entry loads its parts with a require esbuild cannot follow.
    mainFields: ['module', 'main'],
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return entries.map((e) => join(outDir, e.slice(SUITES_DIR.length + 1).replace(/\.ts$/, '.js')));
}

/** `node --import tsx test/harness/suites.ts <folder> [filters…]`: the suites for .vscode/launch.json's "Extension Tests". */
if (require.main === module) {
  const [into, ...filters] = process.argv.slice(2);
  if (!into) throw new Error('usage: suites.ts <output folder> [name filters…]');
  void compileSuites(filters, resolve(into)).then((files) => console.log(`[suites] ${files.length} suite(s) in ${resolve(into)}`));
}
