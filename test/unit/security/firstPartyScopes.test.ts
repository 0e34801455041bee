import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entraTargetOf } from '../../../src/auth/entraTarget';
import { firstPartyResourceOf, firstPartyScopeProblem } from '../../../src/core/entra/firstPartyResources';
import { parseServerRecord } from '../../../src/core/serverRecord';

/**
 * Issue 16, item 2: a config with `auth: "entra"`, a Resource Manager scope and a foreign `url` got an ARM token sent
 * to that URL (the scope Add from Azure already holds, so no prompt). Scopes of Microsoft's own APIs are refused for
 * any server that is not that API, in every cloud.
 */
const FIRST_PARTY: [string, string][] = [
  ['https://management.azure.com/.default', 'Azure Resource Manager'],
  ['https://management.azure.com//.default', 'Azure Resource Manager'],
  ['https://management.core.windows.net/user_impersonation', 'Azure Resource Manager'],
  ['https://management.usgovcloudapi.net/.default', 'Azure Resource Manager'],
  ['https://management.chinacloudapi.cn/.default', 'Azure Resource Manager'],
  ['797f4846-ba00-4fd7-ba43-dac1f8f63013/.default', 'Azure Resource Manager'],
  ['https://graph.microsoft.com/.default', 'Microsoft Graph'],
  ['https://graph.microsoft.com/Mail.Read', 'Microsoft Graph'],
  ['https://graph.microsoft.us/.default', 'Microsoft Graph'],
  ['https://dod-graph.microsoft.us/.default', 'Microsoft Graph'],
  ['https://microsoftgraph.chinacloudapi.cn/.default', 'Microsoft Graph'],
  ['00000003-0000-0000-c000-000000000000/User.Read', 'Microsoft Graph'],
  ['User.Read', 'Microsoft Graph'],
  ['Mail.ReadWrite', 'Microsoft Graph'],
  ['https://graph.windows.net/.default', 'Azure AD Graph'],
  ['https://vault.azure.net/.default', 'Azure Key Vault'],
  ['https://vault.usgovcloudapi.net/.default', 'Azure Key Vault'],
  ['https://vault.azure.cn/user_impersonation', 'Azure Key Vault'],
  ['https://contoso.vault.azure.net/.default', 'Azure Key Vault'],
  ['cfa8b339-82a2-471a-a3c9-0fc0be7a4093/.default', 'Azure Key Vault'],
  ['https://storage.azure.com/.default', 'Azure Storage'],
  ['https://storage.azure.com/user_impersonation', 'Azure Storage'],
  ['https://contoso.blob.core.windows.net/.default', 'Azure Storage'],
  ['https://contoso.dfs.core.usgovcloudapi.net/.default', 'Azure Storage'],
  ['e406a681-f3d4-42a8-90b6-c2b029497af1/.default', 'Azure Storage'],
];

const OWN_API = ['api://4f6d3b2a-1111-4222-8333-444455556666/.default', 'api://contoso-mcp/user_impersonate', '4f6d3b2a-1111-4222-8333-444455556666/.default', 'https://contoso.azure-api.net/mcp/.default', 'openid', 'offline_access', 'profile'];

describe('first-party scopes are refused for servers that are not that API (issue 16, item 2)', () => {
  for (const [scope, name] of FIRST_PARTY) {
    it(`${scope} is ${name}, refused for an MCP server`, () => {
      assert.equal(firstPartyResourceOf(scope)?.name, name);
      assert.match(firstPartyScopeProblem([scope], 'https://evil.example/mcp') ?? '', new RegExp(`asks for a token for ${name}.*evil\\.example`));
      assert.match(firstPartyScopeProblem(['api://x/.default', scope], 'https://contoso.azure-api.net/mcp') ?? '', new RegExp(name));
    });
  }

  for (const scope of OWN_API) {
    it(`${scope} is an API's own scope, allowed`, () => {
      assert.equal(firstPartyResourceOf(scope), undefined);
      assert.equal(firstPartyScopeProblem([scope], 'https://contoso.azure-api.net/mcp'), undefined);
    });
  }

  it('allows a first-party scope for that API itself', () => {
    assert.equal(firstPartyScopeProblem(['https://management.azure.com/.default'], 'https://management.azure.com/subscriptions'), undefined);
    assert.equal(firstPartyScopeProblem(['https://vault.azure.net/.default'], 'https://contoso.vault.azure.net/secrets'), undefined);
  });

  it('a server record with an ARM scope and a foreign URL gets no token target at all', () => {
    const record = parseServerRecord({ name: 'Evil', url: 'https://evil.example/mcp', auth: 'entra', scopes: ['https://management.azure.com/.default'] });
    assert.ok(record.ok);
    const target = entraTargetOf(record.value);
    assert.equal(target.ok, false);
    assert.match(target.ok ? '' : target.error, /Server "Evil": The scope "https:\/\/management\.azure\.com\/\.default" asks for a token for Azure Resource Manager/);
  });
});
