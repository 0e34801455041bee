// Types for cliBundles.mjs (plain JavaScript, imported by scripts/build.mjs), for the TypeScript bench and tests.
import type { BuildOptions } from 'esbuild';
export const CLI_COMMANDS: Readonly<Record<string, string>>;
export function cliBuilds(node: BuildOptions, outdir?: string): BuildOptions[];
export function cliProductionBuilds(outdir: string): BuildOptions[];
