import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, lintPolicyFile, policySegmentsOf, readPolicy } from '../../../src/core/apim/policy/index';

const POLICY = '<policies>\n  <inbound>\n    <set-variable name="b" value="@(context.Request.Body.As<JObject>())" />\n  </inbound>\n</policies>';
const RULE = 'apim.policy.bodyWithoutPreserveContent';

describe('policies held in other files (issue 19, class 6)', () => {
  it('ARM JSON: finds the policy in a string value, points into the JSON line, and fixes in JSON string syntax', () => {
    const json = JSON.stringify({ resources: [{ properties: { format: 'rawxml', value: POLICY.replace(/\n/g, '\r\n') } }] }, null, 2);
    const finding = lintPolicyFile('azuredeploy.json', json).find((f) => f.ruleId === RULE)!;
    assert.ok(finding, 'the policy string was read');
    assert.equal(json.slice(finding.range.start, finding.range.end), 'As<JObject>()');
    const fixed = applyEdits(json, finding.fixes[0]!.edits);
    const value = (JSON.parse(fixed) as { resources: { properties: { value: string } }[] }).resources[0]!.properties.value;
    assert.ok(value.includes('As<JObject>(preserveContent: true)'), value);
    assert.equal(lintPolicyFile('azuredeploy.json', fixed).filter((f) => f.ruleId === RULE).length, 0);
  });

  it('ARM JSON: strings that only mention <policies> are not policies', () => {
    assert.deepEqual(policySegmentsOf('x.json', JSON.stringify({ note: 'the <policies> element goes in infra/' })), []);
  });

  it('Terraform: heredocs and quoted strings, with ${…} kept as written', () => {
    const heredoc = `resource "x" "y" {\n  xml_content = <<XML\n${POLICY.replace('<inbound>', '<inbound>\n    <set-header name="x-env" exists-action="override"><value>\${var.env}</value></set-header>')}\nXML\n}\n`;
    const inHeredoc = lintPolicyFile('apim.tf', heredoc).find((f) => f.ruleId === RULE)!;
    assert.equal(heredoc.slice(inHeredoc.range.start, inHeredoc.range.end), 'As<JObject>()');
    const quoted = `resource "x" "y" {\n  xml_content = "${POLICY.replace(/"/g, '\\"').replace(/\n/g, '\\n').replace('<inbound>', '<inbound><set-header name=\\"x\\" exists-action=\\"${var.a == "b" ? "override" : "skip"}\\" />')}"\n}\n`;
    const segments = policySegmentsOf('apim.tf', quoted)!;
    assert.equal(segments.length, 1);
    assert.deepEqual(readPolicy(segments[0]!.text).problems, [], 'quotes inside ${…} do not end the string or the attribute');
    const inQuoted = lintPolicyFile('apim.tf', quoted).find((f) => f.ruleId === RULE)!;
    assert.equal(quoted.slice(inQuoted.range.start, inQuoted.range.end), 'As<JObject>()');
    assert.ok(applyEdits(quoted, inQuoted.fixes[0]!.edits).includes('As<JObject>(preserveContent: true)'));
  });
});

describe('placeholders are values (issue 19, class 6)', () => {
  it('reads ${…} with quotes inside attribute values, {{${x}}} and %{ for } without problems', () => {
    const text = '%{ if enabled ~}\n<policies><inbound><set-header name="a" exists-action="${var.x == "y" ? "override" : "skip"}"><value>{{${nv}}}</value></set-header>\n%{ for o in origins ~}<origin>${o}</origin>%{ endfor ~}\n</inbound></policies>\n%{ endif ~}';
    assert.deepEqual(readPolicy(text).problems, []);
    assert.deepEqual(lintPolicyFile('policy.xml.tpl', text).map((f) => f.ruleId), []);
  });
});
