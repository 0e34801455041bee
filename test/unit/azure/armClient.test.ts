import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArmClient, ArmError, covers, isMcpApi, mcpUrls, parseScope } from '../../../src/core/azure/armClient';
import { armErrorFinding, parseAuthorizationFailed } from '../../../src/core/azure/armFindings';
import { AZURE_CLOUDS, azureCloud, cloudOfGatewayHost, resourceManagerEndpoint } from '../../../src/core/azure/clouds';
import { entraFromPolicy } from '../../../src/core/azure/policyPrefill';
import { Secret } from '../../../src/core/secret';
import { startArm, type ArmConfig, type ArmEmulator } from '../../sandbox/arm';
import { realArm } from '../../fixtures/real';
import { ARM_MCP_API, ARM_PRODUCT_SUBSCRIPTION, ARM_SERVICE_ID, ARM_SUBSCRIPTION_ID, armFixture } from '../../sandbox/armFixture';

const TOKEN = 'arm-token-canary-7f3a';
const CANARY_KEY = 'canary-key-4c1e9b2d0a';
const POLICY = `<policies><inbound><base />
  <validate-azure-ad-token tenant-id="72f988bf-86f1-41af-91ab-2d7cd011db47" header-name="Authorization">
    <audiences><audience>api://6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f</audience><audience>@(context.Variables["aud"])</audience></audiences>
  </validate-azure-ad-token></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

async function withArm(extra: Partial<ArmConfig>, fn: (arm: ArmEmulator, client: ArmClient, sleeps: number[]) => Promise<void>) {
  const arm = await startArm({ ...armFixture({ gatewayUrl: 'https://contoso-apim.azure-api.net', apiPath: 'products', key: CANARY_KEY, keyHeaderName: 'X-Products-Key', policy: POLICY, fillerApis: 7 }), acceptedTokens: [TOKEN], ...extra });
  const sleeps: number[] = [];
  const client = new ArmClient({ fetch, endpoint: arm.origin, getToken: async () => Secret.of(TOKEN), sleep: async (ms) => void sleeps.push(ms) });
  try {
    await fn(arm, client, sleeps);
  } finally {
    await arm.stop();
  }
}

test('lists subscriptions → services → MCP APIs (across nextLink pages) → subscriptions covering the API, with the real key names', async () => {
  await withArm({ pageSize: 3 }, async (arm, client) => {
    const subs = await client.listSubscriptions();
    assert.deepEqual(subs.map((s) => s.displayName), ['Contoso Production', 'Contoso Dev/Test']);
    const [service] = await client.listServices(ARM_SUBSCRIPTION_ID);
    assert.equal(service!.id, ARM_SERVICE_ID);
    assert.equal(service!.resourceGroup, 'rg-mcp');
    const apis = await client.listApis(service!.id);
    assert.equal(apis.length, 10, 'every page was read');
    assert.ok(arm.requests().filter((r) => r.path.endsWith('/apis')).length >= 4, 'several pages were requested');
    const mcp = apis.filter(isMcpApi);
    assert.deepEqual(mcp.map((a) => a.name), [ARM_MCP_API, 'weather-mcp']);
    const products = mcp[0]!;
    assert.equal(products.keyHeaderName, 'X-Products-Key');
    assert.equal(products.keyQueryName, 'subscription-key');
    assert.equal(products.subscriptionRequired, true);
    assert.equal(mcp[1]!.subscriptionRequired, false);
    assert.deepEqual(mcpUrls(service!.gatewayUrl!, products.path), { mcp: 'https://contoso-apim.azure-api.net/products/mcp', sse: 'https://contoso-apim.azure-api.net/products/sse' });
    const covering = await client.subscriptionsCovering(service!.id, products);
    assert.deepEqual(covering.map((s) => `${s.name}:${s.scope.kind}:${s.state}`).sort(), ['api-scoped-suspended:api:suspended', 'master:service:active', `${ARM_PRODUCT_SUBSCRIPTION}:product:active`].sort());
    const secrets = await client.listSecrets(covering.find((s) => s.name === ARM_PRODUCT_SUBSCRIPTION)!.id);
    assert.ok(secrets.primaryKey instanceof Secret);
    assert.equal(secrets.primaryKey.reveal(), CANARY_KEY);
    assert.equal(JSON.stringify(secrets), JSON.stringify({ primaryKey: '***', secondaryKey: '***' }), 'keys never serialise');
    const prefill = entraFromPolicy(await client.apiPolicy(products.id));
    assert.deepEqual(prefill, {
      policy: 'validate-azure-ad-token',
      tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      audiences: ['api://6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f'],
      scope: 'api://6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/.default',
      clientApplicationIds: [],
    });
    assert.equal(await client.apiPolicy(`${ARM_SERVICE_ID}/apis/orders-api`), undefined, 'no policy → undefined');
  });
});

test('429 with Retry-After is retried after the advertised wait, and gives up after the bound with a throttling finding', async () => {
  await withArm({ throttle: { requests: 2, retryAfterSeconds: 7 } }, async (_arm, client, sleeps) => {
    const subs = await client.listSubscriptions();
    assert.equal(subs.length, 2);
    assert.deepEqual(sleeps, [7000, 7000]);
  });
  await withArm({ throttle: { requests: 10, retryAfterSeconds: 1 } }, async (_arm, client, sleeps) => {
    const error = await client.listSubscriptions().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ArmError);
    assert.equal(error.status, 429);
    // A11: ARM's own code and wording (SupportArticles-docs error-code-subscriptionrequeststhrottled.md).
    assert.equal(error.code, 'SubscriptionRequestsThrottled');
    assert.match(error.message, /^Number of requests for subscription '[^']*' and operation 'GET\/SUBSCRIPTIONS[^']*' exceeded the backend storage limit\. Please try again after '1' seconds\.$/);
    assert.equal(sleeps.length, 3);
    const finding = armErrorFinding(error);
    assert.equal(finding.id, 'azure.arm.throttled');
    assert.ok(finding.evidence.includes('Retry-After: 1'));
  });
});

test('403 AuthorizationFailed on listSecrets becomes the permission finding naming the role and the az command', async () => {
  await withArm({ deniedActions: ['Microsoft.ApiManagement/service/subscriptions/listSecrets/action'], principalObjectId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }, async (_arm, client) => {
    const [sub] = (await client.subscriptionsCovering(ARM_SERVICE_ID, { id: `${ARM_SERVICE_ID}/apis/${ARM_MCP_API}`, name: ARM_MCP_API })).filter((s) => s.name === ARM_PRODUCT_SUBSCRIPTION);
    const error = await client.listSecrets(sub!.id).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ArmError);
    assert.equal(error.code, 'AuthorizationFailed');
    const finding = armErrorFinding(error);
    assert.equal(finding.id, 'azure.arm.listSecretsDenied');
    assert.equal(finding.severity, 'error');
    assert.match(finding.fix.summary, /API Management Service Contributor/);
    assert.match(finding.fix.summary, /Microsoft\.ApiManagement\/service\/subscriptions\/listSecrets\/action/);
    assert.equal(
      finding.fix.commands![0],
      `az role assignment create --assignee-object-id aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee --assignee-principal-type User --role 'API Management Service Contributor' --scope ${ARM_SERVICE_ID}`,
    );
    assert.ok(finding.evidence.some((e) => e.includes('does not have authorization to perform action')));
  });
  await withArm({ deniedActions: ['Microsoft.ApiManagement/service/apis/read'] }, async (_arm, client) => {
    const finding = armErrorFinding(await client.listApis(ARM_SERVICE_ID).catch((e: unknown) => e));
    assert.equal(finding.id, 'azure.arm.forbidden');
    assert.match(finding.fix.commands![0]!, /--role 'API Management Service Reader Role' --scope \/subscriptions\//);
  });
});

test('a wrong token is 401 (unauthorized finding); cancellation aborts the list; a foreign nextLink is refused', async () => {
  await withArm({}, async (arm) => {
    const bad = new ArmClient({ fetch, endpoint: arm.origin, getToken: async () => Secret.of('nope') });
    const finding = armErrorFinding(await bad.listSubscriptions().catch((e: unknown) => e));
    assert.equal(finding.id, 'azure.arm.unauthorized');
    assert.ok(!JSON.stringify(finding).includes(TOKEN));
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    const good = new ArmClient({ fetch, endpoint: arm.origin, getToken: async () => Secret.of(TOKEN) });
    await assert.rejects(good.listSubscriptions(controller.signal), /cancelled by the user/);
  });
  const foreign = new ArmClient({
    fetch: async () => new Response(JSON.stringify({ value: [], nextLink: 'https://evil.example/subscriptions?page=2' }), { status: 200 }),
    endpoint: 'https://management.azure.com',
    getToken: async () => Secret.of(TOKEN),
  });
  await assert.rejects(foreign.listSubscriptions(), (e: unknown) => e instanceof ArmError && e.code === 'InvalidNextLink');
});

test('sovereign clouds: Resource Manager endpoint, ARM scope and gateway domain follow the cloud; overrides are https or loopback only', async () => {
  assert.equal(AZURE_CLOUDS.AzureChinaCloud.resourceManager, 'https://management.chinacloudapi.cn');
  assert.equal(AZURE_CLOUDS.AzureChinaCloud.armScope, 'https://management.chinacloudapi.cn/.default');
  assert.equal(AZURE_CLOUDS.AzureUSGovernment.armScope, 'https://management.usgovcloudapi.net/.default');
  assert.equal(AZURE_CLOUDS.AzureCloud.armScope, 'https://management.azure.com/.default');
  assert.equal(cloudOfGatewayHost('contoso.azure-api.us')?.name, 'AzureUSGovernment');
  assert.equal(cloudOfGatewayHost('contoso.azure-api.cn')?.name, 'AzureChinaCloud');
  assert.equal(cloudOfGatewayHost('api.contoso.com'), undefined);
  assert.equal(azureCloud('nonsense').name, 'AzureCloud');
  assert.equal(resourceManagerEndpoint(AZURE_CLOUDS.AzureUSGovernment), 'https://management.usgovcloudapi.net');
  assert.equal(resourceManagerEndpoint(AZURE_CLOUDS.AzureCloud, 'http://127.0.0.1:4567/'), 'http://127.0.0.1:4567');
  assert.throws(() => resourceManagerEndpoint(AZURE_CLOUDS.AzureCloud, 'http://evil.example'), /https/);
  // The client calls whatever endpoint the cloud gives.
  const seen: string[] = [];
  const client = new ArmClient({ fetch: async (url) => (seen.push(String(url)), new Response('{"value":[]}')), endpoint: AZURE_CLOUDS.AzureChinaCloud.resourceManager, getToken: async () => Secret.of(TOKEN) });
  await client.listSubscriptions();
  assert.match(seen[0]!, /^https:\/\/management\.chinacloudapi\.cn\/subscriptions\?api-version=/);
});

test('subscription scopes: all APIs, API, product', () => {
  assert.deepEqual(parseScope('/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/apis'), { kind: 'allApis' });
  assert.deepEqual(parseScope('/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/apis/products-mcp'), { kind: 'api', apiName: 'products-mcp' });
  assert.deepEqual(parseScope('/products/starter'), { kind: 'product', productName: 'starter' });
  assert.equal(covers({ kind: 'product', productName: 'Starter' }, 'a', ['starter']), true);
  assert.equal(covers({ kind: 'api', apiName: 'b' }, 'a', []), false);
  assert.equal(entraFromPolicy('<policies><inbound><validate-jwt header-name="Authorization"><openid-config url="https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration" /><audiences><audience>https://contoso.example/mcp</audience></audiences></validate-jwt></inbound></policies>')?.tenant, 'contoso.onmicrosoft.com');
  assert.equal(entraFromPolicy('<policies><inbound><base /></inbound></policies>'), undefined);
});

test('every azure.arm.* finding id is documented in docs/findings.md', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const root = join(__dirname, '..', '..', '..');
  const sources = ['src/core/azure/armFindings.ts', 'src/vscode/azure/addFromAzure.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  const ids = [...new Set([...sources.matchAll(/'(azure\.arm\.[a-zA-Z]+)'/g)].map((m) => m[1]!))];
  assert.ok(ids.length >= 7, ids.join(' '));
  const doc = readFileSync(join(root, 'docs/findings.md'), 'utf8');
  assert.deepEqual(ids.filter((id) => !doc.includes(`\`${id}\``)), []);
});

