/**
 * test/sandbox/FIDELITY.md, the ledger of what the sandbox emulates: every row names a public source or says
 * *unverified*, carries the date it was checked, and the counts at the top are the counts of the rows below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LEDGER = join(__dirname, '..', '..', 'sandbox', 'FIDELITY.md');

interface Row {
  readonly id: string;
  readonly cells: readonly string[];
}

/** The body rows of every table: `| id | … |` lines that are neither a header nor a separator. */
function rows(text: string): Row[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !/^\|\s*(#|---)/.test(line))
    .map((line) => {
      const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
      return { id: cells[0]!, cells };
    });
}

/** Ledger rows a source cites (`row V2`, `rows C1, C13 and C18`): a row derived from other rows inherits their sources. */
function citedRows(source: string): string[] {
  return [...source.matchAll(/\brows? ([A-Z]\d+(?:(?:, | and )[A-Z]\d+)*)/g)].flatMap((m) => m[1]!.split(/, | and /));
}

/** The short source names the ledger defines (`- **name**: …`), usable in the source column. */
function shortNames(text: string): string[] {
  return [...text.matchAll(/^- \*\*([^*]+)\*\*:/gm)].map((m) => m[1]!);
}

test('every ledger row names its public source or is marked unverified, with the date checked', () => {
  const text = readFileSync(LEDGER, 'utf8');
  const table = rows(text);
  const names = shortNames(text);
  assert.ok(table.length >= 40, `only ${table.length} rows`);
  assert.equal(new Set(table.map((r) => r.id)).size, table.length, 'row ids repeat');
  const unverified = new Set(table.filter((r) => r.cells[3]?.startsWith('*unverified*')).map((r) => r.id));
  const ids = new Set(table.map((r) => r.id));
  for (const { id, cells } of table) {
    assert.equal(cells.length, 6, `${id}: expected 6 columns (# | behaviour | sandbox | source | checked | held by), got ${cells.length}`);
    const [, behaviour, , source, checked, heldBy] = cells as [string, string, string, string, string, string];
    assert.ok(behaviour.length > 10, `${id}: no behaviour`);
    assert.match(checked, /^\d{4}-\d{2}-\d{2}$/, `${id}: checked must be a date`);
    // An unverified row may have nothing to hold it to (a behaviour noted but not modelled); a sourced one may not.
    if (source.startsWith('*unverified*')) continue;
    assert.ok(heldBy.length > 3, `${id}: no test holds the sandbox to it`);
    const rowsCited = citedRows(source);
    for (const cited of rowsCited) {
      assert.ok(ids.has(cited), `${id}: cites row ${cited}, which the ledger does not have`);
      assert.ok(!unverified.has(cited), `${id}: cites row ${cited}, which is unverified; mark ${id} unverified too`);
    }
    const cites = /https?:\/\/|@[0-9a-f]{7}/.test(source) || names.some((n) => source.includes(n)) || rowsCited.length > 0;
    assert.ok(cites, `${id}: the source names no URL, repository commit, defined short name or sourced ledger row: ${source}`);
  }
});

test('the counts at the top of the ledger are the counts of its rows', () => {
  const text = readFileSync(LEDGER, 'utf8');
  const table = rows(text);
  const unverified = table.filter((r) => r.cells[3]!.startsWith('*unverified*')).length;
  const stated = /\*\*Rows: (\d+) · sourced: (\d+) · unverified: (\d+)\*\*/.exec(text);
  assert.ok(stated, 'the ledger has no "**Rows: N · sourced: S · unverified: U**" line');
  assert.deepEqual(stated.slice(1).map(Number), [table.length, table.length - unverified, unverified]);
});
