import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateMcpPolicy } from '../../../src/core/apim/policy';
import { entriesInConfigFile, isApimFronted, settingsEntryLine } from '../../../src/core/config/configEntries';
import { toolRoleRecord, toolRolesFromPolicy } from '../../../src/core/apim/policy/toolRoles';

describe('config sources: APIM-fronted servers in MCP config files', () => {
  const mcpJson = [
    '{',
    '  // Shared with the team',
    '  "servers": {',
    '    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },',
    '    "products": {',
    '      "type": "http",',
    '      "url": "https://contoso.azure-api.net/products/mcp",',
    '      "headers": { "Ocp-Apim-Subscription-Key": "${input:apim-mcp-key-products}" }',
    '    },',
    '    "orders": { "type": "http", "url": "https://orders.example.com/mcp", "headers": { "X-Api-Subscription-Key": "${env:ORDERS_KEY}" } },',
    '    "entra": { "type": "http", "url": "https://contoso.azure-api.us/hr/mcp", "oauth": { "clientId": "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b" } }',
    '  }',
    '}',
  ].join('\n');

  it('keeps APIM hosts and key-header servers, with auth kind, key supply and line', () => {
    const read = entriesInConfigFile(mcpJson, 'vscodeMcpJson', 'workspaceMcpJson', '/w/.vscode/mcp.json');
    assert.ok(read.ok);
    assert.deepEqual(
      read.entries.map((e) => [e.name, e.auth, e.keySupply, e.line, e.keyHeaderName]),
      [
        ['products', 'subscriptionKey', 'input', 4, 'Ocp-Apim-Subscription-Key'],
        ['orders', 'subscriptionKey', 'env', 9, 'X-Api-Subscription-Key'],
        ['entra', 'entra', undefined, 10, 'Ocp-Apim-Subscription-Key'],
      ],
    );
    assert.equal(read.entries[2]!.oauthClientId, '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b');
  });

  it('reads the mcpServers format (.mcp.json, Copilot CLI)', () => {
    const text = JSON.stringify({ mcpServers: { p: { type: 'http', url: 'https://contoso.azure-api.cn/p/mcp', headers: { 'Ocp-Apim-Subscription-Key': '${APIM_MCP_KEY_P}' } } } }, null, 2);
    const read = entriesInConfigFile(text, 'mcpServers', 'copilotCli', '/h/.copilot/mcp-config.json');
    assert.ok(read.ok);
    assert.deepEqual(read.entries.map((e) => [e.name, e.source, e.keySupply, e.line]), [['p', 'copilotCli', 'env', 2]]);
  });

  it('reports a malformed file with line and column instead of dropping it', () => {
    const read = entriesInConfigFile('{ "servers": { "a": } }', 'vscodeMcpJson', 'userMcpJson', '/u/mcp.json');
    assert.equal(read.ok, false);
    assert.match(read.ok ? '' : read.error, /^\/u\/mcp\.json:1:\d+:/);
  });

  const fronted: [string, { url?: string; headers: Record<string, string> }, boolean][] = [
    ['public APIM', { url: 'https://x.azure-api.net/a/mcp', headers: {} }, true],
    ['regional APIM gateway', { url: 'https://x-westeurope-01.regional.azure-api.net/a/mcp', headers: {} }, true],
    ['a key header on another host', { url: 'https://api.contoso.com/mcp', headers: { 'Ocp-Apim-Subscription-Key': 'x' } }, true],
    ['another host', { url: 'https://api.githubcopilot.com/mcp/', headers: {} }, false],
    ['a stdio server', { headers: {} }, false],
    ['not a URL', { url: 'contoso', headers: {} }, false],
  ];
  for (const [name, server, expected] of fronted) it(`isApimFronted: ${name} → ${expected}`, () => assert.equal(isApimFronted(server), expected));

  it('finds an apimMcp.servers entry line in settings.json', () => {
    const text = '{\n  "editor.tabSize": 2,\n  "apimMcp.servers": [\n    { "name": "a", "url": "https://a.azure-api.net/mcp" },\n    {\n      "name": "b"\n    }\n  ]\n}';
    assert.equal(settingsEntryLine(text, 'a'), 3);
    assert.equal(settingsEntryLine(text, 'b'), 4);
    assert.equal(settingsEntryLine('{}', 'b'), undefined);
  });
});

describe('tool roles read from APIM policies', () => {
  it('reads the map back from a generated policy, with each tool\'s line', () => {
    const roles = { listProducts: ['Products.Read'], deleteProduct: ['Products.Delete'], ping: [] };
    const generated = generateMcpPolicy({ tenantId: '11111111-2222-3333-4444-555555555555', api: '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', tools: Object.keys(roles), roles, prmUrl: 'https://x.azure-api.net/p/.well-known/oauth-protected-resource' });
    assert.ok(generated.ok);
    const map = toolRolesFromPolicy(generated.policy);
    assert.deepEqual(toolRoleRecord(map), { listProducts: 'Products.Read', deleteProduct: 'Products.Delete' });
    const lines = generated.policy.split('\n');
    for (const tool of Object.keys(roles)) assert.match(lines[map.get(tool)!.line]!, new RegExp(`case "${tool}"`));
  });

  it('reads the <when condition> form, XML-escaped quotes included', () => {
    const policy = [
      '<policies><inbound>',
      '<choose>',
      '  <when condition="@(((string)context.Variables[&quot;tool&quot;]) == &quot;deleteProduct&quot; &amp;&amp; !roles.Contains(&quot;Products.Delete&quot;))">',
      '    <return-response><set-status code="403" /></return-response>',
      '  </when>',
      '</choose>',
      '</inbound></policies>',
    ].join('\n');
    const map = toolRolesFromPolicy(policy);
    assert.deepEqual([...map], [['deleteProduct', { roles: ['Products.Delete'], line: 2 }]]);
  });

  it('finds nothing in a policy without per-tool rules', () => {
    assert.equal(toolRolesFromPolicy('<policies><inbound><base /></inbound></policies>').size, 0);
  });
});
