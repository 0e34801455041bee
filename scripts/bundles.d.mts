import type { BuildOptions } from 'esbuild';

/** The esbuild builds of scripts/build.mjs; every one names its entries (`{ name: source }`). */
export function bundles(production: boolean): (BuildOptions & { entryPoints: Record<string, string> })[];
