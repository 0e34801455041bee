import { Secret } from '../secret';
import { DEFAULT_KEY_HEADER, usesEntra, type AuthKind } from '../serverRecord';
import { authorityOf, scopeResource, v2AuthorizeEndpoint, v2TokenEndpoint, VSCODE_CLIENT_ID } from '../entra/authority';
import { claimList } from '../entra/jwt';
import { decodeAccessToken, type DecodeResult } from '../entra/jwt';
import { fetchAuthServerMetadata, type AuthServerObservation } from '../probe/authServer';
import { preflightAuthorize, type PreflightResult } from '../probe/authorizePreflight';
import { preferredReadOnlyTool, probeMcp, type McpAttempt, type ToolSummary } from '../probe/mcpSession';
import type { FetchLike } from '../probe/nodeFetch';
import { fetchPrm, pickPrm, prmCandidates, type PrmAttempt } from '../probe/prm';
import { NO_CREDENTIALS, ProbeHttpClient, type Credentials, type HttpExchange } from '../probe/probeHttpClient';
import { Timeline } from '../probe/timeline';
import { readChallenges, type ParsedChallenges } from '../probe/wwwAuthenticate';
import { isStringArray } from '../probe/prm';

export type PolicyExpectationKey = 'audiences' | 'issuers' | 'tenantId' | 'clientApplicationIds' | 'forwardRequestTimeout' | 'failedValidation';

/** What the client under test is configured with, and what is known about the gateway's policy. */
export interface DiagnoseInput {
  readonly url: string;
  /** The client's auth mode, when known (ServerRecord.auth): says whether a missing token is expected before sign-in. */
  readonly auth?: AuthKind;
  readonly subscriptionKey?: Secret;
  /** The header the client sends the key in. Default `Ocp-Apim-Subscription-Key`. */
  readonly keyHeaderName?: string;
  /**
   * When the key comes from an environment variable (a `${NAME}` header in `.mcp.json` or the Copilot CLI config):
   * whether the extension sets that variable in VS Code terminals. Only words the fix; the key sent decides.
   */
  readonly keyVariableInVsCodeTerminals?: boolean;
  readonly accessToken?: Secret;
  /** The Entra sign-in a client would attempt, for the authorize-endpoint preflight. */
  readonly signIn?: {
    readonly clientId: string;
    readonly redirectUris: readonly string[];
    readonly scopes?: readonly string[];
    /** Authority such as `https://login.microsoftonline.com/<tenant>/v2.0`, when PRM does not name one. */
    readonly authority?: string;
  };
  /** Tool name → app role the gateway policy requires (from the policy or a scenario). */
  readonly toolRoles?: Readonly<Record<string, string>>;
  /** What the gateway's token validation accepts, when known from its policy (see `expectFromPolicy`). */
  readonly expect?: {
    readonly audiences?: readonly string[];
    readonly issuers?: readonly string[];
    /** validate-jwt without `<issuers>`: the version of the openid-config metadata, whose issuer is the only one accepted. */
    readonly issuerVersion?: 1 | 2;
    readonly tenantId?: string;
    readonly clientApplicationIds?: readonly string[];
    readonly scopes?: readonly string[];
    /** Where the expectations come from (a policy file, the API's policy in Azure) and the lines that say each, for evidence. */
    readonly source?: { readonly label: string; readonly lines: Readonly<Partial<Record<PolicyExpectationKey, string>>> };
    /** `<forward-request timeout="…">` of the API's policy, in seconds (APIM's default is 300). */
    readonly forwardRequestTimeoutSeconds?: number;
    /** validate-jwt / validate-azure-ad-token failed-validation-error-message: the body of a refusal, whatever its status. */
    readonly failedValidationErrorMessage?: string;
  };
}

export interface DiagnoseOptions {
  readonly fetch: FetchLike;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
  readonly maxRedirects?: number;
  readonly now?: () => number;
}

