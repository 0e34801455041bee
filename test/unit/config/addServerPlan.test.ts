import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acceptUrl,
  clientIdProblem,
  newPlan,
  normaliseScopes,
  planDescription,
  planFromPrefill,
  planFromSpec,
  planProblem,
  scopesProblem,
  serverNameProblem,
  tenantProblem,
} from '../../../src/core/config/addServerPlan';
import type { AuthDetection } from '../../../src/core/probe/detectAuth';
import { analyzeServerUrl, type UrlAnalysis } from '../../../src/core/url/serverUrl';

function url(raw: string): UrlAnalysis {
  const analysis = analyzeServerUrl(raw);
  assert.ok(analysis.ok);
  return analysis.value;
}

const PRODUCTS = url('https://contoso.azure-api.net/products/mcp');
const TENANT = '11111111-2222-3333-4444-555555555555';

/** An APIM answer with a key challenge for a custom header and PRM naming the tenant and scope. */
const DETECTED: AuthDetection = {
  reached: true,
  status: 401,
  outcome: { kind: 'keyMissing', headerName: 'X-Key' },
  keyChallenge: { headerName: 'X-Key' },
  prm: { url: 'https://contoso.azure-api.net/.well-known/oauth-protected-resource/products/mcp', resource: PRODUCTS.href, resourceMatches: true, tenant: TENANT, scopes: ['api://products/.default'] },
  suggestedAuth: 'subscriptionKeyAndEntra',
};

describe('add-server plan: field checks', () => {
  const scopeCases: [string, string[]][] = [
    ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/user_impersonation', ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/user_impersonation']],
    ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', ['api://6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/.default']],
    ['api://contoso-products/', ['api://contoso-products/.default']],
    ['6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', ['6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f/.default']],
    ['https://contoso.azure-api.net/products/mcp/user_impersonate  api://x/a', ['https://contoso.azure-api.net/products/mcp/user_impersonate', 'api://x/a']],
    ['', []],
  ];
  for (const [input, expected] of scopeCases) it(`scopes ${JSON.stringify(input)}`, () => assert.deepEqual(normaliseScopes(input), expected));

  const problemCases: [string, unknown, unknown][] = [
    ['tenant GUID', tenantProblem(TENANT), undefined],
    ['tenant domain', tenantProblem('contoso.onmicrosoft.com'), undefined],
    ['tenant alias', tenantProblem('organizations'), undefined],
    ['tenant with a space', tenantProblem('not a tenant'), { kind: 'tenantInvalid' }],
    ['tenant empty', tenantProblem(''), { kind: 'tenantEmpty' }],
    ['scopes blank', scopesProblem('  '), { kind: 'scopesEmpty' }],
    ['scope too long', scopesProblem(`api://x/${'a'.repeat(520)}`), { kind: 'scopeInvalid', scope: `api://x/${'a'.repeat(520)}` }],
    ['client id empty', clientIdProblem(''), undefined],
    ['client id not a GUID', clientIdProblem('my-client'), { kind: 'clientIdInvalid' }],
    ['name with parentheses', serverNameProblem('Products (prod)'), undefined],
    ['name with a slash', serverNameProblem('a/b'), { kind: 'nameBadCharacter' }],
    ['name with a control character', serverNameProblem('a\u0007b'), { kind: 'nameBadCharacter' }],
    ['name with a C1 control (CSI)', serverNameProblem('a\u009b31mb'), { kind: 'nameBadCharacter' }],
    ['name with DEL', serverNameProblem('a\u007fb'), { kind: 'nameBadCharacter' }],
    ['name blank', serverNameProblem(' '), { kind: 'nameEmpty' }],
    ['name too long', serverNameProblem('n'.repeat(101)), { kind: 'nameTooLong' }],
  ];
  for (const [what, actual, expected] of problemCases) it(what, () => assert.deepEqual(actual, expected));
});

