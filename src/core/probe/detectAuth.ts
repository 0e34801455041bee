import { classifyGatewayResponse, type GatewayOutcome } from '../apim/gatewayResponse';
import { authorityOf } from '../entra/authority';
import { DEFAULT_KEY_HEADER, type AuthKind } from '../serverRecord';
import type { FetchLike } from './nodeFetch';
import { fetchPrm, isStringArray, pickPrm, prmCandidates, sameResource } from './prm';
import { ProbeHttpClient, type HttpExchange } from './probeHttpClient';
import { Timeline } from './timeline';
import { readChallenges } from './wwwAuthenticate';

/**
 * What an MCP endpoint asks for, from one unauthenticated `initialize` (and, when it names one, its protected-resource
 * metadata). The wizard pre-selects the auth mode, the key header and the Entra fields from this. Never sends a secret.
 */
export interface DetectedPrm {
  readonly url: string;
  readonly resource: string;
  /** The PRM `resource` equals the MCP URL, as VS Code and RFC 9728 require for sign-in to work. */
  readonly resourceMatches: boolean;
  readonly authorizationServer?: string;
  readonly tenant?: string;
  readonly scopes: readonly string[];
}

export type AuthDetection =
  | { readonly reached: false; readonly error: string }
  | {
      readonly reached: true;
      readonly status: number;
      readonly outcome: GatewayOutcome;
      /** APIM's key challenge was sent; `headerName` is the API's real header (`name="…"`), or the default. */
      readonly keyChallenge?: { readonly headerName: string };
      readonly bearer?: { readonly resourceMetadata?: string; readonly scope?: string };
      readonly prm?: DetectedPrm;
      /** Why PRM was looked for and not usable (missing, not JSON, wrong shape). */
      readonly prmProblem?: string;
      readonly suggestedAuth: AuthKind;
    };

export interface DetectAuthOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'apim-mcp-detect', version: '1' } },
});

/** The auth mode the answer points to; an open server needs none, an unexplained 401 most often wants an APIM key. */
export function suggestAuth(outcome: GatewayOutcome, key: boolean, bearer: boolean): AuthKind {
  if (key && bearer) return 'subscriptionKeyAndEntra';
  if (key) return 'subscriptionKey';
  if (bearer) return 'entra';
  switch (outcome.kind) {
    case 'ok':
      return 'none';
    case 'tokenMissing':
    case 'tokenRejected':
    case 'bearerChallenge':
      return 'entra';
    default:
      return 'subscriptionKey';
  }
}

export async function detectAuth(fetchFn: FetchLike, mcpUrl: string, options: DetectAuthOptions): Promise<AuthDetection> {
  const guarded: FetchLike = (input, init) => fetchFn(input, { ...init, signal: options.signal && init?.signal ? AbortSignal.any([options.signal, init.signal]) : (init?.signal ?? options.signal) });
  const client = new ProbeHttpClient({ fetch: guarded, secretOrigin: new URL(mcpUrl).origin, timeline: new Timeline(), timeoutMs: options.timeoutMs, maxBodyBytes: 64 * 1024 });
  const exchange = await client.send('detect initialize', {
    method: 'POST',
    url: mcpUrl,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: INITIALIZE_BODY,
    followRedirects: false,
  });
  if (exchange.failure || exchange.status === undefined) {
    return { reached: false, error: exchange.failure ? `${exchange.failure.kind}: ${exchange.failure.message}` : 'no answer' };
  }
  await closeSession(client, mcpUrl, exchange);
  const status = exchange.status;
  const header = (name: string) => exchange.headers[name.toLowerCase()] ?? null;
  const outcome = classifyGatewayResponse({ status, header, bodyText: exchange.bodyText });
  const challenges = readChallenges(header('www-authenticate'));
  const keyHeader = challenges.apimKey ? challenges.apimKey.name || DEFAULT_KEY_HEADER : outcome.kind === 'keyMissing' ? outcome.headerName || DEFAULT_KEY_HEADER : undefined;
  const bearer = challenges.bearer ? { resourceMetadata: challenges.bearer.resourceMetadata, scope: challenges.bearer.scope } : undefined;

  let prm: DetectedPrm | undefined;
  let prmProblem: string | undefined;
  if (bearer) {
    const attempts = await fetchPrm(client, prmCandidates(mcpUrl, bearer.resourceMetadata).filter((c) => c.source !== 'apiBase'));
    const found = pickPrm(attempts, mcpUrl);
    const doc = found?.document;
    if (found && doc && typeof doc.resource === 'string') {
      const servers = isStringArray(doc.authorization_servers) ? doc.authorization_servers : [];
      const authorizationServer = servers[0];
      prm = {
        url: found.url,
        resource: doc.resource,
        resourceMatches: sameResource(doc.resource, mcpUrl),
        authorizationServer,
        tenant: authorizationServer ? authorityOf(authorizationServer)?.tenant : undefined,
        scopes: isStringArray(doc.scopes_supported) ? doc.scopes_supported : bearer.scope ? bearer.scope.split(/\s+/).filter(Boolean) : [],
      };
    } else {
      prmProblem = attempts.find((a) => a.problem)?.problem ?? 'no protected-resource metadata was found';
    }
  }
  return {
    reached: true,
    status,
    outcome,
    keyChallenge: keyHeader ? { headerName: keyHeader } : undefined,
    bearer,
    prm,
    prmProblem,
    suggestedAuth: suggestAuth(outcome, keyHeader !== undefined, bearer !== undefined),
  };
}

/** An open server started a session for the probe; end it so the backend does not keep it. */
async function closeSession(client: ProbeHttpClient, url: string, exchange: HttpExchange): Promise<void> {
  const sessionId = exchange.headers['mcp-session-id'];
  if (!sessionId || !exchange.status || exchange.status >= 300) return;
  await client.send('detect close', { method: 'DELETE', url, headers: { 'mcp-session-id': sessionId }, followRedirects: false });
}
