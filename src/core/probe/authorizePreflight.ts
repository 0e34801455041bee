import { createHash, randomBytes } from 'node:crypto';
import { parseAadstsText, type ParsedAadstsError } from '../entra/aadstsText';
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

/** Text content of an HTML page, as data: tags removed, never interpreted. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
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
  const text = htmlToText(exchange.bodyText);
  const parsed = parseAadstsText(text);
  if (parsed.codes.length) return { kind: 'aadsts', parsed, via: 'page' };
  if (status === 200) return { kind: 'passes', via: 'signInPage' };
  return { kind: 'inconclusive', reason: `HTTP ${status} without an AADSTS code` };
}
