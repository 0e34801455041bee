/**
 * APIM gateway emulator in front of the MCP backend. Pipeline per request (APIM order):
 * operation match (404) → subscription key (401) → ip-filter (403) → validate-jwt / validate-azure-ad-token (401)
 * → rate-limit (429) → quota (403) → body read + per-tool role check (403 / 500) → forward (streamed, never buffered).
 * Caller-visible texts are APIM's verbatim ones (research §1); the precise reason goes to the request record only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { get as httpsGet } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { listenOnLoopback } from '../harness/processes';
import type { GatewayConfig, TokenValidationConfig } from './scenarioSchema';

const josePromise = import('jose');
type Jose = Awaited<typeof josePromise>;
type JWKS = Parameters<Jose['createLocalJWKSet']>[0];

export interface GatewayRequestRecord {
  at: number;
  method: string;
  /** Path only: the query is never recorded (it may carry a key). */
  path: string;
  jsonrpcMethod?: string;
  toolName?: string;
  keyHeaderName?: string;
  keyStatus: 'absent' | 'valid' | 'invalid';
  authorization: 'absent' | 'valid' | 'invalid';
  headerNames: string[];
  status: number;
  outcome: string;
  /** APIM-trace-like detail of the outcome (IDX-style for token failures). Never holds key or token values. */
  detail?: string;
}

export const APIM_TEXT = {
  keyMissing: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  keyInvalid: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  jwtNotPresent: 'JWT not present.',
  jwtInvalid: 'Invalid JWT.',
  aadNotPresent: 'Azure AD JWT not present',
  aadInvalid: 'Invalid Azure AD JWT',
  notFound: 'Resource not found',
  forbidden: 'Forbidden',
  rateLimited: (s: number) => `Rate limit is exceeded. Try again in ${s} seconds.`,
  quota: (when: string) => `Out of call volume quota. Quota will be replenished in ${when}.`,
} as const;

/** Everything the gateway needs, with templates already expanded. */
export interface ResolvedGatewayConfig extends GatewayConfig {
  origin: string;
  mcpUrl: string;
  prmUrl: string;
  prmBody?: Record<string, unknown>;
  bearerResourceMetadataUrl: string;
  /** Issuers accepted when token validation is on (validate-jwt list, or the tenant's v1+v2 for validate-azure-ad-token). */
  acceptedIssuers: string[];
  primaryTenantId: string;
  openidConfigUrl: string;
  entraCaPem: string;
  backendOrigin: string;
}

export interface ControlHandlers {
  endpoints(): unknown;
  mintToken(opts: unknown): Promise<string>;
  backendRequests(): unknown;
  client(): Promise<unknown>;
  reset(): void;
}

