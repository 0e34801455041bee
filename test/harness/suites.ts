import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RESULTS_DIR } from './browser';

const SUITES_DIR = resolve(__dirname, '..', 'vscode');

/**
 * Bundles each test/vscode/*.test.ts (filtered by name substrings) into a CommonJS file that mocha can load in an
 * extension host; `vscode` and `mocha` stay external. Returns the bundle paths, in a fresh folder per run so that
 * concurrent runs do not collide.
 */
export async function compileSuites(filters: string[]): Promise<string[]> {
  const entries = readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .map((f) => join(SUITES_DIR, f));
  if (entries.length === 0) throw new Error(`no vscode-tier suites matched in ${SUITES_DIR}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const outDir = mkdtempSync(join(RESULTS_DIR, 'vscode-suites-'));
  await esbuild.build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return entries.map((e) => join(outDir, e.slice(SUITES_DIR.length + 1).replace(/\.ts$/, '.js')));
}
