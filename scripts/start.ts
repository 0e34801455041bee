// npm start: the sandbox (local APIM + Entra + MCP backend, healthy-key scenario) plus real VS Code in the
// browser with the packaged extension installed and the sandbox server configured. Ctrl+C stops everything.
// `npm start` runs scripts/bootstrap.mjs first, which installs the npm dependencies and the tools this needs.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer } from '../test/harness/codeServer';
import { packagedExtension } from '../test/harness/packages';
import { toolPaths } from '../test/harness/tools';
import { startSandbox } from '../test/sandbox/index';

const SERVER_NAME = 'Products (sandbox)';
const ROOT = join(__dirname, '..');
const START_VSIX = join(ROOT, 'test-results', 'start', 'apim-mcp.vsix');
// Build output, caches and dependencies; node_modules counts through its .package-lock.json (rewritten by npm ci).
const NOT_INPUTS = new Set(['.git', 'node_modules', 'dist', 'out', 'test-results', '.vscode-test']);

/** The newest modification time of any file the .vsix could be built from: the whole tree, so no input is forgotten
 * (a file saved while a build runs is missed until the next change). */
function newestInput(dir = ROOT): number {
  let newest = dir === ROOT ? statSync(join(ROOT, 'node_modules', '.package-lock.json')).mtimeMs : 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_INPUTS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestInput(path) : (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  }
  return newest;
}

/** The packaged extension: the one the last npm start built when no file changed since, or a new build. */
async function startExtension(): Promise<string> {
  if (existsSync(START_VSIX) && statSync(START_VSIX).mtimeMs > newestInput()) {
    console.log(`[start] no file changed since the last build: reusing ${START_VSIX}`);
    return START_VSIX;
  }
  const built = await step('building and packaging the extension (.vsix)', packagedExtension);
  mkdirSync(join(ROOT, 'test-results', 'start'), { recursive: true });
  copyFileSync(built, START_VSIX);
  return START_VSIX;
}
const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Says what is happening before a step, and how long it took after. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  console.log(`[start] ${what}…`);
  const stepStarted = Date.now();
  const result = await run();
  console.log(`[start] ${what}: done in ${seconds(stepStarted)}`);
  return result;
}

async function main(): Promise<void> {
  const scenario = process.env.APIM_MCP_SCENARIO ?? 'healthy-key';
  const { codeServerVersion } = toolPaths();
  const vsix = await startExtension();
  const sandbox = await step(`starting the sandbox (APIM gateway, Entra and MCP backend emulators; scenario ${scenario})`, () =>
    startSandbox(scenario),
  );
  const { endpoints } = sandbox;
  const server = await step(`starting VS Code (code-server ${codeServerVersion}) and installing the extension`, () =>
    startCodeServer({
      label: 'start',
      extensions: [vsix],
      userSettings: { 'apimMcp.servers': [{ name: SERVER_NAME, url: endpoints.mcpUrl, auth: 'subscriptionKey' }] },
      env: { NODE_EXTRA_CA_CERTS: endpoints.caCertPath },
    }),
  );
  const stop = async () => {
    console.log('\n[start] stopping…');
    await server.stop();
    await sandbox.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  console.log(`
APIM MCP is running (extension, sandbox and VS Code ready in ${seconds(started)}).

  VS Code:          ${server.url}
  Scenario:         ${scenario}
  MCP URL:          ${endpoints.mcpUrl}
  Entra emulator:   ${endpoints.entra}
  Sandbox test key: ${endpoints.subscriptionKey ?? '(this scenario has no key)'}
                    (sandbox test data, not a real secret)

Open the VS Code URL, click the APIM MCP shield in the activity bar, then on "${SERVER_NAME}"
choose Set/Rotate Subscription Key, paste the test key, and press Start (▶).
Press Ctrl+C to stop.
`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