describe('add-server plan: the three ways in', () => {
  it('starts empty for the wizard, with the default key header', () => {
    assert.deepEqual(newPlan(), {
      rawUrl: '',
      url: undefined,
      detection: undefined,
      detectedFor: undefined,
      name: '',
      auth: undefined,
      keyHeaderName: 'Ocp-Apim-Subscription-Key',
      key: undefined,
      tenant: '',
      scopes: '',
      clientId: '',
      target: undefined,
    });
  });

  it('from a spec: detection fills what the caller left out, and the name is made unique', () => {
    const plan = planFromSpec({ url: PRODUCTS.href, target: 'extension', key: 'k' }, PRODUCTS, DETECTED, ['Contoso-Products']);
    assert.equal(plan.name, 'contoso-products-2');
    assert.equal(plan.auth, 'subscriptionKeyAndEntra');
    assert.equal(plan.keyHeaderName, 'X-Key');
    assert.equal(plan.tenant, TENANT);
    assert.equal(plan.scopes, 'api://products/.default');
    assert.equal(plan.detectedFor, PRODUCTS.href);
    assert.equal(plan.key?.reveal(), 'k');
    assert.equal(String(plan.key), '***');
  });

  it('from a spec: the caller wins, and an unreachable server is taken to want a key', () => {
    const unreachable: AuthDetection = { reached: false, error: 'ECONNREFUSED' };
    const plan = planFromSpec({ url: PRODUCTS.href, target: 'userMcpJson', name: ' mine ', tenant: 'contoso.com' }, PRODUCTS, unreachable, ['mine']);
    assert.equal(plan.name, 'mine');
    assert.equal(plan.auth, 'subscriptionKey');
    assert.equal(plan.keyHeaderName, 'Ocp-Apim-Subscription-Key');
    assert.equal(plan.tenant, 'contoso.com');
    assert.equal(plan.target, 'userMcpJson');
  });

  it('from a prefill: a name someone still sees is made unique; a headless name is kept', () => {
    const prefill = { url: PRODUCTS.href, name: 'Products', auth: 'subscriptionKey' as const, keyHeaderName: 'X-Key' };
    assert.equal(planFromPrefill(prefill, PRODUCTS, ['products']).name, 'Products-2');
    assert.equal(planFromPrefill(prefill, PRODUCTS, ['products'], { target: 'extension' }).name, 'Products');
    assert.equal(planFromPrefill(prefill, PRODUCTS, ['Taken'], { target: 'extension', name: 'Taken' }).name, 'Taken');
    assert.equal(planFromPrefill({ ...prefill, name: undefined }, PRODUCTS, ['contoso-products'], { target: 'extension' }).name, 'contoso-products-2');
    const plan = planFromPrefill(prefill, PRODUCTS, [], { target: 'copilotCli' });
    assert.equal(plan.keyHeaderName, 'X-Key');
    assert.equal(plan.target, 'copilotCli');
  });
});

describe('add-server plan: the URL step, checks and description', () => {
  it('a new URL forgets the name and auth; a detection sets the header and fills only empty Entra fields', () => {
    const plan = newPlan({ url: url('https://old.azure-api.net/x/mcp'), name: 'old', auth: 'none', scopes: 'api://mine/.default' });
    plan.detection = DETECTED;
    acceptUrl(plan, ` ${PRODUCTS.href} `, PRODUCTS);
    assert.deepEqual([plan.rawUrl, plan.name, plan.auth, plan.keyHeaderName, plan.tenant, plan.scopes], [PRODUCTS.href, '', undefined, 'X-Key', TENANT, 'api://mine/.default']);
    plan.name = 'kept';
    plan.auth = 'entra';
    acceptUrl(plan, PRODUCTS.href, PRODUCTS);
    assert.deepEqual([plan.name, plan.auth], ['kept', 'entra']);
  });

  it('checks the name first, then the Entra fields only for Entra servers', () => {
    const base = planFromSpec({ url: PRODUCTS.href, target: 'extension', name: 'p', auth: 'entra' }, PRODUCTS, { reached: false, error: 'x' }, []);
    assert.deepEqual(planProblem({ ...base, name: '' }), { kind: 'nameEmpty' });
    assert.deepEqual(planProblem(base), { kind: 'tenantEmpty' });
    assert.deepEqual(planProblem({ ...base, tenant: TENANT }), { kind: 'scopesEmpty' });
    assert.deepEqual(planProblem({ ...base, tenant: TENANT, scopes: 'api://p', clientId: 'x' }), { kind: 'clientIdInvalid' });
    assert.equal(planProblem({ ...base, tenant: TENANT, scopes: 'api://p' }), undefined);
    assert.equal(planProblem({ ...base, auth: 'subscriptionKey' }), undefined);
  });

  it('describes only what the auth kind uses, with the scopes normalised and PRM validity from detection', () => {
    const plan = planFromSpec({ url: PRODUCTS.href, target: 'extension', name: 'p', clientId: TENANT }, PRODUCTS, DETECTED, []);
    assert.deepEqual(planDescription(plan), {
      name: 'p',
      url: PRODUCTS.href,
      origin: PRODUCTS.origin,
      auth: 'subscriptionKeyAndEntra',
      keyHeaderName: 'X-Key',
      tenant: TENANT,
      scopes: ['api://products/.default'],
      clientId: TENANT,
      prmValid: true,
    });
    const keyOnly = planDescription({ ...plan, auth: 'subscriptionKey' });
    assert.deepEqual([keyOnly.tenant, keyOnly.scopes, keyOnly.clientId], [undefined, [], undefined]);
    assert.equal(planDescription({ ...plan, auth: undefined }).auth, 'none');
  });
});
