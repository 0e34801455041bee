/**
 * Emulated Azure Resource Manager for Add from Azure, on its own 127.0.0.1 port (HTTP). Response shapes follow the
 * public REST reference: lists are `{ value: [...], nextLink }`, errors `{ error: { code, message } }` with ARM's
 * `AuthorizationFailed` wording, 429 with `Retry-After`. Callers need a bearer token: one of `acceptedTokens`, or
 * one that `verifyToken` accepts (e.g. a JWT from the Entra emulator with the ARM audience).
 *
 *   GET  /subscriptions
 *   GET  /subscriptions/{s}/providers/Microsoft.ApiManagement/service
 *   GET  {service}/apis            GET {service}/apis/{api}      GET {service}/apis/{api}/products
 *   GET  {service}/apis/{api}/policies/policy?format=rawxml
 *   GET  {service}/subscriptions   POST {service}/subscriptions/{sid}/listSecrets
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../harness/processes';

export interface ArmApiConfig {
  name: string;
  displayName?: string;
  /** 'mcp' for MCP servers. Default 'http'. */
  type?: string;
  path: string;
  /** Default: false for MCP servers (as the portal creates them), true otherwise (FIDELITY.md A7, A8). */
  subscriptionRequired?: boolean;
  subscriptionKeyParameterNames?: { header: string; query: string };
  mcpProperties?: Record<string, unknown>;
  /** The API policy, raw XML. */
  policy?: string;
}

export interface ArmApimSubscriptionConfig {
  name: string;
  displayName?: string;
  /** 'service' (the built-in all-access subscription) | 'all' (all APIs) | 'api:<name>' | 'product:<name>'. */
  scope: string;
  state?: string;
  primaryKey: string;
  secondaryKey?: string;
}

export interface ArmServiceConfig {
  name: string;
  resourceGroup: string;
  location?: string;
  gatewayUrl: string;
  apis: ArmApiConfig[];
  products?: { name: string; apis: string[] }[];
  subscriptions: ArmApimSubscriptionConfig[];
}

export interface ArmConfig {
  subscriptions: { subscriptionId: string; displayName: string; tenantId?: string; services: ArmServiceConfig[] }[];
  /** Actions denied to the caller (e.g. `Microsoft.ApiManagement/service/subscriptions/listSecrets/action`). */
  deniedActions?: string[];
  /** Items per page (nextLink beyond). Default 50. */
  pageSize?: number;
  /** Answer the first N requests with 429 and this Retry-After (seconds). */
  throttle?: { requests: number; retryAfterSeconds: number };
  acceptedTokens?: string[];
  verifyToken?: (token: string) => Promise<{ oid?: string } | undefined>;
  /** The object id quoted in AuthorizationFailed messages. */
  principalObjectId?: string;
  principalClientId?: string;
}

export interface ArmRequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface ArmEmulator {
  origin: string;
  requests(): ArmRequestRecord[];
  clearRequests(): void;
  /** Replace parts of the config at run time (denied actions, throttling). */
  update(patch: Partial<Pick<ArmConfig, 'deniedActions' | 'throttle' | 'pageSize'>>): void;
  stop(): Promise<void>;
}

const P = 'providers/Microsoft.ApiManagement/service';
/** The first api-version that shows `type: mcp` APIs. */
const MCP_API_VERSION = '2024-06-01-preview';

/**
 * ARM's throttling answer: code SubscriptionRequestsThrottled, naming the subscription, the operation (method and the
 * path's resource types, upper case, names left out) and the wait in seconds (FIDELITY.md A11).
 */