test('15.4 the built-in all-access subscription (scope: the service id and a slash) covers every API', () => {
  const recorded = realArm('subscriptions-list').body.value as { name: string; properties: { scope: string } }[];
  const master = recorded.find((s) => s.name === 'master')!;
  assert.match(master.properties.scope, /\/service\/contoso-apim\/$/);
  assert.deepEqual(parseScope(master.properties.scope), { kind: 'service' });
  assert.deepEqual(parseScope(ARM_SERVICE_ID), { kind: 'service' });
  assert.equal(covers(parseScope(master.properties.scope), 'any-api', []), true);
  const kinds = recorded.map((s) => parseScope(s.properties.scope).kind);
  assert.deepEqual(kinds, ['service', 'product', 'allApis', 'api']);
});

test('15.4 Add from Azure is offered the built-in all-access subscription, as Resource Manager lists it', async () => {
  await withArm({}, async (_arm, client) => {
    const [api] = (await client.listApis(ARM_SERVICE_ID)).filter(isMcpApi);
    const covering = await client.subscriptionsCovering(ARM_SERVICE_ID, api!);
    const master = covering.find((s) => s.name === 'master');
    assert.ok(master, `no all-access subscription among ${covering.map((s) => s.name).join(', ')}`);
    assert.equal(master.rawScope, `${ARM_SERVICE_ID}/`);
    assert.deepEqual(master.scope, { kind: 'service' });
  });
});

