/**
 * Builders for the diagnosis engine's `Observations`, so a rule can be tested as the pure function it is: no
 * network, no sandbox. Defaults describe a healthy key-protected server; each case changes only what it is about.
 * Challenges are parsed from the fabricated WWW-Authenticate headers by the real parser, as `observe()` does.
 */
import { VSCODE_CLIENT_ID } from '../../../src/core/entra/authority';
import type { DecodeResult } from '../../../src/core/entra/jwt';
import { parseAadstsText } from '../../../src/core/entra/aadstsText';
import type { DiagnoseInput, Observations } from '../../../src/core/diagnosis/observe';
import type { AuthServerMetadata, AuthServerObservation } from '../../../src/core/probe/authServer';
import type { PreflightResult } from '../../../src/core/probe/authorizePreflight';
import type { McpAttempt } from '../../../src/core/probe/mcpSession';
import { pickPrm, type PrmAttempt, type PrmDocument } from '../../../src/core/probe/prm';
import type { HttpExchange } from '../../../src/core/probe/probeHttpClient';
import { Timeline } from '../../../src/core/probe/timeline';
import { readChallenges } from '../../../src/core/probe/wwwAuthenticate';
import { Secret } from '../../../src/core/secret';

export const MCP_URL = 'https://contoso.azure-api.net/products/mcp';
export const PRM_URL = 'https://contoso.azure-api.net/.well-known/oauth-protected-resource/products/mcp';
export const TENANT = '11111111-2222-3333-4444-555555555555';
export const OTHER_TENANT = '99999999-8888-4777-8666-555555555555';
export const API_APP = '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f';
export const AUTHORITY = `https://login.microsoftonline.com/${TENANT}/v2.0`;
export const API_SCOPE = `api://${API_APP}/user_impersonate`;
/** 2027-01-15T08:00:00Z: fixed, so expiry checks do not depend on the clock. */
export const NOW_S = 1_800_000_000;
export const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const BEARER_CHALLENGE = `Bearer error="invalid_token", resource_metadata="${PRM_URL}"`;

const UNAUTHENTICATED = 'mcp (no credentials)';
const AUTHENTICATED = 'mcp (configured credentials)';

export function exchange(over: Partial<HttpExchange>): HttpExchange {
  return {
    step: 'probe',
    method: 'GET',
    url: MCP_URL,
    sentSecretHeaders: [],
    droppedSecretHeaders: [],
    headers: {},
    bodyText: '',
    truncated: false,
    redirects: [],
    durationMs: 1,
    ...over,
  };
}

/** An answer in APIM's own error shape, `{ statusCode, message }`, as the gateway writes it. */
export function apimError(status: number, message: string, headers: Record<string, string> = {}): Partial<HttpExchange> {
  return { status, headers: { 'content-type': 'application/json', ...headers }, bodyText: JSON.stringify({ statusCode: status, message }) };
}

export function prmAttempt(document: PrmDocument, over: Partial<PrmAttempt> = {}): PrmAttempt {
  const url = over.url ?? PRM_URL;
  const answer = exchange({ step: 'prm wellKnownPath', url, status: 200, bodyText: JSON.stringify(document) });
  return { url, source: 'wellKnownPath', exchange: answer, document, ...over };
}

export function healthyPrm(over: Partial<Record<keyof PrmDocument, unknown>> = {}): PrmDocument {
  return { resource: MCP_URL, authorization_servers: [AUTHORITY], scopes_supported: [API_SCOPE], ...over };
}

export function authServer(
  metadata: AuthServerMetadata | undefined,
  server = AUTHORITY,
  answer: Partial<HttpExchange> = { status: 200 },
): AuthServerObservation {
  const url = `${server}/.well-known/openid-configuration`;
  return { authorizationServer: server, metadata, attempts: [{ kind: 'oidcAppend', url, metadata, exchange: exchange({ step: 'as metadata', url, ...answer }) }] };
}

/** What Entra's authorize endpoint answered when the engine started a sign-in that fails with `code`. */
export function aadstsPreflight(code: number, over: { clientId?: string; redirectUri?: string; resource?: string } = {}): PreflightResult {
  const clientId = over.clientId ?? VSCODE_CLIENT_ID;
  const redirectUri = over.redirectUri ?? 'http://127.0.0.1:33418/';
  const authorizeEndpoint = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`;
  const page =
    `AADSTS${code}: The sign-in failed. Trace ID: 0a0b0c0d-0000-4000-8000-000000000001 ` +
    'Correlation ID: 0a0b0c0d-0000-4000-8000-000000000002 Timestamp: 2027-01-15 08:00:00Z';
  const answer = { status: 200, headers: { 'content-type': 'text/html' }, bodyText: page };
  return {
    request: { authorizeEndpoint, clientId, redirectUri, scopes: [API_SCOPE, 'openid'], resource: over.resource },
    exchange: exchange({ step: 'authorize-preflight', url: `${authorizeEndpoint}?client_id=${clientId}`, ...answer }),
    outcome: { kind: 'aadsts', parsed: parseAadstsText(page), via: 'page' },
  };
}

/** Entra's sign-in page: what the authorize endpoint shows when nothing is wrong before sign-in (nobody signed in). */
export function signInPagePreflight(clientId = VSCODE_CLIENT_ID, redirectUri = 'https://vscode.dev/redirect'): PreflightResult {
  const authorizeEndpoint = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`;
  const page = '<html><script>$Config={"pgid":"ConvergedSignIn","urlPost":"/common/login","sCtx":"x"};\n//]]></script></html>';
  return {
    request: { authorizeEndpoint, clientId, redirectUri, scopes: [API_SCOPE, 'openid'], resource: MCP_URL },
    exchange: exchange({ step: 'authorize-preflight', url: `${authorizeEndpoint}?client_id=${clientId}`, status: 200, headers: { 'content-type': 'text/html' }, bodyText: page }),
    outcome: { kind: 'passes', via: 'signInPage' },
  };
}

