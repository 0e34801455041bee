/**
 * docs/findings.md is the contract for finding ids. These tests tie it to the code both ways: every id a source
 * can emit is documented, every documented id comes from a source, and every documented id has a case in the table
 * test (evaluate.test.ts), so a new id cannot land untested or undocumented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AADSTS_CATALOGUE } from '../../../src/core/entra/aadstsCatalogue';
import { ARM_CASES, FINDING_CASES } from './cases';

const root = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const RULES_DIR = 'src/core/diagnosis/rules';
const ruleFiles = readdirSync(join(root, RULES_DIR)).map((f) => `${RULES_DIR}/${f}`);

/** Id literals in source files, e.g. `'net.dns'` or `'azure.arm.empty'` (a prefix such as `'apim.key.'` is not an id). */
function literalIds(files: readonly string[], prefixes: string): string[] {
  const pattern = new RegExp(`'((?:${prefixes})\\.[a-zA-Z]+(?:\\.[a-zA-Z]+)?)'`, 'g');
  return [...new Set(files.flatMap((f) => [...read(f).matchAll(pattern)].map((m) => m[1]!)))];
}

/** Where finding ids come from: each source and the ids it can emit. */
const EMITTERS: Readonly<Record<string, readonly string[]>> = {
  [`${RULES_DIR}/*.ts: evaluate(), the diagnosis rules`]: literalIds(ruleFiles, 'net|mcp|apim|entra|probe'),
  'src/core/entra/aadstsCatalogue.ts: AADSTS code → finding, for the preflight family and `apim-mcp explain`': AADSTS_CATALOGUE.map((e) => e.findingId),
  'src/core/azure/armFindings.ts: armErrorFinding(), Add from Azure': literalIds(['src/core/azure/armFindings.ts'], 'azure\\.arm'),
  'src/vscode/azure/addFromAzure.ts: empty lists in the interactive Add from Azure': literalIds(['src/vscode/azure/addFromAzure.ts'], 'azure\\.arm'),
};

/**
 * Ids that nothing but a VS Code adapter emits cannot have a unit case (the unit tier cannot load `vscode`): the real
 * VS Code tier tests them instead, and a test file there names the id it checks (e.g. fromAzure.test.ts, `azure.arm.empty`).
 */
const VSCODE_TIER_TESTS = readdirSync(join(root, 'test/vscode')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/vscode/${f}`);

/** The ids in the first column of the tables of docs/findings.md. */
function documentedIds(): string[] {
  return [...new Set([...read('docs/findings.md').matchAll(/^\| `([a-z][a-zA-Z.]+)` \|/gm)].map((m) => m[1]!))];
}

const emittedIds = (): string[] => [...new Set(Object.values(EMITTERS).flat())];
const emittersOf = (id: string): string[] => Object.keys(EMITTERS).filter((source) => EMITTERS[source]!.includes(id));

test('every finding id the engine can emit is documented in docs/findings.md', () => {
  const sources = [...ruleFiles, 'src/core/entra/aadstsCatalogue.ts'].map(read).join('\n');
  const ids = [...new Set([...sources.matchAll(/'((?:net|mcp|apim|entra|probe)\.[a-zA-Z]+(?:\.[a-zA-Z]+)?)'/g)].map((m) => m[1]!))];
  assert.ok(ids.length > 40, `only ${ids.length} ids found`);
  const doc = read('docs/findings.md');
  const undocumented = ids.filter((id) => !doc.includes(`\`${id}\``));
  assert.deepEqual(undocumented, []);
});

test('every id any source can emit has a row in a table of docs/findings.md', () => {
  const documented = new Set(documentedIds());
  const undocumented = Object.entries(EMITTERS).flatMap(([source, ids]) => ids.filter((id) => !documented.has(id)).map((id) => `${id} (from ${source})`));
  assert.deepEqual(undocumented, []);
});

test('every id documented in docs/findings.md is emitted by a known source', () => {
  const emitted = new Set(emittedIds());
  assert.ok(emitted.size > 60, `only ${emitted.size} emitted ids found: the source list or the id pattern is stale`);
  assert.deepEqual(documentedIds().filter((id) => !emitted.has(id)), []);
});

test('every id documented in docs/findings.md has a case in the table test', () => {
  const adapterOnly = (id: string) => emittersOf(id).every((source) => source.startsWith('src/vscode/'));
  const inVsCodeTier = literalIds(VSCODE_TIER_TESTS, 'net|mcp|apim|entra|probe|azure\\.arm').filter(adapterOnly);
  const tested = new Set([...FINDING_CASES.map((c) => c.id), ...AADSTS_CATALOGUE.map((e) => e.findingId), ...ARM_CASES.map((c) => c.id), ...inVsCodeTier]);
  const untested = documentedIds().filter((id) => !tested.has(id));
  assert.deepEqual(untested, [], 'an id without a case: add one to test/unit/diagnosis/cases/ (or, emitted only by a VS Code adapter, a test in test/vscode/ that names it)');
});

test('every rule id has a hand-written case, not only a generated AADSTS one', () => {
  const handWritten = new Set(FINDING_CASES.map((c) => c.id));
  const ruleIds = EMITTERS[`${RULES_DIR}/*.ts: evaluate(), the diagnosis rules`]!;
  assert.deepEqual(ruleIds.filter((id) => !handWritten.has(id)), []);
});
