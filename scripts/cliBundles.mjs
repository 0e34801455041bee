// The CLI's bundles: dist/cli.js, a small dispatcher, and one bundle per command that it requires when that command
// runs (cli-diagnose.js carries the diagnosis engine and the MCP SDK, cli-lint.js the policy linter, cli-explain.js
// the AADSTS catalogue). scripts/build.mjs, bench/run.ts and the CLI's load test build them from this one place.

/** The commands src/cli.ts imports on demand, and the bundle each one becomes. */
export const CLI_COMMANDS = {
  './cli/diagnoseCommand': 'cli-diagnose',
  './cli/explainCommand': 'cli-explain',
  './cli/lintCommand': 'cli-lint',
};

/** In the dispatcher's bundle, each command import becomes a require of that command's own bundle. */
const commandsAsChunks = {
  name: 'cli-commands-as-chunks',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(CLI_COMMANDS).map((p) => p.replace(/[./]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => (args.importer.endsWith('cli.ts') ? { path: `./${CLI_COMMANDS[args.path]}.js`, external: true } : undefined));
  },
};

/**
 * esbuild options for the dispatcher and each command, on top of the shared Node options (`node`). The dispatcher's
 * `import()`s become plain `require`s: a real `import()` of a CommonJS file goes through Node's ESM loader, which
 * scans the whole bundle for its export names first (cjs-module-lexer; more CPU than the diagnosis itself).
 */
export function cliBuilds(node, outdir = 'dist') {
  const commands = Object.fromEntries(Object.entries(CLI_COMMANDS).map(([source, chunk]) => [chunk, `src/${source.slice(2)}.ts`]));
  return [
    { ...node, entryPoints: { cli: 'src/cli.ts' }, outdir, external: ['vscode'], banner: { js: '#!/usr/bin/env node' }, supported: { 'dynamic-import': false }, plugins: [commandsAsChunks] },
    { ...node, entryPoints: commands, outdir, external: ['vscode'] },
  ];
}

/** The CLI as `npm run package` ships it (minified, no source maps), for the bench and the CLI's load test. */
export function cliProductionBuilds(outdir) {
  const node = { bundle: true, minify: true, sourcemap: false, legalComments: 'none', logLevel: 'warning', platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };
  return cliBuilds(node, outdir);
}
