/**
 * A small Azure Resource Manager client for what Add from Azure needs: subscriptions, API Management services,
 * their MCP APIs, APIM subscriptions and `listSecrets`, and API policies. Pure (no vscode): fetch and the token
 * are injected. Lists follow `nextLink`; 429 and 503 answers are retried after `Retry-After`, a bounded number
 * of times; every call takes an AbortSignal. Failures are `ArmError`s, which `armErrorFinding` turns into findings.
 */
import type { FetchLike } from '../probe/nodeFetch';
import { Secret } from '../secret';
import { errorMessage } from '../basics';

/** Resource Manager API versions (public REST reference). `type: mcp` APIs need a 2024-06 preview or later. */
export const API_VERSIONS = {
  subscriptions: '2022-12-01',
  apiManagement: '2024-06-01-preview',
} as const;

const MAX_PAGES = 100;

export interface ArmClientOptions {
  readonly fetch: FetchLike;
  /** Resource Manager endpoint, e.g. https://management.azure.com (see clouds.ts). */
  readonly endpoint: string;
  /** A Resource Manager access token; called before each request (the caller caches). */
  readonly getToken: () => Promise<Secret>;
  /** Retries after 429/503. Default 3. */
  readonly maxRetries?: number;
  /** The longest `Retry-After` honoured, in seconds. Default 30; longer waits fail as throttled. */
  readonly maxRetryAfterSeconds?: number;
  /** Waits `ms` (tests inject a fast clock). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called with one line per request (method, path, status); never a token or key. */
  readonly trace?: (line: string) => void;
}

export interface AzureSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly state?: string;
  readonly tenantId?: string;
}

export interface ApimService {
  readonly id: string;
  readonly name: string;
  readonly location?: string;
  readonly resourceGroup: string;
  readonly gatewayUrl?: string;
  readonly sku?: string;
}

export interface ApimApi {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  /** `mcp` for MCP servers; `http`, `soap`, … otherwise. */
  readonly type?: string;
  readonly path: string;
  readonly subscriptionRequired: boolean;
  readonly keyHeaderName: string;
  readonly keyQueryName: string;
  /** The API's `mcpProperties`, when it has any (existing MCP server exposed through APIM). */
  readonly mcpProperties?: Record<string, unknown>;
  readonly isCurrent?: boolean;
}

/** `service` is the built-in all-access subscription: its scope is the service itself (`<service id>/`), and it opens every API. */
export type ApimSubscriptionScope =
  | { kind: 'service' }
  | { kind: 'allApis' }
  | { kind: 'api'; apiName: string }
  | { kind: 'product'; productName: string }
  | { kind: 'other'; scope: string };

export interface ApimSubscription {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly scope: ApimSubscriptionScope;
  readonly rawScope: string;
  /** active, suspended, submitted, rejected, cancelled, expired. */
  readonly state: string;
}

export interface ApimSecrets {
  readonly primaryKey?: Secret;
  readonly secondaryKey?: Secret;
}

/** A Resource Manager error answer, or a transport failure (status 0). */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What was being done, e.g. `list secrets of subscription 'x'`. */
    readonly operation: string,
    /** The resource path the request was for. */
    readonly resource: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ArmError';
  }
}

export class ArmClient {
  private readonly endpoint: string;
  private readonly maxRetries: number;
  private readonly maxRetryAfter: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: ArmClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.maxRetries = options.maxRetries ?? 3;
    this.maxRetryAfter = options.maxRetryAfterSeconds ?? 30;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async listSubscriptions(signal?: AbortSignal): Promise<AzureSubscription[]> {
    const items = await this.list(`/subscriptions?api-version=${API_VERSIONS.subscriptions}`, 'list subscriptions', signal);
    return items.map((s) => ({
      subscriptionId: str(s.subscriptionId) ?? lastSegment(str(s.id) ?? ''),
      displayName: str(s.displayName) ?? str(s.subscriptionId) ?? '',
      state: str(s.state),
      tenantId: str(s.tenantId),
    }));
  }

  async listServices(subscriptionId: string, signal?: AbortSignal): Promise<ApimService[]> {
    const path = `/subscriptions/${enc(subscriptionId)}/providers/Microsoft.ApiManagement/service?api-version=${API_VERSIONS.apiManagement}`;
    const items = await this.list(path, `list API Management services in subscription '${subscriptionId}'`, signal);
    return items.map((s) => {
      const props = obj(s.properties);
      const sku = obj(s.sku);
      const id = str(s.id) ?? '';
      return { id, name: str(s.name) ?? lastSegment(id), location: str(s.location), resourceGroup: segmentAfter(id, 'resourceGroups') ?? '', gatewayUrl: str(props.gatewayUrl), sku: str(sku.name) };
    });
  }

