// npm test: installs what is missing (npm dependencies, then the real-VS-Code tools; see bootstrap.mjs), so it works
// as the first command after `git clone`, type-checks, lints and checks sizes, then runs the unit, clients, vscode and e2e tiers in that order. The extension is built and packaged once and every real-VS-Code tier installs that same .vsix.
// Each tier's counts are printed, then a total.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, ensureNode } from './bootstrap.mjs';

const root = new URL('..', import.meta.url).pathname;
const resultsDir = join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });
const vsix = join(resultsDir, 'apim-mcp.vsix');
const env = { ...process.env, APIM_MCP_VSIX: vsix };

function step(name, command, args) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(result.stdout ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) console.log(`=== ${name} FAILED (exit ${result.status}) after ${seconds} s ===`);
  else console.log(`=== ${name} ok after ${seconds} s ===`);
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

/** Reads the counts a tier printed: node:test's "# pass N"/"# fail N", or our "N passed, N failed" line. */
function counts(stdout) {
  const pass = /^ℹ pass (\d+)$/m.exec(stdout) ?? /^# pass (\d+)$/m.exec(stdout);
  const fail = /^ℹ fail (\d+)$/m.exec(stdout) ?? /^# fail (\d+)$/m.exec(stdout);
  if (pass && fail) return { passed: Number(pass[1]), failed: Number(fail[1]) };
  const plain = /^(?:\w+: )?(\d+) passed, (\d+) failed/m.exec(stdout);
  return plain ? { passed: Number(plain[1]), failed: Number(plain[2]) } : undefined;
}

const print = (line) => process.stderr.write(`[test] ${line}\n`);
console.log('\n=== dependencies ===');
if (!ensureNode({ print }) || !(await ensureDependencies({ print }))) process.exit(1);

const steps = [
  // Debian packages and the cached Node 24 + code-server tool folder; only checks once installed. Its progress and
  // errors go to stderr, which is not captured, so they show while it runs.
  ['tools', 'bash', ['scripts/setup-tools.sh']],
  // The real MCP clients of the clients tier (Claude Code, GitHub Copilot CLI, MCP Inspector), pinned, same cache.
  ['clients', process.execPath, ['scripts/setup-clients.mjs']],
  ['build', process.execPath, ['scripts/build.mjs', '--production']],
  ['package', process.execPath, ['scripts/package.mjs', vsix]],
  ['typecheck', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck webview', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'src/webview/tsconfig.json', '--noEmit']],
  // The layers as import rules, floating promises, type-only imports (eslint.config.mjs; npm run lint).
  ['lint', process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js')]],
  // No file in src over 400 lines, no function over 80 (scripts/check-size.ts; npm run check:size).
  ['size', process.execPath, ['--import', 'tsx', 'scripts/check-size.ts']],
];
for (const [name, command, args] of steps) {
  if (!step(name, command, args).ok) process.exit(1);
}

const tiers = [
  ['unit', process.execPath, ['scripts/run-unit.mjs']],
  ['clients', process.execPath, ['--import', 'tsx', 'test/harness/runClientsTier.ts']],
  ['vscode', process.execPath, ['--import', 'tsx', 'test/harness/runVscodeTier.ts']],
  ['e2e', process.execPath, ['--import', 'tsx', 'test/harness/runE2eTier.ts']],
];
let passed = 0;
let failed = 0;
const summary = [];
for (const [name, command, args] of tiers) {
  const result = step(`${name} tier`, command, args);
  const c = counts(result.stdout);
  if (!c || c.passed + c.failed === 0) {
    summary.push(`${name}: no tests ran`);
    failed += 1;
    continue;
  }
  passed += c.passed;
  failed += c.failed + (result.ok || c.failed > 0 ? 0 : 1);
  summary.push(`${name}: ${c.passed} passed, ${c.failed} failed${result.ok ? '' : ' (tier exited non-zero)'}`);
}
console.log('\n=== summary ===');
for (const line of summary) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
