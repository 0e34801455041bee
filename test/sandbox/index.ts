/**
 * The sandbox: APIM gateway emulator + Entra ID emulator + real MCP backend, configured by a scenario.
 * See README.md beside this file for the scenario format and behaviour.
 */
import { startBackend, type Backend, type BackendRequestRecord } from './backend';
import { startEntra, type EntraEmulator } from './entra';
import { startGateway, type Gateway, type GatewayRequestRecord, type ResolvedGatewayConfig } from './gateway';
import { normaliseKeys } from './gatewayKeys';
import { policyXml } from './policyXml';
import { loadScenario, parseScenario } from './scenario';
import { mintTokenOptionsSchema, type MintTokenOptions, type Scenario, type ScenarioInput } from './scenarioSchema';
import { makeTlsMaterial, type TlsMaterial } from './tls';

export type { GatewayRequestRecord } from './gateway';
export type { BackendRequestRecord } from './backend';
export type { MintTokenOptions, Scenario, ScenarioInput } from './scenarioSchema';
export { extendScenario, loadScenario, parseScenario, SCENARIOS_DIR } from './scenario';
export { APIM_TEXT } from './apimAnswers';
export { AAD } from './aadsts';

export interface SandboxEndpoints {
  scenario: string;
  gateway: string;
  mcpUrl: string;
  sseUrl: string;
  prmUrl?: string;
  entra: string;
  tenantId: string;
  authorityV2: string;
  caCertPath: string;
  control: string;
  subscriptionKey?: string;
  /** Host (with port) of the Entra emulator: put it in MSAL's knownAuthorities. */
  entraHost: string;
  /** v1 and v2 token issuers of the primary tenant. */
  issuerV1: string;
  issuerV2: string;
  /** The MCP API's app registration, when the scenario names one. */
  apiAppId?: string;
}

/** What the client under test holds, materialised from the scenario's `client` section. */
export interface ClientSetup {
  url: string;
  transport: 'streamableHttp' | 'sse';
  auth: Scenario['client']['auth'];
  /** Headers to send (may hold the sandbox's test key / minted token: do not log values). */
  headers: Record<string, string>;
  signIn?: Scenario['client']['signIn'] & { authority: string };
  toolCall?: Scenario['client']['toolCall'];
}

export interface Sandbox {
  endpoints: SandboxEndpoints;
  scenario: Scenario;
  requests(): GatewayRequestRecord[];
  clearRequests(): void;
  /** What the MCP backend received (raw bodies, header names). */
  backendRequests(): BackendRequestRecord[];
  mintToken(opts?: MintTokenOptions): Promise<string>;
  /** Every token the Entra emulator's token endpoint issued (access, refresh, id), for canary checks. */
  issuedTokens(): string[];
  /** The client credentials described by the scenario's `client` section. */
  client(): Promise<ClientSetup>;
  /** The API policy the gateway enforces (token validation, forward-request timeout), as policy XML. */
  policyXml(): string;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  latencyMs?: number;
  /** Override the scenario's valid keys (e.g. canary values). */
  subscriptionKeys?: string[];
  /** Log lines (never secrets). Default: silent. */
  log?: (line: string) => void;
}

function gatewayVars(origin: string, apiPath: string): Record<string, string> {
  return {
    gateway: origin,
    apiPath,
    mcpUrl: `${origin}/${apiPath}/mcp`,
    sseUrl: `${origin}/${apiPath}/sse`,
    prmUrl: `${origin}/${apiPath}/.well-known/oauth-protected-resource`,
  };
}

function expandDeep<T>(value: T, expand: (s: string) => string): T {
  if (typeof value === 'string') return expand(value) as T;
  if (Array.isArray(value)) return value.map((v) => expandDeep(v, expand)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [expand(k), expandDeep(v, expand)])) as T;
  }
  return value;
}

function expandWith(vars: Record<string, string | undefined>) {
  return (text: string): string => text.replace(/\{([A-Za-z0-9]+)\}/g, (m, name: string) => vars[name] ?? m);
}

