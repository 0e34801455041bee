import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, lintPolicyText, MALFORMED_RULE_ID, POLICY_RULES } from '../../../src/core/apim/policy/index';
import { CASES as EARLIER_CASES, MCP, PRM_BODY } from './ruleCases';
import { REAL_WORLD_CASES } from './ruleCasesReal';

const CASES = [...EARLIER_CASES, ...REAL_WORLD_CASES];

describe('policy rules: each fires on its gotcha and stays quiet on the fix', () => {
  for (const [index, c] of CASES.entries()) {
    const options = c.options ?? MCP;
    it(`${c.rule} #${index}: fires`, () => {
      const findings = lintPolicyText(c.fires, options);
      const hits = findings.filter((f) => f.ruleId === c.rule);
      assert.ok(hits.length > 0, `expected ${c.rule}, got ${JSON.stringify(findings.map((f) => f.ruleId))}`);
      for (const hit of hits) {
        assert.ok(hit.message.length > 20);
        assert.equal(hit.docsAnchor, c.rule);
        assert.ok(hit.range.end > hit.range.start, 'empty range');
      }
      if (c.fixed !== undefined) {
        const fix = hits[0]!.fixes[0];
        assert.ok(fix, `${c.rule} offers no fix`);
        const after = applyEdits(c.fires, fix.edits);
        assert.ok(after.includes(c.fixed), `fixed text lacks ${JSON.stringify(c.fixed)}:\n${after}`);
        const remaining = lintPolicyText(after, options).filter((f) => f.ruleId === c.rule);
        assert.equal(remaining.length, hits.length - 1, `the fix did not clear the finding: ${JSON.stringify(remaining.map((f) => f.message))}`);
      }
    });
    it(`${c.rule} #${index}: stays quiet`, () => {
      const findings = lintPolicyText(c.quiet, options).filter((f) => !(c.quietAlso ?? []).includes(f.ruleId));
      assert.deepEqual(findings.map((f) => `${f.ruleId}: ${f.message}`), []);
    });
  }

  it('has a firing and a quiet case for every rule', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    assert.deepEqual(POLICY_RULES.map((r) => r.id).filter((id) => !covered.has(id)), []);
  });

  it('uses stable, unique, documented ids', () => {
    const ids = POLICY_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^apim\.policy\.[a-z][A-Za-z]+$/);
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'policy-rules.md'), 'utf8');
    for (const id of [...ids, MALFORMED_RULE_ID]) {
      assert.ok(docs.includes(`<a id="${id}"></a>`), `docs/policy-rules.md has no section for ${id}`);
      assert.ok(docs.includes(`| [\`${id}\`](#${id}) |`), `docs/policy-rules.md has no table row for ${id}`);
    }
    assert.doesNotMatch(docs, /research\/|apim-entra-diagnostics/, 'shipped docs cite public sources only');
  });
});

describe('policy scope: from the content, never from the file, folder or repository name', () => {
  const SCOPES: { fileName: string; text: string; expected: string }[] = [
    { fileName: 'infra/mcp-api.policy.xml', text: '<policies />', expected: 'other' },
    { fileName: 'remote-mcp-apim/apim-mcp/policy.xml', text: '<policies />', expected: 'other' },
    { fileName: 'mcp-prm.policy.xml', text: '<policies />', expected: 'other' },
    { fileName: 'api/policy.xml', text: '<policies><inbound><when condition="@(m == &quot;tools/call&quot;)" /></inbound></policies>', expected: 'mcp' },
    { fileName: 'api/policy.xml', text: '<!-- add resource_metadata later --><policies><inbound /></policies>', expected: 'other' },
    { fileName: 'x.policy.xml', text: `<policies><inbound>${PRM_BODY('https://a/mcp')}</inbound></policies>`, expected: 'prm' },
    {
      fileName: 'x.xml',
      text: '<policies><inbound><return-response><set-body>@(JsonConvert.SerializeObject(new { resource = "https://a/mcp", authorization_servers = new[] { "x" } }))</set-body></return-response></inbound></policies>',
      expected: 'prm',
    },
    { fileName: 'x.policy.xml', text: '<!-- apim-mcp: scope=mcp --><policies />', expected: 'mcp' },
  ];
  for (const s of SCOPES) {
    it(`reads ${s.fileName} (${s.text.slice(0, 40)}…) as ${s.expected}`, () => {
      const findings = lintPolicyText(`${s.text}`, { fileName: s.fileName });
      const scope = findings[0]?.scope ?? lintPolicyText(`${s.text}<!-- -->`, { fileName: s.fileName, tools: ['zz'] })[0]?.scope;
      assert.equal(scope ?? 'other', s.expected);
    });
  }
});
