/**
 * A ready-made Resource Manager estate for the Add from Azure tests: two Azure subscriptions, one APIM service
 * fronting the sandbox gateway with an MCP API (custom key header), a REST API, an existing-MCP-server API and a
 * few APIM subscriptions of each scope and state.
 */
import type { ArmConfig } from './arm';

export const ARM_SUBSCRIPTION_ID = '11111111-2222-4333-8444-555555555555';
export const ARM_OTHER_SUBSCRIPTION_ID = '99999999-2222-4333-8444-555555555555';
export const ARM_SERVICE = 'contoso-apim';
export const ARM_RESOURCE_GROUP = 'rg-mcp';
export const ARM_MCP_API = 'products-mcp';
export const ARM_PRODUCT_SUBSCRIPTION = 'products-team';
export const ARM_SERVICE_ID = `/subscriptions/${ARM_SUBSCRIPTION_ID}/resourceGroups/${ARM_RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${ARM_SERVICE}`;

/** The `weather-mcp` API's Entra policy in the tests that give it one: a token for this tenant and app, no key. */
export const WEATHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const WEATHER_APP = 'api://0a0b0c0d-1111-4222-8333-444455556666';
export const WEATHER_ENTRA_POLICY = `<policies><inbound><base /><validate-azure-ad-token tenant-id="${WEATHER_TENANT}"><audiences><audience>${WEATHER_APP}</audience></audiences></validate-azure-ad-token></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

export interface ArmFixtureOptions {
  /** The sandbox gateway origin, e.g. sandbox.endpoints.gateway. */
  gatewayUrl: string;
  /** The sandbox gateway's API path (scenario gateway.apiPath). */
  apiPath: string;
  /** The key the product-scoped subscription returns from listSecrets (the gateway's valid key). */
  key: string;
  keyHeaderName?: string;
  policy?: string;
  /** Extra filler APIs, to force several pages. */
  fillerApis?: number;
  /** The policy of the `weather-mcp` API (an existing MCP server that needs no key). */
  weatherPolicy?: string;
}

export function armFixture(o: ArmFixtureOptions): Omit<ArmConfig, 'acceptedTokens' | 'verifyToken'> {
  const filler = Array.from({ length: o.fillerApis ?? 0 }, (_, i) => ({ name: `rest-${i}`, path: `rest-${i}`, type: 'http' }));
  return {
    subscriptions: [
      {
        subscriptionId: ARM_SUBSCRIPTION_ID,
        displayName: 'Contoso Production',
        services: [
          {
            name: ARM_SERVICE,
            resourceGroup: ARM_RESOURCE_GROUP,
            gatewayUrl: o.gatewayUrl,
            apis: [
              {
                name: ARM_MCP_API,
                displayName: 'Products MCP',
                type: 'mcp',
                path: o.apiPath,
                subscriptionRequired: true,
                subscriptionKeyParameterNames: { header: o.keyHeaderName ?? 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
                mcpProperties: { transportType: 'streamable' },
                ...(o.policy ? { policy: o.policy } : {}),
              },
              { name: 'orders-api', displayName: 'Orders REST', type: 'http', path: 'orders' },
              ...filler,
              { name: 'weather-mcp', displayName: 'Weather (existing MCP server)', type: 'mcp', path: 'weather', subscriptionRequired: false, mcpProperties: { transportType: 'streamable', endpoints: { mcp: '/mcp' } }, ...(o.weatherPolicy ? { policy: o.weatherPolicy } : {}) },
            ],
            products: [
              { name: 'mcp-tools', apis: [ARM_MCP_API] },
              { name: 'orders', apis: ['orders-api'] },
            ],
            subscriptions: [
              { name: ARM_PRODUCT_SUBSCRIPTION, displayName: 'Products team (MCP tools product)', scope: 'product:mcp-tools', primaryKey: o.key },
              { name: 'orders-only', displayName: 'Orders only', scope: 'product:orders', primaryKey: 'orders-key-not-for-mcp' },
              { name: 'api-scoped-suspended', displayName: 'API-scoped (suspended)', scope: `api:${ARM_MCP_API}`, state: 'suspended', primaryKey: 'suspended-key' },
              { name: 'master', displayName: 'Built-in all-access subscription', scope: 'service', primaryKey: 'master-key-not-the-gateway-key' },
            ],
          },
        ],
      },
      { subscriptionId: ARM_OTHER_SUBSCRIPTION_ID, displayName: 'Contoso Dev/Test', services: [] },
    ],
  };
}

/** The Resource Manager app as the Entra emulator knows it, so a sign-in for `https://management.azure.com/.default` works. */
export const ARM_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
export const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.azure.com/', ARM_APP_ID];

export function armEntraApp(preAuthorized: string[]) {
  return {
    appId: ARM_APP_ID,
    displayName: 'Windows Azure Service Management API',
    identifierUris: ['https://management.azure.com'],
    scopes: [{ value: 'user_impersonation' }],
    preAuthorizedApplications: preAuthorized.map((appId) => ({ appId, scopes: ['user_impersonation'] })),
  };
}

/**
 * A `verifyToken` for the ARM emulator: the JWT must be signed by the Entra emulator (its JWKS, fetched over its
 * TLS with the sandbox CA) and carry a Resource Manager audience.
 */
export function entraArmVerifier(o: { entra: string; tenantId: string; caPem: string }): (token: string) => Promise<{ oid?: string } | undefined> {
  let keys: Promise<{ keys: unknown[] }> | undefined;
  const fetchJwks = async () => {
    const https = await import('node:https');
    return new Promise<{ keys: unknown[] }>((resolve, reject) => {
      https
        .get(`${o.entra}/${o.tenantId}/discovery/v2.0/keys`, { ca: o.caPem }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { keys: unknown[] });
            } catch (error) {
              reject(error as Error);
            }
          });
        })
        .on('error', reject);
    });
  };
  return async (token) => {
    const jose = await import('jose');
    keys ??= fetchJwks();
    const set = jose.createLocalJWKSet((await keys) as never);
    try {
      const { payload } = await jose.jwtVerify(token, set, { audience: ARM_AUDIENCES });
      return { oid: typeof payload.oid === 'string' ? payload.oid : undefined };
    } catch {
      return undefined;
    }
  };
}
