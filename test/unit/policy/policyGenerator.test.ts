import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateMcpPolicy, lintPolicyText, parseToolsList, readPolicy, type GeneratePolicyInput } from '../../../src/core/apim/policy/index';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const MCP_URL = 'https://contoso.azure-api.net/products/mcp';
const PRM_URL = 'https://contoso.azure-api.net/.well-known/oauth-protected-resource/products/mcp';
// The product catalogue of seed 002.
const TOOLS = ['listProducts', 'getProduct', 'searchProducts', 'createProduct', 'updateProduct', 'deleteProduct'];
const ROLES = {
  listProducts: [],
  getProduct: [],
  searchProducts: ['Products.Read'],
  createProduct: ['Products.Write'],
  updateProduct: ['Products.Write', 'Products.Admin'],
  deleteProduct: ['Products.Admin'],
};
const INPUT: GeneratePolicyInput = { tenantId: TENANT, api: APP, tools: TOOLS, roles: ROLES, prmUrl: PRM_URL, mcpUrl: MCP_URL, includePrmOperation: true };

function generate(input: GeneratePolicyInput): { policy: string; prmPolicy?: string } {
  const result = generateMcpPolicy(input);
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  return result;
}

describe('policy generator', () => {
  const VARIANTS: { name: string; input: GeneratePolicyInput }[] = [
    { name: 'validate-jwt', input: INPUT },
    { name: 'validate-azure-ad-token with client ids', input: { ...INPUT, validator: 'validate-azure-ad-token', clientApplicationIds: ['aebc6443-996d-45c2-90f0-388ff96faa56'] } },
    { name: 'api:// input and a custom App ID URI', input: { ...INPUT, api: `api://${APP}`, appIdUri: MCP_URL } },
    { name: 'named values', input: { ...INPUT, tenantId: '{{McpTenantId}}', api: '{{McpClientId}}' } },
    { name: 'US Government cloud', input: { ...INPUT, authorityHost: 'login.microsoftonline.us' } },
  ];
  for (const variant of VARIANTS) {
    it(`${variant.name}: lints clean under its own linter, tools/list coverage included`, () => {
      const { policy, prmPolicy } = generate(variant.input);
      const findings = lintPolicyText(policy, { fileName: 'mcp-api.policy.xml', tools: TOOLS, prmUrl: PRM_URL });
      assert.deepEqual(findings.map((f) => `${f.ruleId}: ${f.message}`), []);
      assert.deepEqual(readPolicy(policy).problems, []);
      const prmFindings = lintPolicyText(prmPolicy!, { fileName: 'mcp-prm.policy.xml', mcpUrl: MCP_URL });
      assert.deepEqual(prmFindings.map((f) => `${f.ruleId}: ${f.message}`), []);
      assert.equal(prmFindings.length, 0);
    });
  }

  it('is deterministic whatever the input order', () => {
    const a = generate(INPUT);
    const b = generate({ ...INPUT, tools: [...TOOLS].reverse(), roles: Object.fromEntries(Object.entries(ROLES).reverse()) });
    assert.equal(a.policy, b.policy);
    assert.equal(a.prmPolicy, b.prmPolicy);
  });

  it('writes what the issue asks for', () => {
    const { policy, prmPolicy } = generate(INPUT);
    const expected = [
      `<issuer>https://sts.windows.net/${TENANT}/</issuer>`,
      `<issuer>https://login.microsoftonline.com/${TENANT}/v2.0</issuer>`,
      `<audience>api://${APP}</audience>`,
      `<audience>${APP}</audience>`,
      'context.Request.Body.As<string>(preserveContent: true)',
      'token.Claims.GetValueOrDefault("roles", "").Split(\',\')',
      'case "deleteProduct":',
      'return roles.Any(r => r == "Products.Admin") ? "" : "Tool \'deleteProduct\' requires the app role \'Products.Admin\'.";',
      'return roles.Any(r => r == "Products.Admin" || r == "Products.Write") ? "" : "Tool \'updateProduct\' requires one of the app roles \'Products.Admin\', \'Products.Write\'.";',
      'default:',
      '<set-status code="403" reason="Forbidden" />',
      `<value>Bearer error="invalid_token", resource_metadata="${PRM_URL}"</value>`,
    ];
    for (const text of expected) assert.ok(policy.includes(text), `missing ${text}`);
    assert.ok(!/Response\.Body/.test(policy));
    assert.ok(!/Claims\s*\[/.test(policy));
    const prm = JSON.parse(/<set-body>(.*)<\/set-body>/.exec(prmPolicy!)![1]!) as Record<string, unknown>;
    assert.deepEqual(prm, {
      resource: MCP_URL,
      authorization_servers: [`https://login.microsoftonline.com/${TENANT}/v2.0`],
      bearer_methods_supported: ['header'],
      scopes_supported: [`${MCP_URL}/user_impersonate`],
    });
    assert.ok(!/<base \/>\s*<return-response>/.test(prmPolicy!));
  });

  const INVALID: { name: string; input: Partial<GeneratePolicyInput>; error: RegExp }[] = [
    { name: 'a tenant domain', input: { tenantId: 'contoso.onmicrosoft.com' }, error: /tenant/ },
    { name: 'an API URI without the client ID', input: { api: 'api://contoso-products' }, error: /client\) ID/ },
    { name: 'a tool without a role entry', input: { roles: { listProducts: [] } }, error: /No roles given for the tool getProduct/ },
    { name: 'a role with a comma', input: { roles: { ...ROLES, deleteProduct: ['A,B'] } }, error: /not an app role value/ },
    { name: 'a tool name with a quote', input: { tools: ['bad"tool'], roles: { 'bad"tool': [] } }, error: /tool name/ },
    { name: 'no tools', input: { tools: [], roles: {} }, error: /No tools/ },
    { name: 'PRM without the MCP URL', input: { mcpUrl: undefined }, error: /MCP server URL/ },
  ];
  for (const c of INVALID) {
    it(`refuses ${c.name}`, () => {
      const result = generateMcpPolicy({ ...INPUT, ...c.input });
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.errors.some((e) => c.error.test(e)), JSON.stringify(result));
    });
  }

  it('drops a trailing slash from the PRM resource and says so', () => {
    const result = generateMcpPolicy({ ...INPUT, mcpUrl: `${MCP_URL}/` });
    assert.ok(result.ok);
    assert.ok(result.prmPolicy!.includes(`"resource":"${MCP_URL}"`));
    assert.ok(result.warnings.some((w) => /trailing slash/.test(w)));
  });
});

describe('tools/list input', () => {
  const CASES: { name: string; input: unknown; tools: string[] }[] = [
    { name: 'a JSON-RPC response', input: JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'b', inputSchema: {} }, { name: 'a' }] } }), tools: ['b', 'a'] },
    { name: 'a result object', input: '{ "tools": [ { "name": "x" }, ], }', tools: ['x'] },
    { name: 'an array of names', input: '["x", "y", "x"]', tools: ['x', 'y'] },
    { name: 'plain text', input: 'listProducts, getProduct\ndeleteProduct', tools: ['listProducts', 'getProduct', 'deleteProduct'] },
    { name: 'an already-parsed array of tools', input: [{ name: 'p' }, { name: 'q' }], tools: ['p', 'q'] },
  ];
  for (const c of CASES) {
    it(`reads ${c.name}`, () => assert.deepEqual(parseToolsList(c.input).tools, c.tools));
  }
  it('explains malformed JSON', () => {
    const result = parseToolsList('{ "tools": [ }');
    assert.deepEqual(result.tools, []);
    assert.match(result.error ?? '', /Not valid JSON/);
  });
});
