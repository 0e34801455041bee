import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportFileName } from '../../../src/core/diagnosis/reportFileName';

const CASES: readonly [string, string][] = [
  ['Products (sandbox)', 'apim-mcp-diagnosis-products-sandbox.md'],
  ['contoso-products', 'apim-mcp-diagnosis-contoso-products.md'],
  ['  HR / Payroll — prod  ', 'apim-mcp-diagnosis-hr-payroll-prod.md'],
  ['Café API v2.1', 'apim-mcp-diagnosis-cafe-api-v2-1.md'],
  ['(((', 'apim-mcp-diagnosis-server.md'],
  ['日本語', 'apim-mcp-diagnosis-server.md'],
  [`${'a'.repeat(59)} b`, `apim-mcp-diagnosis-${'a'.repeat(59)}.md`],
];

for (const [name, expected] of CASES) {
  test(`report file name for ${JSON.stringify(name)}: ${expected}`, () => {
    const fileName = reportFileName(name);
    assert.equal(fileName, expected);
    assert.doesNotMatch(fileName, /-\.md$|--|^-/);
  });
}
