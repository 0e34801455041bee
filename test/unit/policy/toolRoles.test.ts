import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { toolRoleRecord, toolRolesFromPolicy } from '../../../src/core/apim/policy/toolRoles';

const GOTCHAS = readFileSync(join(__dirname, '..', '..', 'fixtures', 'policies', 'gotchas.mcp.policy.xml'), 'utf8');

// Issue 19, class 9: real policies write <when condition="…"> with raw quotes, which APIM accepts.
it('reads tool → role from a <when condition> written with raw quotes (gotchas.mcp.policy.xml)', () => {
  const map = toolRolesFromPolicy(GOTCHAS);
  assert.deepEqual([...map.entries()].map(([tool, { roles, line }]) => [tool, [...roles], line + 1]), [['deleteProduct', ['Products.Admin'], 19]]);
  assert.deepEqual(toolRoleRecord(map), { deleteProduct: 'Products.Admin' });
});

it('reads the same condition written with &quot; and &amp;&amp;', () => {
  const escaped = GOTCHAS.split('\n')
    .map((line) => (line.includes('<when condition=') ? line.replace(/condition="(.*)">/, (_, c: string) => `condition="${c.replace(/"/g, '&quot;').replace(/&&/g, '&amp;&amp;')}">`) : line))
    .join('\n');
  assert.notEqual(escaped, GOTCHAS);
  assert.deepEqual(toolRoleRecord(toolRolesFromPolicy(escaped)), { deleteProduct: 'Products.Admin' });
});

it('finds nothing in a condition that names no tool', () => {
  assert.equal(toolRolesFromPolicy('<policies><inbound><choose><when condition="@(context.Request.Method == "GET")" /></choose></inbound></policies>').size, 0);
});
