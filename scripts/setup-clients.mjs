// Installs the real MCP clients the `clients` test tier runs, each pinned, into the cached tool folder
// ($APIM_MCP_TOOLS_DIR or ~/.cache/apim-mcp-tools) as client-<name>-<version>/, through the same installer as
// setup-tools.sh (clean npm environment, progress, all or nothing), and writes their paths to clients.json there
// (paths.json belongs to setup-tools.sh). They are not dependencies of the extension.
// Idempotent: a version already installed is only checked.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { installNpmTool, ToolInstallError } from './tools/npmTool.mjs';

const TOOLS_DIR = process.env.APIM_MCP_TOOLS_DIR || join(homedir(), '.cache', 'apim-mcp-tools');
const PREFIX = '[setup-clients] ';

/** Each client: the npm spec, what runs (relative to its folder), and the packages whose install scripts it needs. */
const CLIENTS = {
  // The postinstall puts the native binary for this platform in place of bin/claude.exe.
  claudeCode: { spec: '@anthropic-ai/claude-code@2.1.328', name: 'Claude Code', entry: 'node_modules/@anthropic-ai/claude-code/bin/claude.exe', allowScripts: ['@anthropic-ai/claude-code'], estimate: 60 },
  // A native binary in a per-platform package that npm installs as an optional dependency.
  copilotCli: { spec: '@github/copilot@1.0.102', name: 'GitHub Copilot CLI', entry: `node_modules/@github/copilot-${process.platform}-${process.arch}/copilot`, allowScripts: [], estimate: 40 },
  // A Node program (engines: node >= 22.19): the tier runs it with the cached Node 24.
  inspector: { spec: '@modelcontextprotocol/inspector@2.12.0', name: 'MCP Inspector', entry: 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js', allowScripts: [], estimate: 40 },
};

async function main() {
  const out = {};
  for (const [key, client] of Object.entries(CLIENTS)) {
    const version = client.spec.slice(client.spec.lastIndexOf('@') + 1);
    const folder = `client-${key}-${version}`;
    const { dir } = await installNpmTool({
      toolsDir: TOOLS_DIR,
      folder,
      spec: client.spec,
      name: `${client.name} ${version}`,
      what: `${client.name} ${version} for the clients test tier: downloading it`,
      entry: client.entry,
      estimateSeconds: client.estimate,
      allowScripts: client.allowScripts,
      prefix: PREFIX,
    });
    out[key] = { version, path: join(dir, client.entry) };
  }
  const target = join(TOOLS_DIR, 'clients.json');
  const text = `${JSON.stringify(out, null, 2)}\n`;
  if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
  process.stderr.write(`${PREFIX}ready: ${target}\n`);
}

try {
  await main();
} catch (error) {
  const lines = error instanceof ToolInstallError ? error.reportLines() : [`ERROR: ${error instanceof Error ? error.message : String(error)}`];
  for (const line of lines) process.stderr.write(`${PREFIX}${line}\n`);
  process.exit(1);
}
