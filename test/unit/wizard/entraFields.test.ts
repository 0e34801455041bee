import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIdProblem, normaliseScopes, scopesProblem, serverNameProblem, tenantProblem } from '../../../src/vscode/wizard/entraFields';

describe('wizard Entra fields', () => {
  const scopeCases: [string, string[]][] = [
    ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/user_impersonation', ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/user_impersonation']],
    ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/.default']],
    ['api://contoso-products/', ['api://contoso-products/.default']],
    ['6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', ['6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/.default']],
    ['https://contoso.azure-api.net/products/mcp/user_impersonate  api://x/a', ['https://contoso.azure-api.net/products/mcp/user_impersonate', 'api://x/a']],
    ['', []],
  ];
  for (const [input, expected] of scopeCases) it(`scopes ${JSON.stringify(input)}`, () => assert.deepEqual(normaliseScopes(input), expected));

  it('checks tenant, scope, client id and name', () => {
    assert.equal(tenantProblem('11111111-2222-3333-4444-555555555555'), undefined);
    assert.equal(tenantProblem('contoso.onmicrosoft.com'), undefined);
    assert.equal(tenantProblem('organizations'), undefined);
    assert.ok(tenantProblem('not a tenant'));
    assert.ok(tenantProblem(''));
    assert.ok(scopesProblem('  '));
    assert.equal(clientIdProblem(''), undefined);
    assert.ok(clientIdProblem('my-client'));
    assert.equal(serverNameProblem('Products (prod)'), undefined);
    assert.ok(serverNameProblem('a/b'));
    assert.ok(serverNameProblem(' '));
  });
});
