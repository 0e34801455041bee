// The first thing `npm start` and `npm test` run, so that either works as the first command after `git clone`.
// Plain Node with no dependency (node_modules may not exist yet): it runs `npm ci` when the installed dependencies
// are missing or do not match package-lock.json, then scripts/setup-tools.sh (Debian packages, Node 24,
// code-server), which only checks once everything is there.
//   node scripts/bootstrap.mjs [--prefix TEXT]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanNpmEnv, describeNpmFailure, npmPhase, ToolInstallError } from './tools/npmTool.mjs';
import { formatDuration, runWithProgress } from './tools/progress.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MINIMUM_NODE_MAJOR = 20;

const lockPackages = (file) => JSON.parse(readFileSync(file, 'utf8')).packages ?? {};

/** Why node_modules does not match package-lock.json ("node_modules is missing", "tsx 4.23.15 is not installed"), or undefined. */
export function dependenciesOutOfDate(root) {
  // npm writes node_modules/.package-lock.json at the end of an install: missing means none finished.
  const installedFile = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installedFile)) return 'node_modules is missing';
  const installed = lockPackages(installedFile);
  for (const [path, wanted] of Object.entries(lockPackages(join(root, 'package-lock.json')))) {
    if (path === '' || wanted.link || installed[path]?.version === wanted.version) continue;
    if (wanted.optional && !installed[path]) continue; // an optional package for another platform
    return `${path.replace(/^.*node_modules\//, '')} ${wanted.version} is not installed`;
  }
  return undefined;
}

/** Runs `npm ci` when needed. Resolves false after printing the cause and the fix when it fails. */
export async function ensureDependencies({ root = ROOT, print }) {
  const reason = dependenciesOutOfDate(root);
  if (!reason) {
    print('npm dependencies: installed');
    return true;
  }
  // The npm that runs `npm start`/`npm test`, or the one on PATH when this script is run by hand.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
  const logFile = join(tmpdir(), `apim-mcp-npm-ci-${process.pid}.log`);
  const result = await runWithProgress({
    command,
    args: [...args, 'ci', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=error'],
    cwd: root,
    env: cleanNpmEnv(process.env),
    what: `npm dependencies: ${reason}, so running npm ci (about 540 packages, downloaded unless npm's cache has them)`,
    name: 'npm ci',
    estimateSeconds: 90,
    logFile,
    phaseOf: npmPhase,
    print,
  });
  const log = readFileSync(logFile, 'utf8');
  if (result.code === 0) {
    rmSync(logFile, { force: true });
    print(`npm dependencies: installed in ${formatDuration(result.seconds)}`);
    return true;
  }
  const retry = 'then run the same command again';
  const { cause, fix } = describeNpmFailure(log, { spec: 'the project\'s dependencies', toolsDir: root, exitCode: result.code, retry });
  for (const line of new ToolInstallError(`npm ci failed: ${cause}`, fix, logFile, log).reportLines()) print(line);
  return false;
}

/** Runs scripts/setup-tools.sh, which prints its own progress, and the cause and the fix when it fails. */
export function ensureTools({ root = ROOT, print }) {
  const result = spawnSync('bash', [join(root, 'scripts', 'setup-tools.sh')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status === 0) return true;
  if (result.error) print(`ERROR: bash could not be started (${result.error.message}). Fix: install bash and run this command again.`);
  return false;
}

/** Node older than 20 fails later in confusing ways (no fetch, no parseArgs); say so first. */
export function ensureNode({ print }) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MINIMUM_NODE_MAJOR) return true;
  print(`ERROR: this is Node ${process.version}; the project needs Node ${MINIMUM_NODE_MAJOR} or later.`);
  print('Fix: install Node 20 or later (https://nodejs.org, or your distribution\'s nodejs package) and run this command again.');
  return false;
}

async function main() {
  const { values } = parseArgs({ options: { prefix: { type: 'string', default: '[bootstrap] ' } } });
  const print = (line) => process.stderr.write(`${values.prefix}${line}\n`);
  const started = Date.now();
  const ok = ensureNode({ print }) && (await ensureDependencies({ print })) && ensureTools({ print });
  if (!ok) process.exit(1);
  print(`dependencies and tools in place after ${formatDuration((Date.now() - started) / 1000)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
