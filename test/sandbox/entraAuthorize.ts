/**
 * The Entra emulator's /authorize and sign-in, in real Entra's order (test/sandbox/FIDELITY.md, Entra rows):
 *   1. before anyone signs in: tenant (AADSTS90002), client id (700016), redirect URIs (500113, 50011). These errors are
 *      the ConvergedError page (HTTP 200), never a redirect;
 *   2. nobody signed in (no session cookie), or prompt=login / select_account: the ConvergedSignIn page (HTTP 200).
 *      Its form posts the user name to /{tenant}/login, which sets the session cookie and goes on with step 3.
 *      prompt=none without a session redirects back with login_required (AADSTS50058);
 *   3. after sign-in: scopes, resource, consent, assignment (70011, 28000, 500011, 9010010, 90009, 65001, 90094, 50105)
 *      redirect back to the client with error + error_description; success redirects with the code.
 * A login_hint pre-fills the user name; it does not sign anyone in.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AAD, AadFailure, entraTimestamp, type AadError } from './aadsts';
import { errorPageHtml, signInPageHtml, type PageIds } from './entraPages';
import type { AppRegistration, EntraUser } from './scenarioSchema';

export type Platform = 'publicClient' | 'web' | 'spa';

/** Real Entra's browser session cookie name (public tools that replay Entra sign-ins carry ESTSAUTH / ESTSAUTHPERSISTENT). */
export const SESSION_COOKIE = 'ESTSAUTH';

export interface AuthorizeContext {
  readonly origin: () => string;
  readonly log: (line: string) => void;
  readonly ids: (req: IncomingMessage) => PageIds;
  readonly resolveTenant: (segment: string) => { tenantId: string; placeholder: boolean } | undefined;
  readonly findApp: (tenantId: string, clientId: string | undefined) => AppRegistration | undefined;
  readonly findUser: (upn: string) => EntraUser | undefined;
  /** The checks Entra makes after sign-in; returns the authorization code or throws AadFailure. */
  readonly issueCode: (grant: { user: EntraUser; tenantId: string; client: AppRegistration; redirectUri: string; platform: Platform; query: URLSearchParams }) => string;
}

function isLoopback(uri: URL): boolean {
  return uri.protocol === 'http:' && (uri.hostname === '127.0.0.1' || uri.hostname === 'localhost' || uri.hostname === '[::1]');
}

/** Which platform registered this redirect URI (exact match; loopback "Mobile and desktop" URIs match any port). */
export function matchRedirect(app: AppRegistration, redirectUri: string): Platform | undefined {
  for (const platform of ['publicClient', 'spa', 'web'] as const) {
    for (const registered of app.redirectUris[platform]) {
      if (registered === redirectUri) return platform;
      if (platform !== 'publicClient') continue;
      try {
        const a = new URL(registered);
        const b = new URL(redirectUri);
        const stripPort = (s: string) => s.replace(/^(http:\/\/[^/:]+)(:\d+)?/, '$1');
        if (isLoopback(a) && isLoopback(b) && a.hostname === b.hostname && stripPort(registered) === stripPort(redirectUri)) return platform;
      } catch {
        // not a URL: exact match only
      }
    }
  }
  return undefined;
}

export function redirectTo(res: ServerResponse, redirectUri: string, params: Record<string, string>, mode: string): void {
  if (mode === 'form_post') {
    const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const inputs = Object.entries(params)
      .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}" />`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><body onload="document.forms[0].submit()"><form method="POST" action="${esc(redirectUri)}">${inputs}</form></body></html>`);
    return;
  }
  const target = new URL(redirectUri);
  if (mode === 'fragment') {
    res.writeHead(302, { location: `${target.toString().replace(/#.*$/, '')}#${new URLSearchParams(params).toString()}`, 'cache-control': 'no-store, no-cache' }).end();
    return;
  }
  for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store, no-cache' }).end();
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

interface SignInState {
  readonly ctx: AuthorizeContext;
  /** Session cookie value → UPN of the signed-in user. */
  readonly sessions: Map<string, string>;
  /** Sign-in page ctx → the authorize request waiting for the sign-in. */
  readonly pending: Map<string, { tenantSegment: string; url: string; expiresAt: number }>;
}

