import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

test('every finding id the engine can emit is documented in docs/findings.md', () => {
  const ruleFiles = readdirSync(join(root, 'src/core/diagnosis/rules')).map((f) => `src/core/diagnosis/rules/${f}`);
  const sources = [...ruleFiles, 'src/core/entra/aadstsCatalogue.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  const ids = [...new Set([...sources.matchAll(/'((?:net|mcp|apim|entra|probe)\.[a-zA-Z]+(?:\.[a-zA-Z]+)?)'/g)].map((m) => m[1]!))];
  assert.ok(ids.length > 40, `only ${ids.length} ids found`);
  const doc = readFileSync(join(root, 'docs/findings.md'), 'utf8');
  const undocumented = ids.filter((id) => !doc.includes(`\`${id}\``));
  assert.deepEqual(undocumented, []);
});