export interface Observations {
  readonly url: URL;
  readonly input: DiagnoseInput;
  readonly keyHeaderName: string;
  readonly now: number;
  readonly unauthenticated: McpAttempt;
  readonly authenticated?: McpAttempt;
  readonly exchanges: readonly HttpExchange[];
  readonly challenge?: ParsedChallenges;
  readonly authChallenge?: ParsedChallenges;
  readonly prmAttempts: readonly PrmAttempt[];
  readonly prm?: PrmAttempt;
  readonly authServer?: AuthServerObservation;
  readonly fallbackProbes: readonly HttpExchange[];
  /** The MCP origin's own authorization-server metadata (VS Code's fallback when PRM names none, or a cross-origin one fails). */
  readonly originAuthServer?: AuthServerObservation;
  readonly preflights: readonly PreflightResult[];
  readonly token?: DecodeResult;
  readonly pathProbes: readonly HttpExchange[];
  readonly timeline: Timeline;
}

/** The first request of an attempt (its `initialize` POST) and the last response it got. */
export function attemptExchanges(obs: { exchanges: readonly HttpExchange[] }, attempt: McpAttempt | undefined): HttpExchange[] {
  if (!attempt) return [];
  return obs.exchanges.filter((e) => e.step.startsWith(`${attempt.stepPrefix} `));
}

/** The first MCP POST that failed, leaving out the policy-check tool call (judged on its own by the role rules). */
export function firstFailing(exchanges: readonly HttpExchange[]): HttpExchange | undefined {
  return exchanges.find((e) => e.method === 'POST' && e.jsonrpcMethod !== 'tools/call' && (e.failure || (e.status !== undefined && (e.status < 200 || e.status >= 300))));
}

export function toolCallExchange(exchanges: readonly HttpExchange[]): HttpExchange | undefined {
  return exchanges.find((e) => e.method === 'POST' && e.jsonrpcMethod === 'tools/call');
}

/**
 * Runs the probe plan. Independent probes run at once: the unauthenticated and the authenticated MCP exchange
 * and the speculative well-known PRM fetches all start at t0; only what needs an earlier answer waits for it.
 */
