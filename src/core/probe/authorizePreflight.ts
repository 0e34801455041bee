import { createHash, randomBytes } from 'node:crypto';
import { parseAadstsText, type ParsedAadstsError } from '../entra/aadstsText';
import { isEntraErrorPage, isEntraSignInPage, readEntraPage } from '../entra/entraPage';
import type { HttpExchange, ProbeHttpClient } from './probeHttpClient';

export interface PreflightRequest {
  readonly authorizeEndpoint: string;
  /** Where a public client redeems the code; used only when the authorize step hands out a code without sign-in. */
  readonly tokenEndpoint?: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  /** RFC 8707 resource, as MCP clients send it (the PRM `resource`). */
  readonly resource?: string;
}

export type PreflightOutcome =
  /** Entra answered with an error (page or redirect) carrying AADSTS codes. */
  | { kind: 'aadsts'; parsed: ParsedAadstsError; via: 'page' | 'redirect' | 'token' }
  /** Entra would show its sign-in page or sent the browser on with a code: nothing wrong before sign-in. */
  | { kind: 'passes'; via: 'signInPage' | 'code' }
  | { kind: 'inconclusive'; reason: string };

export interface PreflightResult {
  readonly request: PreflightRequest;
  readonly exchange: HttpExchange;
  readonly outcome: PreflightOutcome;
  /** The code redemption, when there was one. Its success body (tokens) is never kept. */
  readonly redemption?: HttpExchange;
}

/**
 * Text content of an HTML page, as data: `<script>` and `<style>` blocks and tags removed, never interpreted, spaces
 * collapsed, blank lines dropped. The page comes from a server, and the plain regexes for this take quadratic time on
 * unclosed tags and long whitespace runs, so each step here is linear (see `withoutBlocks`, `withoutTags`).
 */
export function htmlToText(html: string): string {
  return withoutTags(withoutBlocks(html))
    .replace(/[ \t\r\f\v]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * Each `<script …>…</script>` and `<style …>…</style>` replaced by a space. Once a block type is found unclosed, no
 * later one of that type can close either, so it is not searched for again; the `>` of consecutive opening tags is
 * found once.
 */
function withoutBlocks(html: string): string {
  const types = new Set(['script', 'style']);
  let opening = /<(script|style)/gi;
  const parts: string[] = [];
  let kept = 0;
  let gt = -1;
  for (let m = opening.exec(html); m; m = opening.exec(html)) {
    const type = m[1]!.toLowerCase();
    if (gt < m.index) gt = html.indexOf('>', m.index);
    if (gt < 0) break;
    const closing = new RegExp(`</${type}>`, 'gi');
    closing.lastIndex = gt + 1;
    const end = closing.exec(html);
    if (end) {
      parts.push(html.slice(kept, m.index), ' ');
      kept = end.index + end[0].length;
      opening.lastIndex = kept;
      continue;
    }
    types.delete(type);
    if (types.size === 0) break;
    const next = new RegExp(`<(${[...types].join('|')})`, 'gi');
    next.lastIndex = m.index + 1;
    opening = next;
  }
  parts.push(html.slice(kept));
  return parts.join('');
}

/** Tags replaced by a space. Only up to the last `>`: past it a `<` opens no tag, and scanning for one would not end. */
function withoutTags(html: string): string {
  const last = html.lastIndexOf('>');
  return html.slice(0, last + 1).replace(/<[^>]*>/g, ' ') + html.slice(last + 1);
}

/**
 * GETs the authorize endpoint with the client id and redirect URI in question and reads Entra's answer
 * without signing in: the error page (AADSTS code in the HTML) or the error redirect (`error_description`).
 * Redirects are not followed, so nothing is ever sent to the redirect URI.
 */
export async function preflightAuthorize(client: ProbeHttpClient, request: PreflightRequest): Promise<PreflightResult> {
  const url = new URL(request.authorizeEndpoint);
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scopes.join(' '));
  if (request.resource) url.searchParams.set('resource', request.resource);
  url.searchParams.set('state', randomBytes(8).toString('hex'));
  const verifier = randomBytes(32).toString('base64url');
  url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('prompt', 'select_account');
  let rawLocation: string | undefined;
  const exchange = await client.send(`authorize-preflight ${request.clientId} ${request.redirectUri}`, {
    url: url.href,
    headers: { accept: 'text/html' },
    followRedirects: false,
    onRawLocation: (location) => (rawLocation = location),
  });
  const outcome = readPreflight(exchange, request.redirectUri);
  if (outcome.kind !== 'passes' || outcome.via !== 'code' || !request.tokenEndpoint) return { request, exchange, outcome };
  // Sign-in completed without interaction (SSO): redeem the code as a public client would, to catch
  // platform errors that Entra reports only at the token endpoint (AADSTS7000218, 9002326).
  const code = codeFrom(rawLocation);
  if (!code) return { request, exchange, outcome };
  const redemption = await client.send(`token-redeem ${request.clientId}`, {
    method: 'POST',
    url: request.tokenEndpoint,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: request.clientId,
      code,
      redirect_uri: request.redirectUri,
      code_verifier: verifier,
      scope: request.scopes.join(' '),
    }).toString(),
    sensitiveSuccessBody: true,
  });
  if (redemption.status && redemption.status >= 400) {
    const parsed = parseAadstsText(redemption.bodyText);
    if (parsed.codes.length) return { request, exchange, redemption, outcome: { kind: 'aadsts', parsed: { ...parsed, redirectUri: parsed.redirectUri ?? request.redirectUri }, via: 'token' } };
  }
  return { request, exchange, redemption, outcome };
}

