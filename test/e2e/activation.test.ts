import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { quickInputFor, runCommand, serverRow } from './workbench';

/**
 * A command of the Entra ID feature, taken by the test driver before APIM MCP activates. That feature registers
 * before the Servers view and Add Server, so they work only if activation goes on past the failure.
 */
const CLAIMED = 'apimMcp.signIn';
/** A configured server, so the Servers view has a row only its tree provider can draw (nothing is sent to it). */
const SERVER = { name: 'Still listed', url: 'https://contoso.azure-api.net/products/mcp', auth: 'subscriptionKey' };

describe('activation from the packaged .vsix: one feature that cannot register is skipped, the others work', () => {
  const suite = workbenchSuite(() => ({
    label: 'e2e-activation',
    testDriver: true,
    // The marker activates the test driver at startup, before APIM MCP; the driver then holds the command id.
    workspaceFiles: { '.apim-mcp-test-claims': `${CLAIMED}\n` },
    userSettings: { 'apimMcp.servers': [SERVER] },
    env: { APIM_MCP_TEST_CLAIM_COMMANDS: CLAIMED },
  }));

  it('logs the Entra ID commands as skipped, with VS Code\'s reason', async () => {
    const activation = await waitFor('the APIM MCP activation line', 90_000, () => suite.extensionLog().split('\n').find((l) => l.includes('server(s) configured')));
    assert.match(activation, /skipped: the Entra ID commands$/);
    assert.match(suite.extensionLog(), new RegExp(`\\[activate\\] the Entra ID commands could not start and is skipped: .*${CLAIMED.replace('.', '\\.')}`));
  });

  it('still lists the servers in the Servers view and runs Add Secured MCP Server', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    await serverRow(page, SERVER.name).waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'APIM MCP: Add Secured MCP Server');
    // The wizard's first prompt, which only a registered Add Server shows.
    const url = await quickInputFor(page, 'The MCP endpoint');
    assert.ok(await url.isVisible());
    await suite.workbench.screenshot('e2e-activation-feature-skipped');
    await page.keyboard.press('Escape');
  });
});