export async function observe(input: DiagnoseInput, options: DiagnoseOptions): Promise<Observations> {
  const url = new URL(input.url);
  const timeline = new Timeline(options.now);
  const { fetch, timeoutMs: requestTimeoutMs, maxBodyBytes, maxRedirects } = options;
  const secrets = [input.subscriptionKey, input.accessToken];
  const client = new ProbeHttpClient({ fetch, secretOrigin: url.origin, secrets, timeline, timeoutMs: requestTimeoutMs, maxBodyBytes, maxRedirects });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const keyHeaderName = input.keyHeaderName ?? DEFAULT_KEY_HEADER;
  const configured = configuredCredentials(input, keyHeaderName);

  const token = input.accessToken ? await decodeStep(timeline, input.accessToken) : undefined;

  const pickReadOnlyTool = readOnlyToolPicker(input.toolRoles, token);
  // The keyless request is sent to see the challenge when credentials are tried next or an Entra sign-in follows it.
  const challengeExpected = configured !== undefined || (input.auth !== undefined && usesEntra(input.auth));
  const unauthP = probeMcp(client, url.href, NO_CREDENTIALS, { stepPrefix: 'mcp (no credentials)', expectedStatuses: challengeExpected ? [401] : [], listTools: !configured, timeoutMs, pickReadOnlyTool: configured ? undefined : pickReadOnlyTool });
  const authP = configured
    ? probeMcp(client, url.href, configured, { stepPrefix: `mcp (${configured.label})`, listTools: true, timeoutMs, pickReadOnlyTool })
    : Promise.resolve(undefined);
  // The well-known URLs are fetched at once, speculatively, with the configured headers (same origin only), as
  // VS Code sends its launch headers; which document counts is decided once the challenge is known.
  const prmSpeculativeP = fetchPrm(client, prmCandidates(url.href), configured);

  const unauthenticated = await unauthP;
  const unauthFail = firstFailing(attemptExchanges(client, unauthenticated));
  const challenge = unauthFail ? readChallenges(unauthFail.headers['www-authenticate']) : undefined;
  // Behind a subscription key the Bearer challenge comes only with the key: what VS Code sees once it sends it.
  const keyedChallenge = !challenge?.bearer && input.subscriptionKey ? challengeOf(client, await authP) : undefined;

  const advertised = challenge?.bearer?.resourceMetadata ?? keyedChallenge?.bearer?.resourceMetadata;
  const prmAttempts = await withAdvertisedPrm(client, url, await prmSpeculativeP, advertised, configured);
  const prm = pickPrm(prmAttempts, url.href);

  const authorizationServer = prm?.document && isStringArray(prm.document.authorization_servers) ? prm.document.authorization_servers[0] : undefined;
  const signIn = planSignIn(input, prm, authorizationServer);

  const secondWave: Promise<unknown>[] = [];
  let authServer: AuthServerObservation | undefined;
  const authServerP = authorizationServer ? fetchAuthServerMetadata(client, authorizationServer, 'as-metadata', configured) : undefined;
  if (authServerP) secondWave.push(authServerP.then((r) => (authServer = r)));
  const preflights: PreflightResult[] = [];
  if (signIn) secondWave.push(runPreflights(client, timeline, signIn, authServerP).then((r) => preflights.push(...r)));
  const fallbackProbes: HttpExchange[] = [];
  let originAuthServer: AuthServerObservation | undefined;
  if (Boolean(challenge?.bearer || keyedChallenge?.bearer) || isTokenChallengeBody(unauthFail)) {
    const fallback = originFallback(client, url, configured, authorizationServer, authServerP);
    secondWave.push(fallback.then((r) => ((originAuthServer = r.originAuthServer), fallbackProbes.push(...r.fallbackProbes))));
  }
  const authenticated = await authP;
  const pathProbes: HttpExchange[] = [];
  const notFound = [unauthFail, firstFailing(attemptExchanges(client, authenticated))].some((e) => e?.status === 404);
  if (notFound) secondWave.push(siblingPathProbes(client, url, configured).then((r) => pathProbes.push(...r)));
  await Promise.all(secondWave);
  const authFail = firstFailing(attemptExchanges(client, authenticated));
  return {
    url,
    input,
    keyHeaderName,
    now: timeline.now(),
    unauthenticated,
    authenticated,
    exchanges: client.exchanges,
    challenge,
    authChallenge: authFail ? readChallenges(authFail.headers['www-authenticate']) : undefined,
    prmAttempts,
    prm,
    authServer,
    fallbackProbes,
    originAuthServer,
    preflights,
    token,
    pathProbes,
    timeline,
  };
}

/** The configured token's claims, on the timeline (never its signature). */
function decodeStep(timeline: Timeline, accessToken: Secret): Promise<DecodeResult> {
  return timeline.step('decode access token', async () => decodeAccessToken(accessToken), (r) => ({
    status: r.ok ? 'ok' : 'warning',
    detail: r.ok ? `claims: ${Object.keys(r.token.claims).join(', ')} (signature not shown)` : r.error,
  }));
}

/** The secrets the client under test sends: its subscription key and its access token, as headers. */
function configuredCredentials(input: DiagnoseInput, keyHeaderName: string): Credentials | undefined {
  const headers: Record<string, Secret> = {};
  if (input.subscriptionKey) headers[keyHeaderName] = input.subscriptionKey;
  if (input.accessToken) headers['Authorization'] = bearer(input.accessToken);
  if (!Object.keys(headers).length) return undefined;
  return { label: [input.subscriptionKey && 'subscription key', input.accessToken && 'access token'].filter(Boolean).join(' + '), headers };
}

