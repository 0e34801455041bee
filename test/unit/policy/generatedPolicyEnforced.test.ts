import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateMcpPolicy } from '../../../src/core/apim/policy/policyGenerator';
import { toolRolesFromPolicy } from '../../../src/core/apim/policy/toolRoles';
import { loadScenario, startSandbox, type Sandbox } from '../../sandbox/index';
import { MCP_HEADERS, raw, toolsCallBody } from '../sandbox/helpers';

/** The role map a person asks for; the sandbox's six catalogue tools. */
const ROLES: Record<string, string[]> = {
  listProducts: ['Products.Read', 'Products.Admin'],
  getProduct: [],
  searchProducts: ['Products.Read'],
  createProduct: ['Products.Write'],
  updateProduct: ['Products.Write', 'Products.Admin'],
  deleteProduct: ['Products.Admin'],
};

describe('a generated MCP authorization policy, enforced by the sandbox gateway, behaves as written', () => {
  let sandbox: Sandbox;
  let map: Record<string, string[]>;

  before(async () => {
    const generated = generateMcpPolicy({
      tenantId: '11111111-2222-3333-4444-555555555555',
      api: '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f',
      tools: Object.keys(ROLES),
      roles: ROLES,
      prmUrl: 'https://contoso.azure-api.net/products/.well-known/oauth-protected-resource',
    });
    assert.ok(generated.ok, JSON.stringify(generated));
    map = Object.fromEntries([...toolRolesFromPolicy(generated.policy)].map(([tool, { roles }]) => [tool, [...roles]]));
    const base = loadScenario('healthy-entra');
    sandbox = await startSandbox({ ...base, name: 'generated-policy', gateway: { ...base.gateway, toolRoles: { map, denyUnknown: true } } });
  });

  after(() => sandbox?.stop());

  it('reads back exactly the role map the policy was generated from', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(map).map(([tool, roles]) => [tool, [...roles].sort()])),
      Object.fromEntries(Object.entries(ROLES).map(([tool, roles]) => [tool, [...roles].sort()])),
    );
  });

  const cases: { holder: string; roles: string[]; allowed: string[] }[] = [
    { holder: 'a reader', roles: ['Products.Read'], allowed: ['listProducts', 'getProduct', 'searchProducts'] },
    { holder: 'a writer', roles: ['Products.Write'], allowed: ['getProduct', 'createProduct', 'updateProduct'] },
    { holder: 'an admin', roles: ['Products.Admin'], allowed: ['listProducts', 'getProduct', 'updateProduct', 'deleteProduct'] },
    { holder: 'a caller with a look-alike role', roles: ['Products.ReadX', 'Products.Writer'], allowed: ['getProduct'] },
    { holder: 'a caller with no roles', roles: [], allowed: ['getProduct'] },
  ];
  for (const { holder, roles, allowed } of cases) {
    it(`lets ${holder} call exactly ${allowed.join(', ')}, and no unknown tool`, async () => {
      const token = await sandbox.mintToken({ roles });
      const headers = { ...MCP_HEADERS, authorization: `Bearer ${token}` };
      for (const tool of [...Object.keys(ROLES), 'dropDatabase']) {
        const response = await raw(sandbox.endpoints.mcpUrl, { method: 'POST', headers, body: toolsCallBody(tool, {}) });
        const expected = allowed.includes(tool) ? 'passed' : 'denied';
        assert.equal(response.status === 403 ? 'denied' : 'passed', expected, `${tool} for ${holder}: ${response.status} ${response.text.slice(0, 200)}`);
      }
    });
  }
});
