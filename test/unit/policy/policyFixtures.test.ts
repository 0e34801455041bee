import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GOTCHAS_FINDINGS } from '../../fixtures/gotchasFindings';
import { applyEdits, lintPolicyFile, mayHoldPolicy, parseToolsList, readPolicy } from '../../../src/core/apim/policy/index';

const DIR = join(__dirname, '..', '..', 'fixtures', 'policies');
const read = (name: string): string => readFileSync(join(DIR, name), 'utf8');

/** rule id @ line:column (1-based) for each fixture; the vscode-tier test expects GOTCHAS_FINDINGS in the Problems panel. */
const EXPECTED: Record<string, { options?: Parameters<typeof lintPolicyFile>[2]; findings: string[] }> = {
  'gotchas.mcp.policy.xml': {
    // The tools come from gotchas.mcp.tools.json next to it, as the VS Code adapter reads them.
    options: { tools: parseToolsList(read('gotchas.mcp.tools.json')).tools },
    findings: [...GOTCHAS_FINDINGS],
  },
  'mcp-api.bicep': {
    findings: ['apim.policy.unguardedClaimIndex@30:100', 'apim.policy.bodyWithoutPreserveContent@57:106', 'apim.policy.singleIssuer@57:272'],
  },
  // The samples' GUID-only audience with the app pinned to v2 tokens: no audienceForms (issue 19, class 1).
  'mcp-prm-oauth.mcp-api.policy.xml': { findings: [] },
  'mcp-prm.policy.xml': { findings: [] },
  'prm-behind-base.policy.xml': { findings: ['apim.policy.prmBehindTokenValidation@4:9', 'apim.policy.prmResourceMismatch@10:36'] },
  // Nothing in the content says MCP (its name does, which no longer counts), and its decrypt is inside try/catch.
  'remote-mcp-functions.mcp-api.policy.xml': { findings: [] },
  'session-rate-limit.mcp.policy.xml': { findings: [] },
};

describe('policy fixtures', () => {
  it('has an expectation for every fixture', () => {
    assert.deepEqual(readdirSync(DIR).filter((f) => !f.endsWith('.tools.json')).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected.findings.length} finding(s) at exact positions`, () => {
      const text = read(name);
      const fileName = `policies/${name}`;
      assert.ok(mayHoldPolicy(fileName, text));
      const findings = lintPolicyFile(fileName, text, expected.options);
      assert.deepEqual(
        findings.map((f) => `${f.ruleId}@${f.range.startPos.line + 1}:${f.range.startPos.column + 1}`),
        expected.findings,
      );
      if (!name.endsWith('.bicep')) assert.deepEqual(readPolicy(text).problems, []);
    });
  }

  it('every fix in every fixture applies and clears its own finding', () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const text = read(name);
      const findings = lintPolicyFile(`policies/${name}`, text, expected.options);
      for (const finding of findings) {
        for (const fix of finding.fixes) {
          const after = applyEdits(text, fix.edits);
          const count = (t: string): number =>
            lintPolicyFile(`policies/${name}`, t, expected.options).filter((f) => f.ruleId === finding.ruleId).length;
          assert.equal(count(after), count(text) - 1, `${name}: "${fix.title}" did not clear ${finding.ruleId}`);
        }
      }
    }
  });

  it('writes Bicep fixes in Bicep string syntax', () => {
    const text = read('mcp-api.bicep');
    const body = lintPolicyFile('mcp-api.bicep', text).find((f) => f.ruleId === 'apim.policy.bodyWithoutPreserveContent')!;
    const after = applyEdits(text, body.fixes[0]!.edits);
    assert.ok(after.includes("Body.As<JObject>(preserveContent: true)[\\'method\\']"));
    const issuer = lintPolicyFile('mcp-api.bicep', text).find((f) => f.ruleId === 'apim.policy.singleIssuer')!;
    assert.ok(applyEdits(text, issuer.fixes[0]!.edits).includes('</issuer>\\n<issuer>https://login.microsoftonline.com/${tenant().tenantId}/v2.0</issuer>'));
  });

  // Discovery is by content (issue 19, class 6): the root element decides, whatever the name or extension.
  const FILES: [string, string, boolean][] = [
    ['infra/orders-api-policy.xml', '<policies><inbound /></policies>', true],
    ['policy/x.xml.tpl', '<!-- header -->\n%{ if x ~}\n<policies />', true],
    ['examples/x.tftpl.xml', '<?xml version="1.0"?>\n<fragment><base /></fragment>', true],
    ['settings.xml', '<?xml version="1.0"?><settings><policies /></settings>', false],
    ['README.md', '# Policy\n```xml\n<policies />\n```', false],
    ['a/b/main.bicep', "value: '<policies />'", true],
    ['azuredeploy.json', '{ "value": "<policies />" }', true],
    ['apim.tf', 'xml_content = <<XML\n<policies />\nXML', true],
    ['appsettings.json', '{ "a": "b" }', false],
  ];
  for (const [fileName, text, expected] of FILES) {
    it(`${expected ? 'lints' : 'ignores'} ${fileName}`, () => assert.equal(mayHoldPolicy(fileName, text), expected));
  }
});