function codeFrom(location: string | undefined): string | undefined {
  if (!location) return undefined;
  try {
    const url = new URL(location, 'https://relative.invalid');
    return new URLSearchParams(url.search.slice(1) + '&' + url.hash.slice(1)).get('code') ?? undefined;
  } catch {
    return undefined;
  }
}

export function readPreflight(exchange: HttpExchange, redirectUri: string): PreflightOutcome {
  if (exchange.failure) return { kind: 'inconclusive', reason: `${exchange.failure.kind}: ${exchange.failure.message}` };
  const status = exchange.status ?? 0;
  const location = exchange.headers['location'];
  if (status >= 300 && status < 400 && location) {
    let target: URL;
    try {
      target = new URL(location, 'https://invalid.invalid');
    } catch {
      return { kind: 'inconclusive', reason: 'redirect with an unreadable Location' };
    }
    const params = new URLSearchParams(target.search.slice(1) + '&' + target.hash.slice(1));
    if (params.get('error')) {
      const parsed = parseAadstsText(target.href);
      if (parsed.codes.length) return { kind: 'aadsts', parsed: { ...parsed, redirectUri: parsed.redirectUri ?? redirectUri }, via: 'redirect' };
      return { kind: 'inconclusive', reason: `error=${params.get('error')} without an AADSTS code` };
    }
    if (params.get('code')) return { kind: 'passes', via: 'code' };
    return { kind: 'passes', via: 'signInPage' };
  }
  // Entra's pages carry their data in a $Config script (HTTP 200 either way): read that before the HTML text.
  const page = readEntraPage(exchange.bodyText);
  if (page && isEntraErrorPage(page)) {
    const parsed = parseAadstsText(exchange.bodyText);
    if (parsed.codes.length) return { kind: 'aadsts', parsed, via: 'page' };
    return { kind: 'inconclusive', reason: `Entra error page (${page.pageId ?? 'no PageID'}) without an AADSTS code` };
  }
  if (page && isEntraSignInPage(page)) return { kind: 'passes', via: 'signInPage' };
  const parsed = parseAadstsText(htmlToText(exchange.bodyText));
  if (parsed.codes.length) return { kind: 'aadsts', parsed, via: 'page' };
  return { kind: 'inconclusive', reason: status === 200 ? 'HTTP 200 with a page that is neither an Entra sign-in page nor an error page' : `HTTP ${status} without an AADSTS code` };
}

/**
 * What the authorize preflight can and cannot see. Entra checks the tenant, the client id and the redirect URI before
 * anyone signs in, and shows those errors on its error page; everything else it checks after sign-in, so a preflight
 * (which never signs in) meets the sign-in page instead (test/sandbox/FIDELITY.md, Entra preflight rows).
 */
export const PREFLIGHT_REACH = {
  checked: [
    { code: 90002, what: 'the tenant exists' },
    { code: 700016, what: 'the client id is an application in that tenant' },
    { code: 500113, what: 'the application has redirect URIs' },
    { code: 50011, what: 'the redirect URI is registered on it' },
  ],
  afterSignIn: [
    { code: 65001, what: 'consent or pre-authorization of the client for the API scope' },
    { code: 50105, what: 'user assignment when the API app requires it' },
    { code: 70011, what: 'the scopes exist on the API' },
    { code: 9010010, what: 'the RFC 8707 resource matches the scopes\' Application ID URI' },
    { code: 7000218, what: 'the redirect URI\'s platform (public client or Web) when the code is redeemed' },
  ],
} as const;
