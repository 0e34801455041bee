import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWorkbench, type Workbench } from '../harness/browser';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { packagedDriver, packagedExtension } from '../harness/packages';
import { waitFor } from '../harness/processes';
import { filesUnder, quickInputFor, runCommand, serverRow } from './workbench';

/**
 * A command of the Entra ID feature, taken by the test driver before APIM MCP activates. That feature registers
 * before the Servers view and Add Server, so they work only if activation goes on past the failure.
 */
const CLAIMED = 'apimMcp.signIn';
/** A configured server, so the Servers view has a row only its tree provider can draw (nothing is sent to it). */
const SERVER = { name: 'Still listed', url: 'https://contoso.azure-api.net/products/mcp', auth: 'subscriptionKey' };

describe('activation from the packaged .vsix: one feature that cannot register is skipped, the others work', () => {
  let server: CodeServer;
  let workbench: Workbench;
  const extensionLog = () =>
    filesUnder(join(server.userDataDir, 'logs'))
      .filter((f) => /APIM MCP/.test(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');

  before(async () => {
    server = await startCodeServer({
      label: 'e2e-activation',
      extensions: [await packagedExtension(), await packagedDriver()],
      // The marker activates the test driver at startup, before APIM MCP; the driver then holds the command id.
      workspaceFiles: { '.apim-mcp-test-claims': `${CLAIMED}\n` },
      userSettings: { 'apimMcp.servers': [SERVER] },
      env: { APIM_MCP_TEST_CLAIM_COMMANDS: CLAIMED },
    });
    workbench = await openWorkbench(server.url);
  });

  after(async () => {
    await workbench?.close();
    await server?.stop();
  });

  it('logs the Entra ID commands as skipped, with VS Code\'s reason', async () => {
    const activation = await waitFor('the APIM MCP activation line', 90_000, () => extensionLog().split('\n').find((l) => l.includes('server(s) configured')));
    assert.match(activation, /skipped: the Entra ID commands$/);
    assert.match(extensionLog(), new RegExp(`\\[activate\\] the Entra ID commands could not start and is skipped: .*${CLAIMED.replace('.', '\\.')}`));
  });

  it('still lists the servers in the Servers view and runs Add Secured MCP Server', async () => {
    const { page } = workbench;
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, SERVER.name).waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    // The wizard's first prompt, which only a registered Add Server shows.
    const url = await quickInputFor(page, 'The MCP endpoint');
    assert.ok(await url.isVisible());
    await workbench.screenshot('e2e-activation-feature-skipped');
    await page.keyboard.press('Escape');
  });
});