test('15.4 the emulator answers MCP APIs like Resource Manager: hidden at 2024-05-01, subscriptionRequired false by default', async () => {
  await withArm({}, async (arm) => {
    const get = async (path: string) => {
      const res = await fetch(`${arm.origin}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as { value?: { name: string; properties: Record<string, unknown> }[]; error?: { code: string } } };
    };
    const stable = await get(`${ARM_SERVICE_ID}/apis?api-version=2024-05-01`);
    assert.deepEqual(stable.body.value!.filter((a) => a.properties.type === 'mcp'), [], 'MCP APIs are invisible at 2024-05-01');
    assert.equal((await get(`${ARM_SERVICE_ID}/apis/weather-mcp?api-version=2024-05-01`)).body.error?.code, 'ResourceNotFound');
    const preview = await get(`${ARM_SERVICE_ID}/apis/weather-mcp?api-version=2024-06-01-preview`);
    assert.equal(preview.status, 200);
    assert.equal((preview.body as unknown as { properties: { type: string; subscriptionRequired: boolean } }).properties.subscriptionRequired, false);
    const recorded = realArm('mcp-api').body.properties as Record<string, unknown>;
    for (const key of ['type', 'subscriptionRequired', 'mcpProperties']) assert.ok(key in (preview.body as unknown as { properties: object }).properties, key);
    assert.equal(recorded.subscriptionRequired, false);
  });
});

test('A9: both AuthorizationFailed wordings name the object id, action and scope (the RBAC troubleshooting doc adds "or an ABAC condition not fulfilled")', () => {
  const scope = `${ARM_SERVICE_ID}/subscriptions/sub1`;
  const action = 'Microsoft.ApiManagement/service/subscriptions/listSecrets/action';
  const tail = ` over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;
  for (const middle of ['does not have authorization to perform action', 'does not have authorization or an ABAC condition not fulfilled to perform action']) {
    const message = `The client 'alex@contoso.onmicrosoft.com' with object id 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' ${middle} '${action}'${tail}`;
    assert.deepEqual(parseAuthorizationFailed(message), { objectId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', action, scope }, middle);
  }
});