/** The read-only `tools/call` the engine makes with the configured credentials to check a per-tool policy. */
export function toolCallAnswer(answer: Partial<HttpExchange>): HttpExchange {
  const request = { step: `${AUTHENTICATED} tools/call`, method: 'POST', jsonrpcMethod: 'tools/call', sentSecretHeaders: ['Authorization'] };
  return exchange({ ...request, status: 200, ...answer });
}

export interface Setup {
  readonly input?: Partial<DiagnoseInput>;
  /** What the unauthenticated `initialize` got; default 200 and an initialized session. */
  readonly unauth?: Partial<HttpExchange>;
  /** What the `initialize` with the configured credentials got; without it there is no authenticated attempt. */
  readonly auth?: Partial<HttpExchange>;
  readonly authAttempt?: Partial<McpAttempt>;
  readonly unauthAttempt?: Partial<McpAttempt>;
  /** Claims of the configured access token (sets `input.accessToken`); a string is a token that did not decode. */
  readonly claims?: Record<string, unknown> | string;
  /** Other requests of the run (tool call, redirects given up, other hosts). */
  readonly exchanges?: readonly HttpExchange[];
  readonly prm?: PrmDocument;
  readonly prmAttempts?: readonly PrmAttempt[];
  readonly authServer?: AuthServerObservation;
  readonly fallbackProbes?: readonly HttpExchange[];
  readonly originAuthServer?: AuthServerObservation;
  readonly preflights?: readonly PreflightResult[];
  readonly pathProbes?: readonly HttpExchange[];
}

function attempt(prefix: string, answer: HttpExchange, over: Partial<McpAttempt> | undefined): McpAttempt {
  const ok = !answer.failure && answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  const credentialHeaders = [...answer.sentSecretHeaders];
  return { label: prefix, credentialHeaders, initialized: ok, tools: ok ? [{ name: 'listProducts' }] : undefined, stepPrefix: prefix, ...over };
}

function challengeOf(e: HttpExchange): ReturnType<typeof readChallenges> | undefined {
  const failed = e.failure || (e.status !== undefined && (e.status < 200 || e.status >= 300));
  return failed ? readChallenges(e.headers['www-authenticate']) : undefined;
}

/** What decoding the configured token gave: its claims, or the reason it is not a JWT. */
function decoded(claims: Setup['claims']): DecodeResult | undefined {
  if (typeof claims === 'string') return { ok: false, error: claims };
  return claims ? { ok: true, token: { header: { alg: 'RS256' }, claims } } : undefined;
}

export function observations(setup: Setup = {}): Observations {
  const initialize = { method: 'POST', jsonrpcMethod: 'initialize', status: 200 };
  const unauthAnswer = exchange({ step: `${UNAUTHENTICATED} initialize`, ...initialize, ...setup.unauth });
  const authAnswer = setup.auth ? exchange({ step: `${AUTHENTICATED} initialize`, ...initialize, sentSecretHeaders: [KEY_HEADER], ...setup.auth }) : undefined;
  const token = decoded(setup.claims);
  const prmAttempts = setup.prmAttempts ?? (setup.prm ? [prmAttempt(setup.prm)] : []);
  return {
    url: new URL(setup.input?.url ?? MCP_URL),
    input: { url: MCP_URL, ...(token ? { accessToken: Secret.of('header.payload.signature') } : {}), ...setup.input },
    keyHeaderName: setup.input?.keyHeaderName ?? KEY_HEADER,
    now: NOW_S * 1000,
    unauthenticated: attempt(UNAUTHENTICATED, unauthAnswer, setup.unauthAttempt),
    authenticated: authAnswer ? attempt(AUTHENTICATED, authAnswer, setup.authAttempt) : undefined,
    exchanges: [unauthAnswer, ...(authAnswer ? [authAnswer] : []), ...(setup.exchanges ?? [])],
    challenge: challengeOf(unauthAnswer),
    authChallenge: authAnswer ? challengeOf(authAnswer) : undefined,
    prmAttempts,
    prm: pickPrm(prmAttempts, setup.input?.url ?? MCP_URL),
    authServer: setup.authServer,
    fallbackProbes: setup.fallbackProbes ?? [],
    originAuthServer: setup.originAuthServer,
    preflights: setup.preflights ?? [],
    token,
    pathProbes: setup.pathProbes ?? [],
    timeline: new Timeline(() => NOW_S * 1000),
  };
}

/** Claims of a v2 access token this API would accept: the cases change one claim each. */
export function goodClaims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: API_APP,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    tid: TENANT,
    ver: '2.0',
    azp: VSCODE_CLIENT_ID,
    scp: 'user_impersonate',
    nbf: NOW_S - 600,
    exp: NOW_S + 3000,
    ...over,
  };
}
