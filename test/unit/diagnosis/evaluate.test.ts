import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armErrorFinding } from '../../../src/core/azure/armFindings';
import type { Finding } from '../../../src/core/diagnosis/finding';
import { evaluate } from '../../../src/core/diagnosis/rules';
import { AADSTS_CATALOGUE } from '../../../src/core/entra/aadstsCatalogue';
import { ARM_CASES, FINDING_CASES, type FindingCase } from './cases';
import { aadstsPreflight, BEARER_CHALLENGE, healthyPrm, observations } from './observationBuilders';

function assertSays(finding: Finding | undefined, c: Pick<FindingCase, 'id' | 'severity' | 'evidence' | 'says'>, all: readonly Finding[]): void {
  assert.ok(finding, `${c.id} was not reported; got ${all.map((f) => f.id).join(', ') || 'nothing'}`);
  assert.equal(finding.severity, c.severity);
  assert.ok(finding.title.length > 10 && finding.fix.summary.length > 20, `${c.id} has no real title or fix`);
  for (const pattern of c.evidence) {
    assert.ok(finding.evidence.some((line) => pattern.test(line)), `${c.id}: no evidence line matches ${pattern}:\n${finding.evidence.join('\n')}`);
  }
  if (c.says) assert.match(`${finding.title}\n${finding.fix.summary}`, c.says);
}

for (const c of FINDING_CASES) {
  test(`evaluate: ${c.id} — ${c.name}`, () => {
    const findings = evaluate(observations(c.setup));
    assertSays(findings.find((f) => f.id === c.id), c, findings);
    for (const other of c.not ?? []) assert.ok(!findings.some((f) => f.id === other), `${other} was reported too`);
  });
}

// Every catalogued AADSTS code, by number: the preflight family reports the catalogue's finding with its meaning.
for (const entry of AADSTS_CATALOGUE) {
  test(`evaluate: AADSTS${entry.code} at the authorize preflight → ${entry.findingId}`, () => {
    const bearer401 = { status: 401, headers: { 'www-authenticate': BEARER_CHALLENGE } };
    const findings = evaluate(observations({ unauth: bearer401, prm: healthyPrm(), preflights: [aadstsPreflight(entry.code)] }));
    const evidence = [new RegExp(`^AADSTS${entry.code}\\b`), /→ HTTP 200 error page$/, /^meaning here: /, /^Correlation ID: /];
    const expected = { id: entry.findingId, severity: 'error' as const, evidence, says: new RegExp(`AADSTS${entry.code}`) };
    assertSays(findings.find((f) => f.id === entry.findingId), expected, findings);
  });
}

for (const c of ARM_CASES) {
  test(`armErrorFinding: ${c.id} — ${c.name}`, () => {
    const finding = armErrorFinding(c.error);
    assertSays(finding.id === c.id ? finding : undefined, c, [finding]);
  });
}