function throttledBody(method: string, path: string, retryAfterSeconds: number): unknown {
  const segments = path.split('/').filter(Boolean);
  const subscription = segments[segments.findIndex((s) => s.toLowerCase() === 'subscriptions') + 1] ?? '';
  const providers = segments.findIndex((s) => s.toLowerCase() === 'providers');
  // Before the provider namespace every other segment is a name (subscriptions/<id>/resourceGroups/<rg>); after it, types and names alternate too.
  const types = segments.filter((_, i) => (providers < 0 || i <= providers ? i % 2 === 0 : i === providers + 1 || (i - providers) % 2 === 0));
  const operation = `${method}/${types.join('/')}`.toUpperCase();
  return {
    error: {
      code: 'SubscriptionRequestsThrottled',
      message: `Number of requests for subscription '${subscription}' and operation '${operation}' exceeded the backend storage limit. Please try again after '${retryAfterSeconds}' seconds.`,
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': crypto.randomUUID(), ...headers });
  res.end(text);
}

export async function startArm(initial: ArmConfig): Promise<ArmEmulator> {
  const cfg: ArmConfig = { ...initial };
  const records: ArmRequestRecord[] = [];
  let throttled = 0;
  let origin = '';

  const serviceId = (sub: string, svc: ArmServiceConfig) => `/subscriptions/${sub}/resourceGroups/${svc.resourceGroup}/${P}/${svc.name}`;
  const scopeOf = (sub: string, svc: ArmServiceConfig, scope: string) => {
    const base = serviceId(sub, svc);
    // The all-access subscription's scope is the service id with a trailing slash (a portal export, FIDELITY.md A3).
    if (scope === 'service') return `${base}/`;
    if (scope === 'all') return `${base}/apis`;
    const [kind, name] = scope.split(':');
    return kind === 'api' ? `${base}/apis/${name}` : `${base}/products/${name}`;
  };

  function page(req: URL, items: unknown[]): unknown {
    const size = cfg.pageSize ?? 50;
    const skip = Number(req.searchParams.get('$skiptoken') ?? '0') || 0;
    const slice = items.slice(skip, skip + size);
    if (skip + size < items.length) {
      const next = new URL(req.pathname + req.search, origin);
      next.searchParams.set('$skiptoken', String(skip + size));
      return { value: slice, nextLink: next.toString() };
    }
    return { value: slice };
  }

  function denied(res: ServerResponse, action: string, scope: string, clientId: string, oid: string): boolean {
    if (!(cfg.deniedActions ?? []).some((a) => a.toLowerCase() === action.toLowerCase())) return false;
    send(res, 403, {
      error: {
        code: 'AuthorizationFailed',
        message: `The client '${clientId}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    if (cfg.throttle && throttled < cfg.throttle.requests) {
      throttled++;
      return send(res, 429, throttledBody(method, url.pathname, cfg.throttle.retryAfterSeconds), { 'retry-after': String(cfg.throttle.retryAfterSeconds) });
    }
    if (!url.searchParams.get('api-version')) return send(res, 400, { error: { code: 'MissingApiVersionParameter', message: "The api-version query parameter (?api-version=) is required for all requests." } });
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(auth)?.[1];
    let oid = cfg.principalObjectId ?? '00000000-0000-0000-0000-0000000000aa';
    let ok = !!token && (cfg.acceptedTokens ?? []).includes(token);
    if (!ok && token && cfg.verifyToken) {
      const claims = await cfg.verifyToken(token).catch(() => undefined);
      if (claims) {
        ok = true;
        oid = claims.oid ?? oid;
      }
    }
    if (!ok) {
      return send(res, 401, { error: { code: token ? 'InvalidAuthenticationToken' : 'AuthenticationFailed', message: token ? 'The access token is invalid.' : "Authentication failed. The 'Authorization' header is missing." } }, { 'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' });
    }
    const clientId = cfg.principalClientId ?? '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const lower = parts.map((p) => p.toLowerCase());

    if (method === 'GET' && parts.length === 1 && lower[0] === 'subscriptions') {
      return send(res, 200, page(url, cfg.subscriptions.map((s) => ({ id: `/subscriptions/${s.subscriptionId}`, subscriptionId: s.subscriptionId, displayName: s.displayName, state: 'Enabled', tenantId: s.tenantId }))));
    }
    const sub = lower[0] === 'subscriptions' ? cfg.subscriptions.find((s) => s.subscriptionId.toLowerCase() === lower[1]) : undefined;
    if (!sub) return send(res, 404, { error: { code: 'SubscriptionNotFound', message: `The subscription '${parts[1] ?? ''}' could not be found.` } });
    const subId = sub.subscriptionId;

    if (method === 'GET' && parts.length === 5 && lower[2] === 'providers' && lower[4] === 'service') {
      if (denied(res, 'Microsoft.ApiManagement/service/read', `/subscriptions/${subId}`, clientId, oid)) return;
      return send(res, 200, page(url, sub.services.map((svc) => ({
        id: serviceId(subId, svc), name: svc.name, type: 'Microsoft.ApiManagement/service', location: svc.location ?? 'West Europe',
        sku: { name: 'Developer', capacity: 1 }, properties: { gatewayUrl: svc.gatewayUrl, provisioningState: 'Succeeded' },
      }))));
    }
    // /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{name}/...
    if (lower[2] !== 'resourcegroups' || lower[4] !== 'providers' || lower[5] !== 'microsoft.apimanagement' || lower[6] !== 'service') {
      return send(res, 404, { error: { code: 'ResourceNotFound', message: `The resource '${url.pathname}' was not found.` } });
    }
    const svc = sub.services.find((s) => s.name.toLowerCase() === lower[7] && s.resourceGroup.toLowerCase() === lower[3]);
    if (!svc) return send(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource 'Microsoft.ApiManagement/service/${parts[7]}' under resource group '${parts[3]}' was not found.` } });
    const base = serviceId(subId, svc);
    const rest = lower.slice(8);
    const apiJson = (api: ArmApiConfig) => ({
      id: `${base}/apis/${api.name}`, type: 'Microsoft.ApiManagement/service/apis', name: api.name,
      properties: {
        displayName: api.displayName ?? api.name, path: api.path, type: api.type ?? 'http', apiType: api.type ?? 'http', protocols: ['https'], isCurrent: true,
        subscriptionRequired: api.subscriptionRequired ?? api.type !== 'mcp',
        subscriptionKeyParameterNames: api.subscriptionKeyParameterNames ?? { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
        ...(api.mcpProperties ? { mcpProperties: api.mcpProperties } : {}),
      },
    });
    // MCP APIs exist only for api-versions from 2024-06-01-preview on (FIDELITY.md A6).
    const visible = (api: ArmApiConfig) => api.type !== 'mcp' || (url.searchParams.get('api-version') ?? '') >= MCP_API_VERSION;
    if (method === 'GET' && rest.length === 1 && rest[0] === 'apis') {
      if (denied(res, 'Microsoft.ApiManagement/service/apis/read', base, clientId, oid)) return;
      return send(res, 200, page(url, svc.apis.filter(visible).map(apiJson)));
    }
    if (rest[0] === 'apis' && rest.length >= 2) {
      const api = svc.apis.filter(visible).find((a) => a.name.toLowerCase() === rest[1]);
      if (!api) return send(res, 404, { error: { code: 'ResourceNotFound', message: 'Api not found.' } });
      if (method === 'GET' && rest.length === 2) return send(res, 200, apiJson(api));
      if (method === 'GET' && rest.length === 3 && rest[2] === 'products') {
        const products = (svc.products ?? []).filter((p) => p.apis.some((a) => a.toLowerCase() === api.name.toLowerCase()));
        return send(res, 200, page(url, products.map((p) => ({ id: `${base}/products/${p.name}`, type: 'Microsoft.ApiManagement/service/products', name: p.name, properties: { displayName: p.name, subscriptionRequired: true, state: 'published' } }))));
      }
      if (method === 'GET' && rest.length === 4 && rest[2] === 'policies' && rest[3] === 'policy') {
        if (denied(res, 'Microsoft.ApiManagement/service/apis/policies/read', `${base}/apis/${api.name}`, clientId, oid)) return;
        if (!api.policy) return send(res, 404, { error: { code: 'ResourceNotFound', message: 'Policy configuration does not exist.' } });
        return send(res, 200, { id: `${base}/apis/${api.name}/policies/policy`, type: 'Microsoft.ApiManagement/service/apis/policies', name: 'policy', properties: { format: url.searchParams.get('format') ?? 'xml', value: api.policy } });
      }
    }
    if (rest[0] === 'subscriptions') {
      const subJson = (s: ArmApimSubscriptionConfig) => ({
        id: `${base}/subscriptions/${s.name}`, type: 'Microsoft.ApiManagement/service/subscriptions', name: s.name,
        properties: { displayName: s.displayName ?? s.name, scope: scopeOf(subId, svc, s.scope), state: s.state ?? 'active', allowTracing: false, createdDate: '2025-11-01T00:00:00Z' },
      });
      if (method === 'GET' && rest.length === 1) {
        if (denied(res, 'Microsoft.ApiManagement/service/subscriptions/read', base, clientId, oid)) return;
        return send(res, 200, page(url, svc.subscriptions.map(subJson)));
      }
      const s = svc.subscriptions.find((x) => x.name.toLowerCase() === rest[1]);
      if (!s) return send(res, 404, { error: { code: 'ResourceNotFound', message: 'Subscription not found.' } });
      if (method === 'POST' && rest.length === 3 && rest[2] === 'listsecrets') {
        if (denied(res, 'Microsoft.ApiManagement/service/subscriptions/listSecrets/action', `${base}/subscriptions/${s.name}`, clientId, oid)) return;
        return send(res, 200, { primaryKey: s.primaryKey, secondaryKey: s.secondaryKey ?? `${s.primaryKey}-secondary` });
      }
    }
    return send(res, 404, { error: { code: 'ResourceNotFound', message: `The resource '${url.pathname}' was not found.` } });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    res.on('finish', () => records.push({ method: req.method ?? '', path, status: res.statusCode }));
    req.resume();
    req.on('end', () => {
      handle(req, res).catch((error: unknown) => send(res, 500, { error: { code: 'InternalServerError', message: String((error as Error)?.message ?? error) } }));
    });
  });
  origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  return {
    origin,
    requests: () => [...records],
    clearRequests: () => void records.splice(0),
    update: (patch) => {
      Object.assign(cfg, patch);
      if (patch.throttle) throttled = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