export async function startSandbox(scenarioInput: Scenario | ScenarioInput | string, options: StartOptions = {}): Promise<Sandbox> {
  const scenario: Scenario = typeof scenarioInput === 'string' ? loadScenario(scenarioInput) : parseScenario(scenarioInput);
  const log = options.log ?? (() => undefined);
  const g = scenario.gateway;
  const keys = normaliseKeys(options.subscriptionKeys ?? g.subscription.keys);

  let tls: TlsMaterial | undefined;
  let backend: Backend | undefined;
  let entra: EntraEmulator | undefined;
  let gateway: Gateway | undefined;
  const settle = async <T>(promises: Promise<T>[]): Promise<T[]> => {
    const results = await Promise.allSettled(promises);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const ok = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    if (failed) throw Object.assign(new Error(String((failed.reason as Error)?.message ?? failed.reason)), { partial: ok });
    return ok as T[];
  };
  try {
    const [t, b, gwy] = await settle<TlsMaterial | Backend | Gateway>([
      makeTlsMaterial(),
      startBackend({ messagesEndpoint: `/${g.apiPath}/messages`, log }),
      startGateway(log),
    ]).catch((error: Error & { partial?: unknown[] }) => {
      tls = error.partial?.[0] as TlsMaterial | undefined;
      backend = error.partial?.[1] as Backend | undefined;
      gateway = error.partial?.[2] as Gateway | undefined;
      throw error;
    });
    tls = t as TlsMaterial;
    backend = b as Backend;
    gateway = gwy as Gateway;
    // Entra config may use the gateway-side placeholders ({gateway}, {mcpUrl}, …), e.g. an identifier URI equal to the MCP URL.
    const gwVars = gatewayVars(gateway.origin, g.apiPath);
    const entraCfg = expandDeep(scenario.entra, expandWith(gwVars));
    entra = await startEntra(entraCfg, tls, log);
  } catch (error) {
    await Promise.allSettled([backend?.stop(), gateway?.stop(), entra?.stop()]);
    tls?.dispose();
    throw error;
  }
  const gw = gateway;
  const en = entra;
  const be = backend;
  const tlsMaterial = tls;

  const tenantId = scenario.entra.tenantId;
  const mcpUrl = `${gw.origin}/${g.apiPath}/mcp`;
  const prmUrl = `${gw.origin}/${g.apiPath}/.well-known/oauth-protected-resource`;
  const authorityV2 = `${en.origin}/${tenantId}/v2.0`;
  const apiApp = expandDeep(scenario.entra.apps.find((a) => a.appId === scenario.entra.apiAppId), expandWith(gatewayVars(gw.origin, g.apiPath)));
  const vars: Record<string, string | undefined> = {
    ...gatewayVars(gw.origin, g.apiPath),
    entra: en.origin,
    tenantId,
    authorityV2,
    issuerV1: en.issuerV1(tenantId),
    issuerV2: en.issuerV2(tenantId),
    validKey: keys[0]?.key,
    apiAppId: scenario.entra.apiAppId,
    defaultClientId: scenario.entra.defaultClientId,
  };
  const expand = expandWith(vars);

  const tv = g.tokenValidation && {
    ...g.tokenValidation,
    tenantId: g.tokenValidation.tenantId ? expand(g.tokenValidation.tenantId) : undefined,
    audiences: g.tokenValidation.audiences.map(expand),
    issuers: g.tokenValidation.issuers.map(expand),
    clientApplicationIds: g.tokenValidation.clientApplicationIds.map(expand),
  };
  let acceptedIssuers: string[] = [];
  if (tv) {
    if (tv.policy === 'validate-azure-ad-token') {
      const tid = tv.tenantId ?? tenantId;
      acceptedIssuers = [en.issuerV1(tid), en.issuerV2(tid)];
    } else acceptedIssuers = tv.issuers.length ? tv.issuers : [tv.openidConfig === 'v1' ? en.issuerV1(tenantId) : en.issuerV2(tenantId)];
  }
  const prm = g.prm;
  let prmBody: Record<string, unknown> | undefined;
  if (prm.mode !== 'missing') {
    const resource = prm.resource ? expand(prm.resource) : prm.mode === 'wrongResource' ? `${gw.origin}/${g.apiPath}` : mcpUrl;
    // Scopes under the identifier URI equal to the PRM resource when the API app has one (no AADSTS9010010), else its first.
    const scopeBase = apiApp ? (apiApp.identifierUris.find((u) => u === resource) ?? apiApp.identifierUris[0] ?? apiApp.appId) : undefined;
    prmBody = {
      resource,
      authorization_servers: (prm.authorizationServers ?? ['{authorityV2}']).map(expand),
      bearer_methods_supported: prm.bearerMethodsSupported,
      scopes_supported: prm.scopesSupported ?? (apiApp && scopeBase ? apiApp.scopes.filter((s) => s.type === 'User').map((s) => `${scopeBase}/${s.value}`) : []),
    };
  }
  const resolved: ResolvedGatewayConfig = {
    ...g,
    subscription: { ...g.subscription, keys: keys.map((k) => ({ ...k, key: expand(k.key) })), apiName: g.subscription.apiName ?? g.apiPath },
    onErrorRewrite401: g.onErrorRewrite401 && { wwwAuthenticate: expand(g.onErrorRewrite401.wwwAuthenticate), body: expandDeep(g.onErrorRewrite401.body, expand) },
    latencyMs: options.latencyMs ?? g.latencyMs,
    tokenValidation: tv,
    origin: gw.origin,
    mcpUrl,
    prmUrl,
    prmBody,
    bearerResourceMetadataUrl: g.bearerChallengeResourceMetadata ? expand(g.bearerChallengeResourceMetadata) : prmUrl,
    acceptedIssuers,
    primaryTenantId: tenantId,
    openidConfigUrl: tv?.policy === 'validate-jwt' && tv.openidConfig === 'v1' ? `${en.origin}/${tenantId}/.well-known/openid-configuration` : `${en.origin}/${tv?.tenantId ?? tenantId}/v2.0/.well-known/openid-configuration`,
    entraCaPem: tlsMaterial.caCertPem,
    backendOrigin: be.origin,
  };

  const endpoints: SandboxEndpoints = {
    scenario: scenario.name,
    gateway: gw.origin,
    mcpUrl,
    sseUrl: `${gw.origin}/${g.apiPath}/sse`,
    ...(prmBody ? { prmUrl } : {}),
    entra: en.origin,
    tenantId,
    authorityV2,
    caCertPath: tlsMaterial.caCertPath,
    control: `${gw.origin}/__sandbox`,
    ...(keys[0] !== undefined ? { subscriptionKey: keys[0].key } : {}),
    entraHost: en.host,
    issuerV1: en.issuerV1(tenantId),
    issuerV2: en.issuerV2(tenantId),
    ...(scenario.entra.apiAppId ? { apiAppId: scenario.entra.apiAppId } : {}),
  };

  const mintToken = (opts: MintTokenOptions = {}) => {
    const parsed = mintTokenOptionsSchema.parse(opts);
    return en.mintToken({
      ...parsed,
      audience: parsed.audience === undefined ? undefined : expand(parsed.audience),
      issuer: parsed.issuer === undefined ? undefined : expand(parsed.issuer),
    });
  };

  const client = async (): Promise<ClientSetup> => {
    const c = scenario.client;
    const headers: Record<string, string> = {};
    if ((c.auth === 'subscriptionKey' || c.auth === 'subscriptionKeyAndEntra') && c.subscriptionKey !== undefined) {
      headers[c.keyHeaderName] = expand(c.subscriptionKey);
    }
    if ((c.auth === 'entra' || c.auth === 'subscriptionKeyAndEntra') && c.token) headers.Authorization = `Bearer ${await mintToken(c.token)}`;
    return {
      url: expand(c.url),
      transport: c.transport,
      auth: c.auth,
      headers,
      ...(c.toolCall ? { toolCall: c.toolCall } : {}),
      ...(c.signIn
        ? {
            signIn: {
              ...c.signIn,
              redirectUri: c.signIn.redirectUri && expand(c.signIn.redirectUri),
              scopes: c.signIn.scopes.map(expand),
              authority: `${en.origin}/${c.signIn.tenant ?? tenantId}/v2.0`,
            },
          }
        : {}),
    };
  };

  gw.configure(resolved, {
    endpoints: () => endpoints,
    mintToken: (opts) => mintToken(opts as MintTokenOptions),
    backendRequests: () => be.requests(),
    client,
    reset: () => {
      gw.clearRequests();
      be.clearRequests();
      gw.resetCounters();
    },
  });
  log(`sandbox: scenario ${scenario.name} ready at ${gw.origin}`);

  let stopped = false;
  return {
    endpoints,
    scenario,
    requests: () => gw.requests(),
    clearRequests: () => gw.clearRequests(),
    backendRequests: () => be.requests(),
    mintToken,
    issuedTokens: () => en.issuedTokens(),
    client,
    policyXml: () => policyXml(resolved),
    setLatency: (ms) => gw.setLatency(ms),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled([gw.stop(), en.stop(), be.stop()]);
      tlsMaterial.dispose();
    },
  };
}
