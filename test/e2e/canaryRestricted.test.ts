import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { filesHolding, recentFilesUnder, startOtherOrigin } from './canaryServers';
import { clickServerAction, diagnosticsPanel, filesUnder, runCommand } from './workbench';

/**
 * The secret canary suite, Restricted Mode part (issue 16, item 1): a folder nobody trusted defines servers whose key
 * headers are `${SOME_VAR}` references, one to a variable that is not ours and one to an APIM_MCP_KEY_* variable, both
 * set in the extension host. Diagnose runs for each; afterwards neither value is in any request, file, log or DOM.
 */
const canary = (label: string) => `canary${label}${randomBytes(12).toString('hex')}`;
const FOREIGN_VALUE = canary('Foreign');
const OWN_VALUE = canary('Own');
const FOREIGN_VAR = 'CANARY_SOME_VAR';
const OWN_VAR = 'APIM_MCP_KEY_CANARY_OWN';
const SERVERS = { 'Canary some var': FOREIGN_VAR, 'Canary own var': OWN_VAR };

describe('secret canaries in Restricted Mode: ${SOME_VAR} headers of an untrusted folder send and keep nothing', () => {
  let gateway: Awaited<ReturnType<typeof startOtherOrigin>>;
  const domSnapshots: string[] = [];
  const startedAt = Date.now() - 1000;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    gateway = stopAfter(await startOtherOrigin());
    const keyed = (variable: string) => ({ type: 'http', url: `${gateway.origin}/products/mcp`, headers: { 'Ocp-Apim-Subscription-Key': `\${${variable}}` } });
    return {
      label: 'e2e-canary-restricted',
      restrictedMode: true,
      workspaceFiles: { '.mcp.json': JSON.stringify({ mcpServers: Object.fromEntries(Object.entries(SERVERS).map(([name, variable]) => [name, keyed(variable)])) }) },
      env: { [FOREIGN_VAR]: FOREIGN_VALUE, [OWN_VAR]: OWN_VALUE },
    };
  });

  it('Diagnose of each folder server runs without credentials and says why', async () => {
    const { page } = suite;
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const notes: string[] = [];
    // Every server is diagnosed before the notes are judged, so the canary check below sees what each run sent.
    for (const name of Object.keys(SERVERS)) {
      await runCommand(page, 'View: Close All Editors');
      await clickServerAction(page, name, 'pulse');
      const frame = diagnosticsPanel(page);
      await frame.locator('header.server h1', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
      await frame.locator('section.notes').waitFor({ state: 'visible', timeout: 60_000 });
      notes.push(await frame.locator('section.notes').innerText());
      for (const frameOfPage of page.frames()) domSnapshots.push(await frameOfPage.content().catch(() => ''));
    }
    await waitFor('the diagnoses to reach the gateway', 10_000, () => (gateway.received.length > 0 ? true : undefined));
    for (const text of notes) assert.match(text, /This folder is not trusted \(Restricted Mode\)/);
  });

  it('no canary in any request, file, log or DOM', () => {
    const values = [FOREIGN_VALUE, OWN_VALUE];
    const requests = gateway.received.map((r) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
    assert.ok(requests.length > 0 && !gateway.received.some((r) => r.headers['ocp-apim-subscription-key'] !== undefined), 'a key header was sent');
    const logs = filesUnder(join(suite.server.userDataDir, 'logs'));
    assert.ok(logs.some((f) => /APIM MCP/.test(f) && readFileSync(f, 'utf8').includes('workspace trusted: false')), 'the extension did not start in Restricted Mode');
    const files = [...filesUnder(suite.server.root), ...recentFilesUnder(tmpdir(), startedAt, (p) => p === suite.server.root || /node_modules|apim-mcp-tools/.test(p))];
    const hits = filesHolding(files, values);
    const texts: [string, string][] = [['requests at the gateway', requests], ['code-server output', suite.server.logs()], ...domSnapshots.map((d, i): [string, string] => [`DOM snapshot ${i + 1}`, d])];
    for (const [name, text] of texts) for (const v of values) if (text.includes(v)) hits.push(`${name} (${v.slice(0, 8)}…)`);
    console.log(`canary (Restricted Mode): ${values.length} values; ${files.length} files, ${texts.length} texts; ${gateway.received.length} requests at the gateway`);
    assert.deepEqual(hits, []);
  });
});