function errorPage(st: SignInState, req: IncomingMessage, res: ServerResponse, aad: AadError): void {
  const ids = st.ctx.ids(req);
  st.ctx.log(`entra: authorize error page AADSTS${aad.code}`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache', 'x-ms-request-id': ids.traceId }).end(errorPageHtml(aad, ids));
}

function signInPage(st: SignInState, req: IncomingMessage, res: ServerResponse, tenantSegment: string, url: URL, errorText?: string): void {
  const ticket = randomBytes(24).toString('base64url');
  st.pending.set(ticket, { tenantSegment, url: url.href, expiresAt: Date.now() + 10 * 60_000 });
  const ids = st.ctx.ids(req);
  st.ctx.log('entra: authorize sign-in page (nobody signed in)');
  const html = signInPageHtml({ urlPost: `/${tenantSegment}/login`, ctx: ticket, flowToken: randomBytes(24).toString('base64url'), correlationId: ids.correlationId, loginHint: url.searchParams.get('login_hint') ?? undefined, errorText });
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache', 'x-ms-request-id': ids.traceId }).end(html);
}

/** The OAuth `error` Entra redirects with for an AADSTS code found after sign-in. */
function oauthErrorOf(err: AadError): string {
  if (err.code === 65001 || err.code === 90094) return 'consent_required';
  if (err.code === 50105) return 'access_denied';
  return err.code === 70011 || err.code === 28000 ? 'invalid_scope' : err.error;
}

/** Steps 1-3 for one authorize URL; `signedIn` is the user of the session (or of the sign-in just posted). */
function run(st: SignInState, req: IncomingMessage, res: ServerResponse, tenantSegment: string, url: URL, signedIn: EntraUser | undefined): void {
  const { ctx } = st;
  const q = url.searchParams;
  const tenant = ctx.resolveTenant(tenantSegment);
  if (!tenant) return errorPage(st, req, res, AAD.tenantNotFound(tenantSegment));
  const clientId = q.get('client_id');
  if (!clientId) return errorPage(st, req, res, AAD.missingParameter('client_id'));
  const client = ctx.findApp(tenant.tenantId, clientId);
  if (!client) return errorPage(st, req, res, AAD.appNotFound(clientId, tenant.tenantId));
  const redirectUri = q.get('redirect_uri');
  const allRedirects = [...client.redirectUris.publicClient, ...client.redirectUris.web, ...client.redirectUris.spa];
  if (allRedirects.length === 0) return errorPage(st, req, res, AAD.noReplyAddress());
  const platform = redirectUri ? matchRedirect(client, redirectUri) : undefined;
  if (!redirectUri || !platform) return errorPage(st, req, res, AAD.redirectMismatch(redirectUri ?? '', client.appId));

  const state = q.get('state');
  const mode = q.get('response_mode') ?? 'query';
  const fail = (aad: AadError, error = aad.error) => {
    const { traceId, correlationId, now } = ctx.ids(req);
    ctx.log(`entra: authorize redirect error AADSTS${aad.code}`);
    const description = `AADSTS${aad.code}: ${aad.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${entraTimestamp(now)}`;
    redirectTo(res, redirectUri, { error, error_description: description, error_uri: `${ctx.origin()}/error?code=${aad.code}`, ...(state !== null ? { state } : {}) }, mode);
  };
  if (q.get('response_type') !== 'code') return fail(AAD.unsupportedResponseType());
  if (!signedIn) return q.get('prompt') === 'none' ? fail(AAD.loginRequired(), 'login_required') : signInPage(st, req, res, tenantSegment, url);
  try {
    const code = ctx.issueCode({ user: signedIn, tenantId: tenant.tenantId, client, redirectUri, platform, query: q });
    ctx.log(`entra: authorize ok client=${clientId} platform=${platform}`);
    redirectTo(res, redirectUri, { code, ...(state !== null ? { state } : {}), session_state: randomUUID() }, mode);
  } catch (error) {
    if (!(error instanceof AadFailure)) throw error;
    fail(error.aad, oauthErrorOf(error.aad));
  }
}

export function authorizeEndpoint(ctx: AuthorizeContext) {
  const st: SignInState = { ctx, sessions: new Map(), pending: new Map() };
  return {
    /** GET /{tenant}/oauth2/v2.0/authorize */
    authorize(req: IncomingMessage, res: ServerResponse, tenantSegment: string, url: URL): void {
      const prompt = url.searchParams.get('prompt');
      const sessionUser = st.sessions.get(cookieValue(req, SESSION_COOKIE) ?? '');
      // prompt=login and select_account ask the person again even with a session (the emulator has no account picker).
      const user = sessionUser && prompt !== 'login' && prompt !== 'select_account' ? ctx.findUser(sessionUser) : undefined;
      run(st, req, res, tenantSegment, url, user);
    },
    /** POST /{tenant}/login: the sign-in page's form (login = user name, ctx = the authorize request waiting for it). */
    async login(req: IncomingMessage, res: ServerResponse, tenantSegment: string): Promise<void> {
      const form = await readForm(req);
      const ticket = st.pending.get(form.get('ctx') ?? '');
      if (!ticket || ticket.expiresAt < Date.now() || ticket.tenantSegment !== tenantSegment) return errorPage(st, req, res, AAD.sessionLost());
      const url = new URL(ticket.url);
      const login = (form.get('login') ?? form.get('loginfmt') ?? '').trim();
      const user = login ? ctx.findUser(login) : undefined;
      if (!user) return signInPage(st, req, res, tenantSegment, url, AAD.userNotFound(login, ctx.resolveTenant(tenantSegment)?.tenantId ?? tenantSegment).message);
      st.pending.delete(form.get('ctx') ?? '');
      const session = randomBytes(24).toString('base64url');
      st.sessions.set(session, user.upn);
      res.setHeader('set-cookie', `${SESSION_COOKIE}=${session}; path=/; secure; HttpOnly; SameSite=None`);
      ctx.log(`entra: signed in ${user.upn}`);
      run(st, req, res, tenantSegment, url, user);
    },
  };
}
