// npm start: the sandbox (local APIM + Entra + MCP backend, healthy-key scenario) plus real VS Code in the
// browser with the packaged extension installed and the sandbox server configured. Ctrl+C stops everything.
// `npm start` runs scripts/bootstrap.mjs first, which installs the npm dependencies and the tools this needs.
import { startCodeServer } from '../test/harness/codeServer';
import { packagedExtension } from '../test/harness/packages';
import { toolPaths } from '../test/harness/tools';
import { startSandbox } from '../test/sandbox/index';

const SERVER_NAME = 'Products (sandbox)';
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
  const vsix = await step('building and packaging the extension (.vsix)', packagedExtension);
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
APIM MCP is running (built, sandbox and VS Code started in ${seconds(started)}).

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
