// The e2e tier: Playwright drives the VS Code UI (code-server in Debian's Chromium) through test/e2e/*.test.ts,
// run by node:test one file at a time (each file starts its own VS Code). Packages the extension once.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagedExtension } from './packages';
import { toolPaths } from './tools';

const ROOT = resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  toolPaths();
  const filters = process.argv.slice(2);
  const files = readdirSync(join(ROOT, 'test', 'e2e'))
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .map((f) => join('test', 'e2e', f));
  if (files.length === 0) throw new Error('no e2e tests matched');
  const vsix = await packagedExtension();
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, APIM_MCP_VSIX: vsix },
  });
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(1);
  },
);
