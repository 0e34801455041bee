import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksReadOnly, preferredReadOnlyTool, type ToolSummary } from '../../../src/core/probe/mcpSession';

test('15.c a tool looks read-only when annotated so, or, unannotated, named like a read; destructive ones never', () => {
  const cases: [ToolSummary, boolean][] = [
    [{ name: 'listProducts' }, true],
    [{ name: 'get_item' }, true],
    [{ name: 'Search' }, true],
    [{ name: 'search-docs' }, true],
    [{ name: 'getaway' }, false],
    [{ name: 'deleteProduct' }, false],
    [{ name: 'createProduct' }, false],
    [{ name: 'doSomething', readOnlyHint: true }, true],
    [{ name: 'listProducts', readOnlyHint: false }, false],
    [{ name: 'listAndPurge', destructiveHint: true }, false],
    [{ name: 'fetchAll', readOnlyHint: true, destructiveHint: true }, false],
  ];
  for (const [tool, expected] of cases) assert.equal(looksReadOnly(tool), expected, JSON.stringify(tool));
});

test('15.c the tool to call: annotated before name-guessed, one without required arguments first', () => {
  const tools: ToolSummary[] = [
    { name: 'deleteProduct', destructiveHint: true },
    { name: 'getProduct', requiredArguments: 1 },
    { name: 'listProducts', requiredArguments: 0 },
    { name: 'lookupPrice', readOnlyHint: true, requiredArguments: 1 },
  ];
  assert.equal(preferredReadOnlyTool(tools)?.name, 'lookupPrice');
  assert.equal(preferredReadOnlyTool(tools.filter((t) => t.name !== 'lookupPrice'))?.name, 'listProducts');
  assert.equal(preferredReadOnlyTool([{ name: 'deleteProduct' }, { name: 'createProduct' }]), undefined);
});