/**
 * One read-only call shows the policy acting on tools/call (issue 15.c: a policy that fails every call is not healthy);
 * with a role map, prefer a tool the token lacks the role for.
 */
function readOnlyToolPicker(toolRoles: DiagnoseInput['toolRoles'], token: DecodeResult | undefined): (tools: readonly ToolSummary[]) => string | undefined {
  const roles = token?.ok ? claimList(token.token.claims, 'roles') ?? [] : undefined;
  return (tools) => {
    if (toolRoles && roles) {
      const byRole = tools.find((t) => toolRoles[t.name] && !roles.includes(toolRoles[t.name]!)) ?? tools.find((t) => toolRoles[t.name]);
      if (byRole) return byRole.name;
    }
    return preferredReadOnlyTool(tools)?.name;
  };
}

/** The PRM fetches so far, plus the URL the challenge names (reusing a speculative fetch of the same URL). */
async function withAdvertisedPrm(client: ProbeHttpClient, url: URL, speculative: PrmAttempt[], advertised: string | undefined, configured: Credentials | undefined): Promise<PrmAttempt[]> {
  if (!advertised) return speculative;
  const named = prmCandidates(url.href, advertised);
  const already = speculative.find((a) => named[0] && a.url === named[0].url);
  if (already) return [...speculative, { ...already, source: 'challenge' }];
  return [...speculative, ...(named.length ? await fetchPrm(client, named, configured) : [])];
}

/** The authorize preflight for each redirect URI, once the authorize endpoint is known. */
async function runPreflights(client: ProbeHttpClient, timeline: Timeline, signIn: PlannedSignIn, authServerP: Promise<AuthServerObservation> | undefined): Promise<PreflightResult[]> {
  let endpoint = signIn.authorizeEndpoint;
  if (!endpoint && authServerP) endpoint = (await authServerP).metadata?.authorization_endpoint;
  if (!endpoint) {
    timeline.skipped('authorize-preflight', 'no authorization endpoint known (no PRM authorization server, no --authority)');
    return [];
  }
  const tokenEndpoint = signIn.tokenEndpoint ?? (authServerP ? (await authServerP).metadata?.token_endpoint : undefined);
  const request = { authorizeEndpoint: endpoint, tokenEndpoint, clientId: signIn.clientId, scopes: signIn.scopes, resource: signIn.resource };
  return Promise.all(signIn.redirectUris.map((redirectUri) => preflightAuthorize(client, { ...request, redirectUri })));
}

/**
 * VS Code's Flow 2 and 3 (extHostMcp.ts createAuthMetadata): without a PRM authorization server, or when a
 * cross-origin one has no metadata, the MCP origin's own metadata; failing that, the default /authorize on the origin.
 */
async function originFallback(
  client: ProbeHttpClient,
  url: URL,
  configured: Credentials | undefined,
  authorizationServer: string | undefined,
  authServerP: Promise<AuthServerObservation> | undefined,
): Promise<{ originAuthServer?: AuthServerObservation; fallbackProbes: HttpExchange[] }> {
  if (authorizationServer && authServerP && ((await authServerP).metadata || sameOrigin(authorizationServer, url))) return { fallbackProbes: [] };
  const originAuthServer = await fetchAuthServerMetadata(client, url.origin, 'fallback as-metadata', configured);
  if (originAuthServer.metadata) return { originAuthServer, fallbackProbes: [] };
  return { originAuthServer, fallbackProbes: [await client.send('fallback authorize', { url: `${url.origin}/authorize`, followRedirects: false })] };
}

