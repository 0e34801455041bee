import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { SCENARIOS_DIR, startSandbox } from '../../sandbox/index';
import { diagnose, renderMarkdownReport } from '../../../src/core/diagnosis';
import { inputFor, sandboxFetch } from './sandboxClient';

const scenarios = readdirSync(SCENARIOS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

test('the sandbox ships scenarios to diagnose', () => {
  assert.ok(scenarios.length >= 15, `only ${scenarios.length} scenarios found in ${SCENARIOS_DIR}`);
});

for (const name of scenarios) {
  test(`scenario ${name}: exactly the expected error findings, evidence from what was observed, no secret in the output`, async () => {
    const sb = await startSandbox(name);
    const net = sandboxFetch(sb);
    try {
      const input = await inputFor(sb);
      const diagnosis = await diagnose(input, { fetch: net.fetch, timeoutMs: 5000 });
      const errors = diagnosis.findings.filter((f) => f.severity === 'error').map((f) => f.id).sort();
      assert.deepEqual(errors, [...sb.scenario.expect.findings].sort(), JSON.stringify(diagnosis.findings, null, 1));
      const others = new Set(diagnosis.findings.filter((f) => f.severity !== 'error').map((f) => f.id));
      for (const id of sb.scenario.expect.infoFindings) assert.ok(others.has(id), `${name}: no ${id} finding in ${JSON.stringify(diagnosis.findings.map((f) => f.id))}`);
      const observedStatuses = new Set(sb.requests().map((r) => r.status));
      for (const f of diagnosis.findings.filter((x) => x.severity === 'error')) {
        assert.ok(f.evidence.length > 0, `${f.id} has no evidence`);
        assert.ok(f.fix.summary.length > 20, `${f.id} has no real fix`);
        const quotedStatus = f.evidence.join('\n').match(/HTTP (\d{3})/g)?.map((m) => Number(m.slice(5))) ?? [];
        for (const status of quotedStatus.filter((s) => s !== 200 && s !== 302)) {
          assert.ok(observedStatuses.has(status) || f.id.startsWith('entra.'), `${f.id} quotes HTTP ${status}, which the gateway never sent`);
        }
      }
      const everything = JSON.stringify(diagnosis) + renderMarkdownReport(diagnosis);
      for (const secret of [input.subscriptionKey?.reveal(), input.accessToken?.reveal()].filter((s): s is string => Boolean(s))) {
        assert.ok(!everything.includes(secret), `a secret leaked into the diagnosis of ${name}`);
      }
    } finally {
      net.close();
      await sb.stop();
    }
  });
}
