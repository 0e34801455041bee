/**
 * APIM gateway emulator in front of the MCP backend. Pipeline per request (APIM order):
 * operation match (404) → subscription key (401) → ip-filter (403) → validate-jwt / validate-azure-ad-token (401)
 * → rate-limit (429) → quota (403) → body read + per-tool role check (403 / 500) → forward (streamed, never buffered;
 * forward-request timeout and backend connection failures → 500). An `on-error` rewrite, when configured, turns every
 * 401 into its own Bearer challenge. Caller-visible texts are APIM's verbatim ones (FIDELITY.md); the precise reason
 * goes to the request record only.
 */
import { createServer, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { listenOnLoopback } from '../harness/processes';
import { APIM_TEXT, apimJson, internalServerErrorBody, type GatewayAnswer } from './apimAnswers';
import { handleControl, readBody, type ControlHandlers } from './gatewayControl';
import { checkKey, keyRejection, type ResolvedSubscription } from './gatewayKeys';
import { anonymousPrmPaths, authorizationServerRoute, keyProtectedPrmPath } from './gatewayDiscovery';
import { claimValues, tokenValidator, type TokenResult } from './gatewayTokens';
import type { GatewayConfig } from './scenarioSchema';

export { APIM_TEXT } from './apimAnswers';
export type { ControlHandlers } from './gatewayControl';

export interface GatewayRequestRecord {
  at: number;
  method: string;
  /** Path only: the query is never recorded (it may carry a key). */
  path: string;
  jsonrpcMethod?: string;
  toolName?: string;
  keyHeaderName?: string;
  keyStatus: 'absent' | 'valid' | 'invalid';
  /**
   * The variable name when the key value was literally an unexpanded `${NAME}` / `$NAME` reference, as Claude Code
   * and Copilot CLI send it when NAME is not set. A reference is not a secret; any other key value is never recorded.
   */
  keyReference?: string;
  authorization: 'absent' | 'valid' | 'invalid';
  headerNames: string[];
  status: number;
  outcome: string;
  /** APIM-trace-like detail of the outcome (IDX-style for token failures). Never holds key or token values. */
  detail?: string;
}

/** Everything the gateway needs, with templates already expanded. */
export interface ResolvedGatewayConfig extends Omit<GatewayConfig, 'subscription'> {
  subscription: ResolvedSubscription;
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

function rpcOf(body: Buffer | undefined): { method?: string; toolName?: string } {
  if (!body?.length) return {};
  let rpc: unknown;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    rpc = Array.isArray(parsed) ? parsed[0] : parsed;
  } catch {
    return {};
  }
  if (!rpc || typeof rpc !== 'object') return {};
  const m = (rpc as { method?: unknown }).method;
  const name = (rpc as { params?: { name?: unknown } }).params?.name;
  return { method: typeof m === 'string' ? m : undefined, toolName: m === 'tools/call' && typeof name === 'string' ? name : undefined };
}

/** The 401 an on-error section like `Azure-Samples/sherpa oauth-validation.xml` returns instead of APIM's own. */
function onErrorRewrite(answer: GatewayAnswer, c: ResolvedGatewayConfig): GatewayAnswer {
  const rewrite = c.onErrorRewrite401;
  if (!rewrite || answer.status !== 401) return answer;
  return {
    status: 401,
    statusText: 'Unauthorized',
    body: JSON.stringify(rewrite.body),
    headers: { 'www-authenticate': rewrite.wwwAuthenticate },
    outcome: answer.outcome,
    detail: `${answer.detail ?? answer.outcome} (on-error answered with its own Bearer challenge)`,
  };
}

function tokenRejection(result: TokenResult, c: ResolvedGatewayConfig): GatewayAnswer | undefined {
  const tv = c.tokenValidation;
  if (!tv || result.status === 'valid') return undefined;
  const aad = tv.policy === 'validate-azure-ad-token';
  const message = tv.failedValidationErrorMessage ?? (result.status === 'absent' ? (aad ? APIM_TEXT.aadNotPresent : APIM_TEXT.jwtNotPresent) : aad ? APIM_TEXT.aadInvalid : APIM_TEXT.jwtInvalid);
  const headers: Record<string, string> = {};
  if (c.bearerChallenge === 'plain') headers['www-authenticate'] = 'Bearer error="invalid_token"';
  if (c.bearerChallenge === 'resourceMetadata') headers['www-authenticate'] = `Bearer error="invalid_token", resource_metadata="${c.bearerResourceMetadataUrl}"`;
  return { status: tv.failedValidationHttpCode, body: { statusCode: tv.failedValidationHttpCode, message }, headers, outcome: result.outcome, detail: result.detail };
}

/** A policy expression that throws for some JSON-RPC methods (`faults.expressionErrorOn`). */
function expressionFault(rec: GatewayRequestRecord, c: ResolvedGatewayConfig): GatewayAnswer | undefined {
  if (!rec.jsonrpcMethod || !c.faults.expressionErrorOn.includes(rec.jsonrpcMethod)) return undefined;
  const detail = 'ExpressionValueEvaluationFailure: Expression evaluation failed. Object reference not set to an instance of an object.';
  return { status: 500, body: c.faults.expressionErrorBody ?? internalServerErrorBody(), headers: {}, outcome: 'expressionError', detail };
}

/** The per-tool role check of a policy that reads the JSON-RPC body (seed 002's policy). */
function roleRejection(rec: GatewayRequestRecord, c: ResolvedGatewayConfig, payload: Record<string, unknown> | undefined): GatewayAnswer | undefined {
  const tr = c.toolRoles;
  if (!tr || rec.jsonrpcMethod !== 'tools/call') return undefined;
  if (tr.unguardedRolesClaim && !(payload && 'roles' in payload)) {
    const detail = "ExpressionValueEvaluationFailure: Expression evaluation failed. The given key 'roles' was not present in the dictionary.";
    return { status: 500, body: c.faults.expressionErrorBody ?? internalServerErrorBody(), headers: {}, outcome: 'expressionError', detail };
  }
  const roles = claimValues(payload?.roles);
  const entry = rec.toolName !== undefined && Object.hasOwn(tr.map, rec.toolName) ? tr.map[rec.toolName] : undefined;
  const anyOf = entry === undefined ? undefined : typeof entry === 'string' ? [entry] : entry;
  if (!anyOf) return tr.denyUnknown ? { status: tr.status, body: tr.body, headers: {}, outcome: 'toolDenied', detail: `tool '${rec.toolName ?? ''}' is not in the role map` } : undefined;
  if (anyOf.length > 0 && !anyOf.some((role) => roles.includes(role))) {
    return { status: tr.status, body: tr.body, headers: {}, outcome: 'roleMissing', detail: `tool '${rec.toolName}' needs role ${anyOf.join(' or ')}; token roles: [${roles.join(', ')}]` };
  }
  return undefined;
}

export async function startGateway(log: (line: string) => void = () => undefined): Promise<Gateway> {
  let cfg: ResolvedGatewayConfig | undefined;
  let control: ControlHandlers | undefined;
  const records: GatewayRequestRecord[] = [];
  const registeredClients = new Map<string, string[]>();
  let latencyMs = 0;
  let rateCount = 0;
  let quotaCount = 0;
  const validateToken = await tokenValidator(() => cfg!);

  function send(res: ServerResponse, rec: GatewayRequestRecord, answer: GatewayAnswer): void {
    const a = onErrorRewrite(answer, cfg!);
    rec.status = a.status;
    rec.outcome = a.outcome;
    if (a.detail) rec.detail = a.detail;
    const text = typeof a.body === 'string' ? a.body : apimJson(a.body);
    const type = typeof a.body === 'string' ? {} : { 'content-type': 'application/json' };
    res.writeHead(a.status, a.statusText ?? '', { ...type, 'content-length': String(Buffer.byteLength(text)), ...a.headers }).end(text);
  }

  /** rate-limit then quota: counted per request that reaches them, reset by the control API. */
  function limitRejection(): GatewayAnswer | undefined {
    const { rateLimit: rl, quota } = cfg!.faults;
    if (rl && ++rateCount > rl.calls) {
      return { status: 429, body: { statusCode: 429, message: APIM_TEXT.rateLimited(rl.retryAfterSeconds) }, headers: { 'retry-after': String(rl.retryAfterSeconds) }, outcome: 'rateLimited', detail: 'RateLimitExceeded' };
    }
    if (quota && ++quotaCount > quota.calls) {
      return { status: 403, body: { statusCode: 403, message: APIM_TEXT.quota(quota.replenishIn) }, headers: {}, outcome: 'quotaExceeded', detail: `QuotaExceeded: ${APIM_TEXT.quota(quota.replenishIn)}` };
    }
    return undefined;
  }

  /** The subscription key, checked by the gateway before any policy of the API's operations. */
  function keyCheck(req: IncomingMessage, url: URL, rec: GatewayRequestRecord): GatewayAnswer | undefined {
    const c = cfg!;
    const key = checkKey(req, url, c.subscription);
    rec.keyStatus = key.status;
    if (key.from) rec.keyHeaderName = key.from;
    if (key.reference) rec.keyReference = key.reference;
    return keyRejection(key, c.subscription, `${c.origin}/${c.apiPath}`);
  }

  /** The inbound steps in APIM's order; the first that refuses answers. */
  async function inbound(req: IncomingMessage, url: URL, rec: GatewayRequestRecord): Promise<{ refused?: GatewayAnswer; payload?: Record<string, unknown> }> {
    const c = cfg!;
    const keyRefusal = keyCheck(req, url, rec);
    if (keyRefusal) return { refused: keyRefusal };
    if (c.ipFilter) {
      const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      if (!c.ipFilter.allow.includes(ip)) {
        return { refused: { status: 403, body: { statusCode: 403, message: APIM_TEXT.forbidden }, headers: {}, outcome: 'ipForbidden', detail: `CallerIpNotAllowed: Caller IP address ${ip} is not allowed. Access denied.` } };
      }
    }
    const token = await validateToken(req, c.tokenValidation);
    rec.authorization = token.status;
    const payload = c.tokenValidation ? token.payload : undefined;
    const refused = tokenRejection(token, c) ?? limitRejection() ?? expressionFault(rec, c) ?? roleRejection(rec, c, payload);
    return { refused, payload };
  }

  function backendFailure(outcome: string, detail: string): GatewayAnswer {
    return { status: 500, body: internalServerErrorBody(), headers: {}, outcome, detail };
  }

  /**
   * Forwards and streams the answer back. No response headers within forwardRequestTimeoutSeconds → 500 (Timeout);
   * a refused connection → 500 (BackendConnectionFailure); the client sees the same generic body for both.
   */
  function forward(req: IncomingMessage, res: ServerResponse, rec: GatewayRequestRecord, backendPath: string, body: Buffer | undefined): void {
    const c = cfg!;
    if (c.faults.backendDown) return send(res, rec, backendFailure('backendConnectionFailure', 'BackendConnectionFailure: connect ECONNREFUSED (the backend refuses connections)'));
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${prior}, ${req.socket.remoteAddress}` : (req.socket.remoteAddress ?? '');
    if (body !== undefined) headers['content-length'] = String(body.length);
    const slow = c.faults.slowBackend;
    const slowHere = slow && (!slow.methods.length || slow.methods.includes(rec.jsonrpcMethod ?? ''));
    let upstream: ClientRequest | undefined;
    const timeout = setTimeout(() => {
      upstream?.destroy();
      if (!res.headersSent) send(res, rec, backendFailure('backendTimeout', `Timeout: Request to the backend service timed out (forward-request timeout ${c.forwardRequestTimeoutSeconds} s)`));
    }, c.forwardRequestTimeoutSeconds * 1000);
    const start = setTimeout(() => {
      upstream = httpRequest(new URL(backendPath, c.backendOrigin), { method: req.method, headers }, (up) => {
        clearTimeout(timeout);
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        if (up.headers['content-length']) out['content-length'] = up.headers['content-length'];
        rec.status = up.statusCode ?? 502;
        rec.outcome = 'ok';
        res.writeHead(up.statusCode ?? 502, out);
        res.flushHeaders();
        up.pipe(res);
        up.on('error', () => res.destroy());
      });
      upstream.on('error', (error) => {
        clearTimeout(timeout);
        log(`gateway: backend error ${error.message}`);
        if (!res.headersSent) send(res, rec, backendFailure('backendConnectionFailure', `BackendConnectionFailure: ${error.message}`));
        else res.destroy();
      });
      upstream.end(body);
    }, slowHere ? slow.delayMs : 0);
    res.on('close', () => {
      clearTimeout(start);
      clearTimeout(timeout);
      if (upstream && (!upstream.writableEnded || !res.writableFinished)) upstream.destroy();
    });
  }

  function servePrm(res: ServerResponse, rec: GatewayRequestRecord, method: string, notFound: () => void): void {
    const c = cfg!;
    if (method !== 'GET' || !c.prmBody) return notFound();
    rec.status = 200;
    rec.outcome = 'prm';
    const text = JSON.stringify(c.prmBody);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname.startsWith('/__sandbox/')) {
      return handleControl(req, res, url.pathname.slice('/__sandbox/'.length), { handlers: () => control, requests: () => records, setLatency: (ms) => (latencyMs = ms) });
    }
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
    if (!cfg) return send(res, rec, { status: 503, body: { statusCode: 503, message: 'Service unavailable' }, headers: {}, outcome: 'notReady' });
    if (latencyMs > 0) await delay(latencyMs);
    const c = cfg;
    if (c.frontProxy) {
      req.resume();
      return send(res, rec, { status: c.frontProxy.status, body: c.frontProxy.html, headers: { 'content-type': 'text/html' }, outcome: 'frontProxy' });
    }
    const method = req.method ?? 'GET';
    const base = `/${c.apiPath}`;
    const notFound = () => send(res, rec, { status: 404, body: { statusCode: 404, message: APIM_TEXT.notFound }, headers: {}, outcome: 'notFound', detail: 'OperationNotFound: Unable to match incoming request to an operation.' });

    // Protected Resource Metadata: anonymous operations, only where the scenario publishes them (gatewayDiscovery.ts).
    if (anonymousPrmPaths(c).includes(url.pathname)) return servePrm(res, rec, method, notFound);
    // A PRM operation inside the key-protected API: the key first, then its policy returns before the token policy.
    if (url.pathname === keyProtectedPrmPath(c) && method === 'GET') {
      const keyRefusal = keyCheck(req, url, rec);
      return keyRefusal ? send(res, rec, keyRefusal) : servePrm(res, rec, method, notFound);
    }
    const asStatus = await authorizationServerRoute(c, req, res, url.pathname, registeredClients);
    if (asStatus !== undefined) {
      rec.status = asStatus;
      rec.outcome = 'authorizationServer';
      return;
    }

    const ops: Record<string, string[]> = { [`${base}/mcp`]: ['GET', 'POST', 'DELETE'] };
    if (c.sseTransport) Object.assign(ops, { [`${base}/sse`]: ['GET'], [`${base}/messages`]: ['POST'] });
    if (!ops[url.pathname]?.includes(method)) return notFound();
    const backendPath = url.pathname.slice(base.length) + url.search;
    const body = method === 'POST' ? await readBody(req) : undefined;
    const rpc = rpcOf(body);
    if (rpc.method) rec.jsonrpcMethod = rpc.method;
    if (rpc.toolName) rec.toolName = rpc.toolName;

    const { refused } = await inbound(req, url, rec);
    if (refused) return send(res, rec, refused);
    const readsBody = c.policyReadsBody ?? Boolean(c.toolRoles);
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
