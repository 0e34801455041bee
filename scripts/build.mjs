// Bundles the extension (node, CJS), the CLI (node, CJS) and the webview (browser, IIFE) with esbuild.
// --production minifies and drops source maps; --watch rebuilds on change. Bundle sizes go to dist/meta.json.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cliBuilds } from './cliBundles.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };

export const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', external: ['vscode', '@azure/msal-node'] },
  // @azure/msal-node in its own file, required on first Entra sign-in through MSAL (src/auth/msal/loadMsal.ts).
  { ...node, entryPoints: { msal: 'src/auth/msal/msalModule.ts' }, outdir: 'dist', external: ['vscode'] },
  // The diagnosis engine and the MCP SDK, loaded when a diagnosis first runs (src/vscode/panel/diagnosisRunner.ts).
  { ...node, entryPoints: { diagnosis: 'src/core/diagnosis/diagnose.ts' }, outdir: 'dist', external: ['vscode'] },
  // Loaded on first use by src/vscode/policy/registerPolicyTools.ts, so activation stays small.
  { ...node, entryPoints: { policy: 'src/vscode/policy/policyFeature.ts' }, outdir: 'dist', external: ['vscode'] },
  // The CLI: a small dispatcher and one bundle per command, loaded when that command runs (scripts/cliBundles.mjs).
  ...cliBuilds(node),
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'dist',
  },
];

mkdirSync('dist', { recursive: true });
// The diagnostics panel's icons: codicons ship as a font next to the webview bundle (its localResourceRoots).
mkdirSync('dist/codicons', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('[build] watching');
} else {
  const sizes = {};
  for (const options of builds) {
    const result = await esbuild.build(options);
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      if (!file.endsWith('.map')) sizes[file] = output.bytes;
    }
  }
  writeFileSync('dist/meta.json', JSON.stringify({ production, sizes }, null, 2));
  for (const [file, bytes] of Object.entries(sizes)) console.log(`[build] ${file} ${(bytes / 1024).toFixed(1)} KiB`);
}
