import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPolicyExpectations } from '../../../src/core/apim/policy/tokenValidation';
import { expectFromPolicy } from '../../../src/core/diagnosis';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', 'policies', name), 'utf8');

test('15.a validate-jwt settings, each with its line: audiences, issuers, openid-config tenant and version, failed-validation-*', () => {
  const [v] = readPolicyExpectations(fixture('gotchas.mcp.policy.xml')).tokenValidations;
  assert.ok(v);
  assert.equal(v.policy, 'validate-jwt');
  assert.deepEqual(v.audiences.map((a) => [a.value, a.at.line, a.at.text]), [['api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 8, '<audience>api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</audience>']]);
  assert.deepEqual(v.issuers.map((i) => i.value), ['https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0']);
  assert.equal(v.tenant?.value, '11111111-2222-3333-4444-555555555555');
  assert.equal(v.openidConfig?.version, 2);
  assert.equal(v.failedValidationErrorMessage?.value, 'Unauthorized');
  const expect = expectFromPolicy(readPolicyExpectations(fixture('gotchas.mcp.policy.xml')), 'gotchas.mcp.policy.xml')!;
  assert.deepEqual(expect.audiences, ['api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee']);
  assert.equal(expect.tenantId, '11111111-2222-3333-4444-555555555555');
  assert.equal(expect.source?.lines.audiences, 'gotchas.mcp.policy.xml:8: <audience>api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</audience>');
});

test('15.a named values and expressions are unknown before the gateway runs, so they are left out', () => {
  const [v] = readPolicyExpectations(fixture('mcp-prm-oauth.mcp-api.policy.xml')).tokenValidations;
  assert.equal(v?.policy, 'validate-azure-ad-token');
  assert.equal(v?.tenant, undefined);
  assert.deepEqual(v?.audiences, []);
  const expect = expectFromPolicy(readPolicyExpectations('<policies><inbound><validate-jwt><audiences><audience>@(context.Variables["a"])</audience></audiences></validate-jwt></inbound></policies>'), 'p.xml');
  assert.equal(expect?.audiences, undefined);
});

test('15.a validate-jwt with openid-config only accepts that metadata\'s issuer version; validate-azure-ad-token both; forward-request timeout', () => {
  const v1Only = `<policies><inbound>
  <validate-jwt header-name="Authorization">
    <openid-config url="https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/.well-known/openid-configuration" />
  </validate-jwt></inbound>
  <backend><forward-request timeout="45" /></backend></policies>`;
  const expect = expectFromPolicy(readPolicyExpectations(v1Only), 'api-policy.xml')!;
  assert.equal(expect.issuerVersion, 1);
  assert.equal(expect.issuers, undefined);
  assert.equal(expect.forwardRequestTimeoutSeconds, 45);
  assert.equal(expect.source?.lines.forwardRequestTimeout, 'api-policy.xml:5: <backend><forward-request timeout="45" /></backend></policies>');
  const aad = expectFromPolicy(readPolicyExpectations('<policies><inbound><validate-azure-ad-token tenant-id="11111111-2222-3333-4444-555555555555"><client-application-ids><application-id>aebc6443-996d-45c2-90f0-388ff96faa56</application-id></client-application-ids></validate-azure-ad-token></inbound></policies>'), 'p.xml')!;
  assert.equal(aad.issuerVersion, undefined);
  assert.equal(aad.issuers, undefined);
  assert.deepEqual(aad.clientApplicationIds, ['aebc6443-996d-45c2-90f0-388ff96faa56']);
  assert.equal(aad.tenantId, '11111111-2222-3333-4444-555555555555');
});

test('15.a the workspace policy that belongs to a server: the one naming its API path, else the only one', async () => {
  const { policyForServer } = await import('../../../src/core/apim/policy/tokenValidation');
  const jwt = '<policies><inbound><validate-jwt header-name="Authorization" /></inbound></policies>';
  const files = [
    { path: 'infra/orders/policy.xml', text: jwt },
    { path: 'infra/products/mcp.policy.xml', text: jwt },
    { path: 'infra/rate.policy.xml', text: '<policies><inbound><rate-limit calls="5" renewal-period="60" /></inbound></policies>' },
  ];
  assert.equal(policyForServer(files, 'https://contoso.azure-api.net/products/mcp')?.path, 'infra/products/mcp.policy.xml');
  assert.equal(policyForServer(files, 'https://contoso.azure-api.net/weather/mcp'), undefined, 'two candidates, neither named: none');
  assert.equal(policyForServer([files[0]!, files[2]!], 'https://contoso.azure-api.net/weather/mcp')?.path, 'infra/orders/policy.xml');
});