  /** Every API of the service (current revisions); filter with `isMcpApi`. */
  async listApis(serviceId: string, signal?: AbortSignal): Promise<ApimApi[]> {
    const items = await this.list(`${serviceId}/apis?api-version=${API_VERSIONS.apiManagement}`, `list the APIs of '${lastSegment(serviceId)}'`, signal);
    return items.map(toApi).filter((a) => a.isCurrent !== false);
  }

  async getApi(apiId: string, signal?: AbortSignal): Promise<ApimApi> {
    return toApi(await this.json('GET', `${apiId}?api-version=${API_VERSIONS.apiManagement}`, `read API '${lastSegment(apiId)}'`, signal));
  }

  async listSubscriptionsOfService(serviceId: string, signal?: AbortSignal): Promise<ApimSubscription[]> {
    const items = await this.list(`${serviceId}/subscriptions?api-version=${API_VERSIONS.apiManagement}`, `list the subscriptions of '${lastSegment(serviceId)}'`, signal);
    return items.map((s) => {
      const props = obj(s.properties);
      const id = str(s.id) ?? '';
      const rawScope = str(props.scope) ?? '';
      return { id, name: str(s.name) ?? lastSegment(id), displayName: str(props.displayName) ?? str(s.name) ?? '', scope: parseScope(rawScope), rawScope, state: str(props.state) ?? 'unknown' };
    });
  }

  /** The names of the products that include the API. */
  async listProductsOfApi(apiId: string, signal?: AbortSignal): Promise<string[]> {
    const items = await this.list(`${apiId}/products?api-version=${API_VERSIONS.apiManagement}`, `list the products of API '${lastSegment(apiId)}'`, signal);
    return items.map((p) => str(p.name) ?? lastSegment(str(p.id) ?? ''));
  }

  /** The subscriptions whose scope covers the API: all APIs, the API itself, or a product that includes it. */
  async subscriptionsCovering(serviceId: string, api: Pick<ApimApi, 'id' | 'name'>, signal?: AbortSignal): Promise<ApimSubscription[]> {
    const [subscriptions, products] = await Promise.all([this.listSubscriptionsOfService(serviceId, signal), this.listProductsOfApi(api.id, signal)]);
    return subscriptions.filter((s) => covers(s.scope, api.name, products));
  }

  /** `POST …/subscriptions/{sid}/listSecrets`: the keys, as Secrets. */
  async listSecrets(subscriptionId: string, signal?: AbortSignal): Promise<ApimSecrets> {
    const body = await this.json('POST', `${subscriptionId}/listSecrets?api-version=${API_VERSIONS.apiManagement}`, `list the secrets of subscription '${lastSegment(subscriptionId)}'`, signal);
    const primary = str(body.primaryKey);
    const secondary = str(body.secondaryKey);
    return { primaryKey: primary ? Secret.of(primary) : undefined, secondaryKey: secondary ? Secret.of(secondary) : undefined };
  }

  /** The API's policy as raw XML, or undefined when it has none (404). */
  async apiPolicy(apiId: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const body = await this.json('GET', `${apiId}/policies/policy?format=rawxml&api-version=${API_VERSIONS.apiManagement}`, `read the policy of API '${lastSegment(apiId)}'`, signal);
      return str(obj(body.properties).value);
    } catch (error: unknown) {
      if (error instanceof ArmError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** GETs every page of a list, following `nextLink` (same origin only). */
  private async list(path: string, operation: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const body = await this.json('GET', next, operation, signal);
      if (Array.isArray(body.value)) out.push(...body.value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null));
      const link = str(body.nextLink);
      next = link ? this.sameOriginPath(link, operation) : undefined;
    }
    return out;
  }

  private sameOriginPath(link: string, operation: string): string {
    const url = new URL(link, this.endpoint);
    if (url.origin !== new URL(this.endpoint).origin) throw new ArmError(0, 'InvalidNextLink', `The nextLink points to another origin (${url.origin}); not followed.`, operation, link);
    return url.pathname + url.search;
  }

