// The diagnostics panel's per-client verdicts for a server that is in both .vscode/mcp.json and the root .mcp.json,
// both written by the extension's own writers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serverDescription, tempDir, writeWithExtension } from '../harness/clients';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox } from '../sandbox/index';
import { diagnosticsPanel, runCommand, serverRow } from './workbench';

describe('Diagnostics panel: which client will connect, per config source', () => {
  const suite = workbenchSuite(async ({ stopAfter }) => {
    const sandbox = stopAfter(await startSandbox('healthy-key'));
    const dir = tempDir('e2e-clients');
    try {
      const desc = serverDescription({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' });
      await writeWithExtension(join(dir.path, '.vscode', 'mcp.json'), 'workspaceMcpJson', desc);
      await writeWithExtension(join(dir.path, '.mcp.json'), 'rootDotMcpJson', desc);
      return {
        label: 'e2e-client-verdicts',
        workspaceFiles: {
          '.vscode/mcp.json': readFileSync(join(dir.path, '.vscode', 'mcp.json'), 'utf8'),
          '.mcp.json': readFileSync(join(dir.path, '.mcp.json'), 'utf8'),
        },
      };
    } finally {
      dir.remove();
    }
  });

  it('lists VS Code for mcp.json, and Claude Code, Copilot CLI, the Inspector and VS Code for .mcp.json', async () => {
    const { page } = suite;
    // Two rows are named "products" (one per file): diagnose the first, the .vscode/mcp.json one.
    await runCommand(page, 'APIM MCP: Focus on Servers View');
    const row = serverRow(page, 'products').first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await serverRow(page, 'products').count(), 2);
    await row.hover();
    await row.locator('.action-label.codicon-pulse').click();
    const frame = diagnosticsPanel(page);
    await frame.locator('section.clients').waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await frame.locator('section.clients tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.className, tr.querySelector('.verdict')!.textContent!.trim()]));
    assert.deepEqual(
      rows.map(([source, cls, text]) => [source, cls, text!.split(':')[0]]),
      [
        ['Workspace mcp.json', 'client-connects', 'VS Code'],
        ['Workspace .mcp.json', 'client-actionNeeded', 'Claude Code'],
        ['Workspace .mcp.json', 'client-actionNeeded', 'Copilot CLI'],
        ['Workspace .mcp.json', 'client-actionNeeded', 'MCP Inspector'],
        // K2: VS Code 1.139 lists the .mcp.json server too (workspace-dot-mcp) and expands no ${VAR} there.
        ['Workspace .mcp.json', 'client-fails', 'VS Code'],
      ],
      JSON.stringify(rows),
    );
    assert.match(rows[1]![2]!, /^Claude Code: will connect where APIM_MCP_KEY_PRODUCTS is set/);
    await frame.locator('section.clients').scrollIntoViewIfNeeded();
    await suite.workbench.screenshot('e2e-client-verdicts');
  });
});
