// Bundles the extension, its lazy feature bundles, the CLI and the webview with esbuild (scripts/bundles.mjs).
// --production minifies and drops source maps; --watch rebuilds on change. Bundle sizes go to dist/meta.json.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { bundles } from './bundles.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

export const builds = bundles(production);

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