  private async json(method: 'GET' | 'POST', path: string, operation: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = path.startsWith('/') ? `${this.endpoint}${path}` : `${this.endpoint}/${path}`;
    const resource = path.split('?')[0]!;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const token = await this.options.getToken();
      let res: Response;
      try {
        res = await this.options.fetch(url, {
          method,
          headers: { authorization: `Bearer ${token.reveal()}`, accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(method === 'POST' ? { body: '{}' } : {}),
          signal,
        });
      } catch (error: unknown) {
        if (signal?.aborted) throw signal.reason ?? error;
        throw new ArmError(0, 'NetworkError', errorMessage(error), operation, resource);
      }
      this.options.trace?.(`${method} ${resource} → ${res.status}`);
      const text = await res.text();
      if (res.ok) {
        try {
          const parsed: unknown = text ? JSON.parse(text) : {};
          return obj(parsed);
        } catch {
          throw new ArmError(res.status, 'InvalidResponse', 'Resource Manager answered with a body that is not JSON.', operation, resource);
        }
      }
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      const { code, message } = errorBody(text, res.status);
      if ((res.status === 429 || res.status === 503) && attempt < this.maxRetries && (retryAfter ?? 0) <= this.maxRetryAfter) {
        await this.sleep((retryAfter ?? 2 ** attempt) * 1000, signal);
        continue;
      }
      throw new ArmError(res.status, code, message, operation, resource, retryAfter);
    }
  }
}

export function isMcpApi(api: ApimApi): boolean {
  return api.type?.toLowerCase() === 'mcp' || api.mcpProperties !== undefined;
}

/** The server's `/mcp` (streamable HTTP) and legacy `/sse` URLs on the gateway. */
export function mcpUrls(gatewayUrl: string, apiPath: string): { mcp: string; sse: string } {
  const base = `${gatewayUrl.replace(/\/+$/, '')}/${apiPath.replace(/^\/+|\/+$/g, '')}`.replace(/\/+$/, '');
  return { mcp: `${base}/mcp`, sse: `${base}/sse` };
}

export function parseScope(scope: string): ApimSubscriptionScope {
  const s = scope.replace(/\/+$/, '');
  if (/\/providers\/Microsoft\.ApiManagement\/service\/[^/]+$/i.test(s)) return { kind: 'service' };
  if (/\/apis$/i.test(s)) return { kind: 'allApis' };
  const api = /\/apis\/([^/]+)$/i.exec(s);
  if (api) return { kind: 'api', apiName: decodeURIComponent(api[1]!) };
  const product = /\/products\/([^/]+)$/i.exec(s);
  if (product) return { kind: 'product', productName: decodeURIComponent(product[1]!) };
  return { kind: 'other', scope };
}

export function covers(scope: ApimSubscriptionScope, apiName: string, productsOfApi: readonly string[]): boolean {
  switch (scope.kind) {
    case 'service':
    case 'allApis':
      return true;
    case 'api':
      return scope.apiName.toLowerCase() === apiName.toLowerCase();
    case 'product':
      return productsOfApi.some((p) => p.toLowerCase() === scope.productName.toLowerCase());
    case 'other':
      return false;
  }
}

function toApi(a: Record<string, unknown>): ApimApi {
  const props = obj(a.properties);
  const names = obj(props.subscriptionKeyParameterNames);
  const id = str(a.id) ?? '';
  const mcp = props.mcpProperties;
  return {
    id,
    name: str(a.name) ?? lastSegment(id),
    displayName: str(props.displayName) ?? str(a.name) ?? '',
    type: str(props.type) ?? str(props.apiType),
    path: str(props.path) ?? '',
    subscriptionRequired: props.subscriptionRequired !== false,
    keyHeaderName: str(names.header) || 'Ocp-Apim-Subscription-Key',
    keyQueryName: str(names.query) || 'subscription-key',
    mcpProperties: typeof mcp === 'object' && mcp !== null ? (mcp as Record<string, unknown>) : undefined,
    isCurrent: typeof props.isCurrent === 'boolean' ? props.isCurrent : undefined,
  };
}

function errorBody(text: string, status: number): { code: string; message: string } {
  try {
    const err = obj(obj(JSON.parse(text)).error);
    const code = str(err.code);
    const message = str(err.message);
    if (code || message) return { code: code ?? `Http${status}`, message: message ?? '' };
  } catch {
    // not JSON
  }
  return { code: `Http${status}`, message: text.slice(0, 300) };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

export function lastSegment(id: string): string {
  return id.split('/').filter(Boolean).at(-1) ?? '';
}

function segmentAfter(id: string, name: string): string | undefined {
  const parts = id.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === name.toLowerCase());
  return i >= 0 ? parts[i + 1] : undefined;
}
