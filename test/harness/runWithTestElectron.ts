// The vscode tier on a machine with internet (a contributor's laptop, hosted CI): @vscode/test-electron downloads
// desktop VS Code and runs the same mocha suites with the extension loaded from source (dist/).
// This machine is offline, so `npm test` uses the code-server path (runVscodeTier.ts) instead.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QUIET_SETTINGS } from './codeServer';
import { compileSuites } from './suites';

const ROOT = resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const suites = await compileSuites(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'apim-mcp-electron-'));
  const userDataDir = join(root, 'user-data');
  const workspace = join(root, 'workspace');
  spawnSync('mkdir', ['-p', join(userDataDir, 'User'), workspace]);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS));
  await runTests({
    version: process.env.APIM_MCP_VSCODE_VERSION ?? 'stable',
    // The test driver too: suites read its exports (sandbox Entra provider, log folder) and its commands.
    extensionDevelopmentPath: [ROOT, join(__dirname, 'driver')],
    extensionTestsPath: join(__dirname, 'electronSuiteIndex.js'),
    launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { APIM_MCP_TEST_FILES: JSON.stringify(suites) },
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
