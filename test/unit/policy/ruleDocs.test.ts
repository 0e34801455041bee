import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorLine } from '../../../src/core/docs/anchorLine';
import { MALFORMED_RULE_ID, POLICY_RULES } from '../../../src/core/apim/policy/index';

const ROOT = join(__dirname, '..', '..', '..');
const SHIPPED_DOCS = ['docs/policy-rules.md', 'docs/findings.md', 'README.md'];

test('18.8 every policy rule id links to its own heading in the shipped docs', () => {
  const docs = readFileSync(join(ROOT, 'docs', 'policy-rules.md'), 'utf8');
  const lines = docs.split('\n');
  for (const id of [...POLICY_RULES.map((r) => r.id), MALFORMED_RULE_ID]) {
    const line = anchorLine(docs, id);
    assert.ok(line, `${id} has no anchor in docs/policy-rules.md`);
    assert.equal(lines[line - 1], `### \`${id}\``, id);
  }
  assert.equal(anchorLine(docs, 'apim.policy.noSuchRule'), undefined);
  assert.equal(anchorLine('# T\n\n### `x.y`\ntext', 'x.y'), 3, 'a heading without an <a id> is found by its text');
});

test('18.8 the shipped docs cite no internal file (research notes, the sandbox fidelity table)', () => {
  for (const file of SHIPPED_DOCS) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    assert.doesNotMatch(text, /research\/|shared\/|FIDELITY\.md|real-behaviour\.md/, file);
  }
});