/** After a 404: the sibling transport paths (`/mcp` ↔ `/sse`), with the configured credentials. */
function siblingPathProbes(client: ProbeHttpClient, url: URL, configured: Credentials | undefined): Promise<HttpExchange[]> {
  return Promise.all(
    siblingPaths(url).map((sibling) => {
      const sse = sibling.pathname.endsWith('/sse');
      const headers: Record<string, string> = sse ? { accept: 'text/event-stream' } : { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
      return client.send(`path check ${sibling.pathname}`, { method: sse ? 'GET' : 'POST', url: sibling.href, headers, body: sse ? undefined : INITIALIZE_BODY, credentials: configured });
    }),
  );
}

function challengeOf(client: ProbeHttpClient, attempt: McpAttempt | undefined): ParsedChallenges | undefined {
  const fail = firstFailing(attemptExchanges(client, attempt));
  return fail ? readChallenges(fail.headers['www-authenticate']) : undefined;
}

const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'apim-mcp-diagnose', version: '0.1.0' } },
});

function bearer(token: Secret): Secret {
  return Secret.of(`Bearer ${token.reveal().replace(/^Bearer\s+/i, '').trim()}`);
}

function sameOrigin(a: string, url: URL): boolean {
  try {
    return new URL(a).origin === url.origin;
  } catch {
    return false;
  }
}

function isTokenChallengeBody(exchange: HttpExchange | undefined): boolean {
  if (!exchange || exchange.status !== 401) return false;
  return /JWT|token/i.test(exchange.bodyText) && !/subscription key/i.test(exchange.bodyText);
}

/** `/mcp` ↔ `/sse`, and `<url>/mcp` when the URL names neither. */
export function siblingPaths(url: URL): URL[] {
  const path = url.pathname.replace(/\/+$/, '');
  const make = (p: string): URL => new URL(p + url.search, url.origin);
  if (path.endsWith('/mcp')) return [make(`${path.slice(0, -4)}/sse`)];
  if (path.endsWith('/sse')) return [make(`${path.slice(0, -4)}/mcp`)];
  return [make(`${path}/mcp`), make(`${path}/sse`)];
}

interface PlannedSignIn {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly resource?: string;
  readonly authorizeEndpoint?: string;
  readonly tokenEndpoint?: string;
}

/**
 * The sign-in to preflight: the configured client, or VS Code's own client id when the server publishes PRM
 * (that is what VS Code signs in with). Scopes and `resource` are what an MCP client would send.
 */
function planSignIn(input: DiagnoseInput, prm: PrmAttempt | undefined, authorizationServer: string | undefined): PlannedSignIn | undefined {
  const prmScopes = prm?.document && isStringArray(prm.document.scopes_supported) ? prm.document.scopes_supported : [];
  const resource = typeof prm?.document?.resource === 'string' ? prm.document.resource : undefined;
  const authority = input.signIn?.authority ?? authorizationServer;
  const parsed = authority ? authorityOf(authority) : undefined;
  const entra = parsed?.version === 2 && parsed.tenant ? parsed : undefined;
  const authorizeEndpoint = entra ? v2AuthorizeEndpoint(entra.base, entra.tenant!) : undefined;
  const tokenEndpoint = entra ? v2TokenEndpoint(entra.base, entra.tenant!) : undefined;
  if (input.signIn) {
    const scopes = input.signIn.scopes?.length ? input.signIn.scopes : prmScopes;
    return { clientId: input.signIn.clientId, redirectUris: input.signIn.redirectUris, scopes: withOidc(scopes), resource, authorizeEndpoint, tokenEndpoint };
  }
  if (!authorizationServer || !prmScopes.length) return undefined;
  if (!prmScopes.some((s) => scopeResource(s))) return undefined;
  return { clientId: VSCODE_CLIENT_ID, redirectUris: ['https://vscode.dev/redirect'], scopes: withOidc(prmScopes), resource, authorizeEndpoint, tokenEndpoint };
}

function withOidc(scopes: readonly string[]): string[] {
  const out = [...scopes];
  for (const s of ['openid', 'profile', 'offline_access']) if (!out.includes(s)) out.push(s);
  return out;
}
