import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RESULTS_DIR } from './browser';

const SUITES_DIR = resolve(__dirname, '..', 'vscode');
const OUT_DIR = join(RESULTS_DIR, 'vscode-tier');

/**
 * Bundles each test/vscode/*.test.ts (filtered by name substrings) into a CommonJS file that mocha can load in an
 * extension host; `vscode` and `mocha` stay external. Returns the bundle paths.
 */
export async function compileSuites(filters: string[]): Promise<string[]> {
  const entries = readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .map((f) => join(SUITES_DIR, f));
  if (entries.length === 0) throw new Error(`no vscode-tier suites matched in ${SUITES_DIR}`);
  rmSync(OUT_DIR, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries,
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return entries.map((e) => join(OUT_DIR, e.slice(SUITES_DIR.length + 1).replace(/\.ts$/, '.js')));
}
