// Writes l10n/bundle.l10n.json from every vscode.l10n.t call under src/ (with @vscode/l10n-dev, the tool VS Code's
// docs use). `npm run package` runs it first, so the shipped bundle always matches the code; `npm run l10n` alone.
import { getL10nJson } from '@vscode/l10n-dev';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

function* sources(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|js)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** The bundle's JSON text for the sources under `root`/src. */
export async function l10nBundleText(root = process.cwd()) {
  const files = [...sources(join(root, 'src'))].map((path) => ({ contents: readFileSync(path, 'utf8'), extension: extname(path) }));
  return `${JSON.stringify(await getL10nJson(files), null, 2)}\n`;
}

export async function writeL10nBundle(root = process.cwd()) {
  const text = await l10nBundleText(root);
  mkdirSync(join(root, 'l10n'), { recursive: true });
  writeFileSync(join(root, 'l10n', 'bundle.l10n.json'), text);
  return Object.keys(JSON.parse(text)).length;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`[l10n] l10n/bundle.l10n.json: ${await writeL10nBundle()} strings`);
}
