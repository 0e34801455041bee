// npm start: the sandbox (local APIM + Entra + MCP backend, healthy-key scenario) plus real VS Code in the
// browser with the packaged extension installed and the sandbox server configured. Ctrl+C stops everything.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer } from '../test/harness/codeServer';
import { packagedExtension } from '../test/harness/packages';
import { TOOLS_DIR } from '../test/harness/tools';
import { startSandbox } from '../test/sandbox/index';

const SERVER_NAME = 'Products (sandbox)';

async function main(): Promise<void> {
  if (!existsSync(join(TOOLS_DIR, 'paths.json'))) {
    console.log('[start] installing Node 24, code-server and Chromium (first run only)…');
    const setup = spawnSync('bash', ['scripts/setup-tools.sh'], { stdio: 'inherit' });
    if (setup.status !== 0) throw new Error('scripts/setup-tools.sh failed');
  }
  const scenario = process.env.APIM_MCP_SCENARIO ?? 'healthy-key';
  console.log('[start] building and packaging the extension…');
  const vsix = await packagedExtension();
  const sandbox = await startSandbox(scenario);
  const { endpoints } = sandbox;
  const server = await startCodeServer({
    label: 'start',
    extensions: [vsix],
    userSettings: { 'apimMcp.servers': [{ name: SERVER_NAME, url: endpoints.mcpUrl, auth: 'subscriptionKey' }] },
    env: { NODE_EXTRA_CA_CERTS: endpoints.caCertPath },
  });
  const stop = async () => {
    console.log('\n[start] stopping…');
    await server.stop();
    await sandbox.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  console.log(`
APIM MCP is running.

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
