// The clients tier: the real MCP clients (Claude Code, GitHub Copilot CLI, MCP Inspector, the MCP SDK client) run
// against configs written by the extension's own writers and the sandbox, offline. test/clients/*.test.ts under
// node:test, one file at a time. Extra args filter by file name.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clientPaths } from './clients';
import { toolPaths } from './tools';

const ROOT = resolve(__dirname, '..', '..');

function main(): number {
  clientPaths();
  toolPaths();
  const filters = process.argv.slice(2);
  const files = readdirSync(join(ROOT, 'test', 'clients'))
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .map((f) => join('test', 'clients', f));
  if (files.length === 0) throw new Error('no clients tests matched');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

try {
  process.exit(main());
} catch (error: unknown) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