export interface Gateway {
  origin: string;
  configure(cfg: ResolvedGatewayConfig, control: ControlHandlers): void;
  requests(): GatewayRequestRecord[];
  clearRequests(): void;
  resetCounters(): void;
  setLatency(ms: number): void;
  latency(): number;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function httpsJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          if ((res.statusCode ?? 0) >= 400) throw new Error(`HTTP ${res.statusCode}`);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** APIM's error body layout, as captured in research §1.2: `{ "statusCode": 401, "message": "…" }` on one line. */
export function apimJson(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  return `{ ${Object.entries(body as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
}

interface TokenResult {
  status: 'absent' | 'valid' | 'invalid';
  outcome: string;
  detail?: string;
  payload?: Record<string, unknown>;
}

function claimValues(value: unknown, separator?: string): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value === undefined || value === null) return [];
  const s = String(value);
  return separator ? s.split(separator) : [s];
}

export async function startGateway(log: (line: string) => void = () => undefined): Promise<Gateway> {
  const jose = await josePromise;
  let cfg: ResolvedGatewayConfig | undefined;
  let control: ControlHandlers | undefined;
  const records: GatewayRequestRecord[] = [];
  let latencyMs = 0;
  let rateCount = 0;
  let quotaCount = 0;
  let jwks: ReturnType<Jose['createLocalJWKSet']> | undefined;
  let jwksKids = new Set<string>();

  async function loadKeys(): Promise<void> {
    const meta = (await httpsJson(cfg!.openidConfigUrl, cfg!.entraCaPem)) as { jwks_uri: string };
    const set = (await httpsJson(meta.jwks_uri, cfg!.entraCaPem)) as JWKS;
    jwks = jose.createLocalJWKSet(set);
    jwksKids = new Set(set.keys.map((k) => String(k.kid)));
  }

  async function validateToken(req: IncomingMessage, tv: TokenValidationConfig | undefined): Promise<TokenResult> {
    const headerName = (tv?.headerName ?? 'Authorization').toLowerCase();
    const raw = req.headers[headerName];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) return { status: 'absent', outcome: 'tokenMissing', detail: 'TokenNotPresent: JWT not present.' };
    let token = value;
    const scheme = tv ? tv.requireScheme : 'Bearer';
    if (scheme) {
      const prefix = `${scheme} `;
      if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) {
        return { status: 'absent', outcome: 'tokenMissing', detail: `TokenNotPresent: the ${headerName} header does not use the ${scheme} scheme.` };
      }
      token = value.slice(prefix.length).trim();
    }
    let header: ReturnType<Jose['decodeProtectedHeader']>;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      return { status: 'invalid', outcome: 'tokenMalformed', detail: 'JwtInvalid: IDX12741: JWT is not well formed.' };
    }
    try {
      if (!jwks || (header.kid && !jwksKids.has(header.kid))) await loadKeys();
    } catch (error) {
      return { status: 'invalid', outcome: 'tokenSignature', detail: `TokenSignatureKeyNotFound: cannot load signing keys (${(error as Error).message}).` };
    }
    if (header.kid && !jwksKids.has(header.kid)) {
      return { status: 'invalid', outcome: 'tokenSignature', detail: `TokenSignatureKeyNotFound: IDX10501: Signature validation failed. Unable to match key: kid: '${header.kid}'.` };
    }
    let payload: Record<string, unknown>;
    try {
      const verified = await jose.compactVerify(token, jwks!, { algorithms: ['RS256'] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    } catch {
      return { status: 'invalid', outcome: 'tokenSignature', detail: 'TokenSignatureInvalid: IDX10511: Signature validation failed.' };
    }
    const now = Math.floor(Date.now() / 1000);
    const skew = tv?.clockSkewSeconds ?? 0;
    const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
    if (exp === undefined && (tv?.requireExpirationTime ?? true)) {
      return { status: 'invalid', outcome: 'tokenNoExpiration', detail: "TokenExpired: IDX10225: Lifetime validation failed. The token is missing an Expiration Time.", payload };
    }
    if (exp !== undefined && exp + skew <= now) {
      return { status: 'invalid', outcome: 'tokenExpired', detail: `TokenExpired: IDX10223: Lifetime validation failed. The token is expired. ValidTo (UTC): '${new Date(exp * 1000).toISOString()}', Current time (UTC): '${new Date(now * 1000).toISOString()}'.`, payload };
    }
    if (typeof payload.nbf === 'number' && payload.nbf - skew > now) {
      return { status: 'invalid', outcome: 'tokenNotYetValid', detail: `JwtInvalid: IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom (UTC): '${new Date(payload.nbf * 1000).toISOString()}'.`, payload };
    }
    if (!tv) return { status: 'valid', outcome: 'ok', payload };
    const auds = claimValues(payload.aud);
    if (tv.audiences.length && !auds.some((a) => tv.audiences.includes(a))) {
      return { status: 'invalid', outcome: 'tokenAudience', detail: `TokenAudienceNotAllowed: IDX10214: Audience validation failed. Audiences: '${auds.join(', ')}'. Did not match: validationParameters.ValidAudiences: '${tv.audiences.join(', ')}'.`, payload };
    }
    const iss = String(payload.iss ?? '');
    if (!cfg!.acceptedIssuers.includes(iss)) {
      const tenantMismatch = typeof payload.tid === 'string' && payload.tid !== (tv.tenantId ?? cfg!.primaryTenantId);
      return {
        status: 'invalid',
        outcome: tenantMismatch ? 'tokenTenant' : 'tokenIssuer',
        detail: `TokenIssuerNotAllowed: IDX10205: Issuer validation failed. Issuer: '${iss}'. Did not match: validationParameters.ValidIssuers: '${cfg!.acceptedIssuers.join(', ')}'.`,
        payload,
      };
    }
    if (tv.clientApplicationIds.length) {
      const client = String(payload.azp ?? payload.appid ?? '');
      if (!tv.clientApplicationIds.includes(client)) {
        return { status: 'invalid', outcome: 'tokenClientApp', detail: `TokenClientApplicationNotAllowed: client application '${client}' is not in client-application-ids.`, payload };
      }
    }
    for (const claim of tv.requiredClaims) {
      if (!(claim.name in payload)) {
        return { status: 'invalid', outcome: claim.name === 'scp' ? 'tokenScope' : 'tokenClaimMissing', detail: `TokenClaimNotFound: JWT token is missing the following claims: ${claim.name}. Access denied.`, payload };
      }
      if (claim.values.length) {
        const have = claimValues(payload[claim.name], claim.separator ?? (claim.name === 'scp' ? ' ' : undefined));
        const ok = claim.match === 'any' ? claim.values.some((v) => have.includes(v)) : claim.values.every((v) => have.includes(v));
        if (!ok) {
          return {
            status: 'invalid',
            outcome: claim.name === 'scp' ? 'tokenScope' : 'tokenClaimValue',
            detail: `TokenClaimValueNotAllowed: Claim ${claim.name} value of ${have.join(claim.separator ?? ',')} is not allowed. Access denied.`,
            payload,
          };
        }
      }
    }
    return { status: 'valid', outcome: 'ok', payload };
  }

  function sendApimError(res: ServerResponse, rec: GatewayRequestRecord, status: number, body: unknown, outcome: string, extra: Record<string, string> = {}, detail?: string) {
    rec.status = status;
    rec.outcome = outcome;
    if (detail) rec.detail = detail;
    const text = apimJson(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra }).end(text);
  }

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string) {
    if (!control) return sendJson(res, 503, { error: 'not ready' });
    const body = req.method === 'POST' ? (await readBody(req)).toString('utf8') : '';
    const parse = () => (body ? (JSON.parse(body) as Record<string, unknown>) : {});
    try {
      if (req.method === 'GET' && path === 'endpoints') return sendJson(res, 200, control.endpoints());
      if (req.method === 'GET' && path === 'requests') return sendJson(res, 200, records);
      if (req.method === 'GET' && path === 'backend-requests') return sendJson(res, 200, control.backendRequests());
      if (req.method === 'GET' && path === 'client') return sendJson(res, 200, await control.client());
      if (req.method === 'POST' && path === 'reset') {
        control.reset();
        return sendJson(res, 200, { ok: true });
      }
      if (req.method === 'POST' && path === 'token') return sendJson(res, 200, { access_token: await control.mintToken(parse()) });
      if (req.method === 'POST' && path === 'latency') {
        const ms = Number(parse().ms);
        if (!Number.isFinite(ms) || ms < 0) return sendJson(res, 400, { error: 'ms must be a non-negative number' });
        latencyMs = ms;
        return sendJson(res, 200, { ms });
      }
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
    return sendJson(res, 404, { error: 'unknown control endpoint' });
  }

  function forward(req: IncomingMessage, res: ServerResponse, rec: GatewayRequestRecord, backendPath: string, body: Buffer | undefined) {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${prior}, ${req.socket.remoteAddress}` : (req.socket.remoteAddress ?? '');
    if (body !== undefined) headers['content-length'] = String(body.length);
    const target = new URL(backendPath, cfg!.backendOrigin);
    const upstream = httpRequest(target, { method: req.method, headers }, (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name) ) out[name] = value;
      if (up.headers['content-length']) out['content-length'] = up.headers['content-length'];
      rec.status = up.statusCode ?? 502;
      rec.outcome = 'ok';
      res.writeHead(up.statusCode ?? 502, out);
      res.flushHeaders();
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      log(`gateway: backend error ${error.message}`);
      if (!res.headersSent) sendApimError(res, rec, 500, { statusCode: 500, message: 'Internal server error', activityId: randomUUID() }, 'backendError');
      else res.destroy();
    });
    res.on('close', () => {
      if (!upstream.writableEnded || !res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname.startsWith('/__sandbox/')) return handleControl(req, res, url.pathname.slice('/__sandbox/'.length));
    const rec: GatewayRequestRecord = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      keyStatus: 'absent',
      authorization: 'absent',
      headerNames: Object.keys(req.headers).map((h) => h.toLowerCase()).sort(),
      status: 0,
      outcome: 'pending',
    };
    records.push(rec);
    if (!cfg) return sendApimError(res, rec, 503, { statusCode: 503, message: 'Service unavailable' }, 'notReady');
    if (latencyMs > 0) await delay(latencyMs);
    const c = cfg;
    const method = req.method ?? 'GET';
    const base = `/${c.apiPath}`;
    const notFound = () => sendApimError(res, rec, 404, { statusCode: 404, message: APIM_TEXT.notFound }, 'notFound', {}, 'OperationNotFound: Unable to match incoming request to an operation.');

    // Protected Resource Metadata (anonymous operations).
    const prmPaths = [`${base}/.well-known/oauth-protected-resource`, `/.well-known/oauth-protected-resource${base}/mcp`, `/.well-known/oauth-protected-resource${base}`];
    if (prmPaths.includes(url.pathname)) {
      if (method !== 'GET' || !c.prmBody) return notFound();
      rec.status = 200;
      rec.outcome = 'prm';
      const text = JSON.stringify(c.prmBody);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
      return;
    }

    const ops: Record<string, string[]> = { [`${base}/mcp`]: ['GET', 'POST', 'DELETE'], [`${base}/sse`]: ['GET'], [`${base}/messages`]: ['POST'] };
    const allowed = ops[url.pathname];
    if (!allowed || !allowed.includes(method)) return notFound();
    const backendPath = url.pathname.slice(base.length) + url.search;

    const body = method === 'POST' ? await readBody(req) : undefined;
    let rpc: unknown;
    if (body?.length) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        rpc = Array.isArray(parsed) ? parsed[0] : parsed;
      } catch {
        rpc = undefined;
      }
    }
    if (rpc && typeof rpc === 'object') {
      const m = (rpc as { method?: unknown }).method;
      if (typeof m === 'string') rec.jsonrpcMethod = m;
      const name = (rpc as { params?: { name?: unknown } }).params?.name;
      if (m === 'tools/call' && typeof name === 'string') rec.toolName = name;
    }

    // Subscription key (checked by the gateway before any policy).
    const sub = c.subscription;
    const headerKey = req.headers[sub.headerName.toLowerCase()];
    let key: string | undefined;
    if (headerKey !== undefined) {
      key = Array.isArray(headerKey) ? headerKey[0] : headerKey;
      rec.keyHeaderName = sub.headerName;
    } else if (url.searchParams.has(sub.queryName)) {
      key = url.searchParams.get(sub.queryName) ?? '';
      rec.keyHeaderName = `query:${sub.queryName}`;
    }
    if (key !== undefined) rec.keyStatus = sub.keys.includes(key) ? 'valid' : 'invalid';
    if (sub.required) {
      if (rec.keyStatus === 'absent') {
        return sendApimError(res, rec, 401, { statusCode: 401, message: APIM_TEXT.keyMissing }, 'keyMissing', {
          'www-authenticate': `AzureApiManagementKey realm="${c.origin}/${c.apiPath}",name="${sub.headerName}",type="header"`,
        }, 'SubscriptionKeyNotFound');
      }
      if (rec.keyStatus === 'invalid') return sendApimError(res, rec, 401, { statusCode: 401, message: APIM_TEXT.keyInvalid }, 'keyInvalid', {}, 'SubscriptionKeyInvalid');
    }

    // ip-filter
    if (c.ipFilter) {
      const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      if (!c.ipFilter.allow.includes(ip)) {
        return sendApimError(res, rec, 403, { statusCode: 403, message: APIM_TEXT.forbidden }, 'ipForbidden', {}, `CallerIpNotAllowed: Caller IP address ${ip} is not allowed. Access denied.`);
      }
    }

    // Token validation
    const tv = c.tokenValidation;
    const result = await validateToken(req, tv);
    rec.authorization = result.status;
    if (tv && result.status !== 'valid') {
      const aad = tv.policy === 'validate-azure-ad-token';
      const message = tv.failedValidationErrorMessage ?? (result.status === 'absent' ? (aad ? APIM_TEXT.aadNotPresent : APIM_TEXT.jwtNotPresent) : aad ? APIM_TEXT.aadInvalid : APIM_TEXT.jwtInvalid);
      const extra: Record<string, string> = {};
      if (c.bearerChallenge === 'plain') extra['www-authenticate'] = 'Bearer error="invalid_token"';
      if (c.bearerChallenge === 'resourceMetadata') extra['www-authenticate'] = `Bearer error="invalid_token", resource_metadata="${c.bearerResourceMetadataUrl}"`;
      return sendApimError(res, rec, tv.failedValidationHttpCode, { statusCode: tv.failedValidationHttpCode, message }, result.outcome, extra, result.detail);
    }

    // rate-limit, quota
    const rl = c.faults.rateLimit;
    if (rl) {
      rateCount++;
      if (rateCount > rl.calls) {
        return sendApimError(res, rec, 429, { statusCode: 429, message: APIM_TEXT.rateLimited(rl.retryAfterSeconds) }, 'rateLimited', { 'retry-after': String(rl.retryAfterSeconds) }, 'RateLimitExceeded');
      }
    }
    const quota = c.faults.quota;
    if (quota) {
      quotaCount++;
      if (quotaCount > quota.calls) {
        return sendApimError(res, rec, 403, { statusCode: 403, message: APIM_TEXT.quota(quota.replenishIn) }, 'quotaExceeded', {}, `QuotaExceeded: ${APIM_TEXT.quota(quota.replenishIn)}`);
      }
    }

    // Body-reading policy: per-tool roles.
    const readsBody = c.policyReadsBody ?? Boolean(c.toolRoles);
    if (c.toolRoles && rec.jsonrpcMethod === 'tools/call') {
      const tr = c.toolRoles;
      const payload = tv ? result.payload : undefined;
      if (tr.unguardedRolesClaim && !(payload && 'roles' in payload)) {
        const errBody = c.faults.expressionErrorBody ?? { statusCode: 500, message: 'Internal server error', activityId: randomUUID() };
        return sendApimError(res, rec, 500, errBody, 'expressionError', {}, "ExpressionValueEvaluationFailure: Expression evaluation failed. The given key 'roles' was not present in the dictionary.");
      }
      const roles = claimValues(payload?.roles);
      const entry = rec.toolName !== undefined && Object.hasOwn(tr.map, rec.toolName) ? tr.map[rec.toolName] : undefined;
      const anyOf = entry === undefined ? undefined : typeof entry === 'string' ? [entry] : entry;
      if (!anyOf) {
        if (tr.denyUnknown) return sendApimError(res, rec, tr.status, tr.body, 'toolDenied', {}, `tool '${rec.toolName ?? ''}' is not in the role map`);
      } else if (anyOf.length > 0 && !anyOf.some((role) => roles.includes(role))) {
        return sendApimError(res, rec, tr.status, tr.body, 'roleMissing', {}, `tool '${rec.toolName}' needs role ${anyOf.join(' or ')}; token roles: [${roles.join(', ')}]`);
      }
    }
    const forwardBody = body === undefined ? undefined : readsBody && !c.preserveContent ? Buffer.alloc(0) : body;
    forward(req, res, rec, backendPath, forwardBody);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`gateway: internal error ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 500, message: 'Internal server error' }));
      else res.destroy();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    configure(resolved, handlers) {
      cfg = resolved;
      control = handlers;
      latencyMs = resolved.latencyMs;
    },
    requests: () => records.map((r) => ({ ...r, headerNames: [...r.headerNames] })),
    clearRequests: () => {
      records.length = 0;
    },
    resetCounters: () => {
      rateCount = 0;
      quotaCount = 0;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    latency: () => latencyMs,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
