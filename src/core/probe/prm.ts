import type { Credentials, HttpExchange, ProbeHttpClient } from './probeHttpClient';

/** RFC 9728 Protected Resource Metadata, as far as the diagnosis reads it. */
export interface PrmDocument {
  readonly resource?: unknown;
  readonly authorization_servers?: unknown;
  readonly scopes_supported?: unknown;
  readonly bearer_methods_supported?: unknown;
}

/** `apiBase` (`<api path>/.well-known/oauth-protected-resource`, the APIM samples' layout) is fetched only speculatively:
 * clients reach it only when the challenge names it, so it never counts as discovered on its own. */
export type PrmSource = 'challenge' | 'wellKnownPath' | 'wellKnownRoot' | 'apiBase';

export interface PrmCandidate {
  readonly url: string;
  readonly source: PrmSource;
}

export interface PrmAttempt extends PrmCandidate {
  readonly exchange: HttpExchange;
  readonly document?: PrmDocument;
  /** Why a 200 answer is not usable PRM (not JSON, wrong shape). */
  readonly problem?: string;
}

export interface PrmObservation {
  readonly attempts: readonly PrmAttempt[];
  readonly found?: PrmAttempt;
}

/**
 * Discovery order of VS Code (microsoft/vscode src/vs/base/common/oauth.ts fetchResourceMetadata) and the MCP
 * 2025-11-25 authorization spec: when the challenge names `resource_metadata`, that URL and nothing else; without it,
 * the path-inserted well-known URL (`/.well-known/oauth-protected-resource<path>`, the path as it is), then the root one.
 * `apiBase` is added only as a speculative probe for the evidence when no URL was advertised.
 */
export function prmCandidates(mcpUrl: string, resourceMetadata?: string): PrmCandidate[] {
  const url = new URL(mcpUrl);
  if (resourceMetadata) {
    try {
      return [{ url: new URL(resourceMetadata, url).href, source: 'challenge' }];
    } catch {
      // An unusable resource_metadata value is reported by the rules from the challenge itself.
      return [];
    }
  }
  const out: PrmCandidate[] = [];
  if (url.pathname !== '/') out.push({ url: `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`, source: 'wellKnownPath' });
  out.push({ url: `${url.origin}/.well-known/oauth-protected-resource`, source: 'wellKnownRoot' });
  const apiBase = url.pathname.replace(/\/+$/, '').replace(/\/(mcp|sse)$/, '');
  if (apiBase) out.push({ url: `${url.origin}${apiBase}/.well-known/oauth-protected-resource`, source: 'apiBase' });
  return out.filter((c, i) => out.findIndex((o) => o.url === c.url) === i);
}

/** VS Code's check of the PRM `resource` against the server URL: equal after `new URL(…).toString()`, so a trailing slash counts. */
export function sameResource(resource: string, mcpUrl: string): boolean {
  try {
    return new URL(resource).toString() === new URL(mcpUrl).toString();
  } catch {
    return false;
  }
}

export function readPrm(exchange: HttpExchange): { document?: PrmDocument; problem?: string } {
  if (exchange.failure || exchange.status !== 200) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(exchange.bodyText);
  } catch {
    return { problem: 'the answer is not JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: 'the answer is not a JSON object' };
  const doc = parsed as PrmDocument;
  if (typeof doc.resource !== 'string') return { document: doc, problem: '"resource" is missing or not a string' };
  if (doc.authorization_servers !== undefined && !isStringArray(doc.authorization_servers)) {
    return { document: doc, problem: '"authorization_servers" is not an array of strings' };
  }
  if (doc.scopes_supported !== undefined && !isStringArray(doc.scopes_supported)) {
    return { document: doc, problem: '"scopes_supported" is not an array of strings' };
  }
  return { document: doc };
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Fetches the candidates as VS Code does: `Accept: application/json`, and the server's configured headers (the
 * subscription key) only to URLs of the MCP URL's origin; the probe client never sends them anywhere else.
 */
export async function fetchPrm(client: ProbeHttpClient, candidates: readonly PrmCandidate[], credentials?: Credentials): Promise<PrmAttempt[]> {
  return Promise.all(
    candidates.map(async (candidate) => {
      const exchange = await client.send(`prm ${candidate.source}`, { url: candidate.url, headers: { accept: 'application/json' }, credentials, expectedStatuses: [404] });
      return { ...candidate, exchange, ...readPrm(exchange) };
    }),
  );
}

/**
 * The document a client would use. When the challenge named a URL, only that one counts (no fallback). Otherwise the
 * well-known URLs in order, preferring one whose `resource` matches the MCP URL (VS Code moves on from a mismatch).
 */
export function pickPrm(attempts: readonly PrmAttempt[], mcpUrl?: string): PrmAttempt | undefined {
  const usable = (a: PrmAttempt) => Boolean(a.document && !a.problem);
  const challenged = attempts.filter((a) => a.source === 'challenge');
  if (challenged.length) return challenged.find(usable);
  const order: PrmSource[] = ['wellKnownPath', 'wellKnownRoot'];
  const wellKnown = attempts.filter((a) => order.includes(a.source) && usable(a)).sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source));
  return (mcpUrl && wellKnown.find((a) => typeof a.document?.resource === 'string' && sameResource(a.document.resource, mcpUrl))) || wellKnown[0];
}
