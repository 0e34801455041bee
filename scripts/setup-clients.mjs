// Installs the real MCP clients the `clients` test tier runs, each pinned, into the cached tool folder
// ($APIM_MCP_TOOLS_DIR or ~/.cache/apim-mcp-tools) under clients/<name>-<version>/, and writes their paths to
// clients.json there (paths.json belongs to setup-tools.sh). They are not dependencies of the extension.
// Idempotent: a version already installed (its .complete marker) is only checked.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const TOOLS_DIR = process.env.APIM_MCP_TOOLS_DIR || join(homedir(), '.cache', 'apim-mcp-tools');
const platformPackage = `@github/copilot-${process.platform}-${process.arch}`;

/** Each client: the npm spec, and the file to run relative to the install folder's node_modules. */
export const CLIENTS = {
  claudeCode: { spec: '@anthropic-ai/claude-code@2.1.328', run: '@anthropic-ai/claude-code/bin/claude.exe' },
  // The CLI is a native binary in a per-platform package that npm installs as an optional dependency.
  copilotCli: { spec: '@github/copilot@1.0.102', run: `${platformPackage}/copilot` },
  // A Node program (engines: node >= 22.19): the tier runs it with the cached Node 24.
  inspector: { spec: '@modelcontextprotocol/inspector@2.12.0', run: '@modelcontextprotocol/inspector/clients/launcher/build/index.js' },
};

function log(line) {
  process.stderr.write(`[setup-clients] ${line}\n`);
}

/** npm's own variables from an outer `npm run` (prefix, global, workspace…) would redirect the inner install. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

function install(name, { spec, run }) {
  const version = spec.slice(spec.lastIndexOf('@') + 1);
  const dir = join(TOOLS_DIR, 'clients', `${name}-${version}`);
  const file = join(dir, 'node_modules', run);
  if (existsSync(join(dir, '.complete')) && existsSync(file)) return { version, path: file };
  log(`installing ${spec} into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `apim-mcp-client-${name}`, private: true }) + '\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm install ${spec} failed (exit ${result.status})`);
  if (!existsSync(file)) throw new Error(`${spec} installed, but ${file} is missing`);
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  return { version, path: file };
}

function main() {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const out = {};
  for (const [name, client] of Object.entries(CLIENTS)) out[name] = install(name, client);
  const target = join(TOOLS_DIR, 'clients.json');
  const text = JSON.stringify(out, null, 2) + '\n';
  if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
  log(`ready: ${target}`);
}

try {
  main();
} catch (error) {
  log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
