import type { HttpExchange, ProbeHttpClient } from './probeHttpClient';

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

/** Discovery order of VS Code and RFC 9728: the challenge's `resource_metadata`, then path-inserted, then root well-known. */
export function prmCandidates(mcpUrl: string, resourceMetadata?: string): PrmCandidate[] {
  const url = new URL(mcpUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const out: PrmCandidate[] = [];
  if (resourceMetadata) {
    try {
      out.push({ url: new URL(resourceMetadata, url).href, source: 'challenge' });
    } catch {
      // An unusable resource_metadata value is reported by the rules from the challenge itself.
    }
  }
  if (path) out.push({ url: `${url.origin}/.well-known/oauth-protected-resource${path}`, source: 'wellKnownPath' });
  out.push({ url: `${url.origin}/.well-known/oauth-protected-resource`, source: 'wellKnownRoot' });
  const apiBase = path.replace(/\/(mcp|sse)$/, '');
  if (apiBase && !resourceMetadata) out.push({ url: `${url.origin}${apiBase}/.well-known/oauth-protected-resource`, source: 'apiBase' });
  return out.filter((c, i) => out.findIndex((o) => o.url === c.url) === i);
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

export async function fetchPrm(client: ProbeHttpClient, candidates: readonly PrmCandidate[]): Promise<PrmAttempt[]> {
  return Promise.all(
    candidates.map(async (candidate) => {
      const exchange = await client.send(`prm ${candidate.source}`, { url: candidate.url, headers: { accept: 'application/json' } });
      return { ...candidate, exchange, ...readPrm(exchange) };
    }),
  );
}

/** The first usable document in discovery order, as a client would pick it. */
export function pickPrm(attempts: readonly PrmAttempt[]): PrmAttempt | undefined {
  const order: PrmSource[] = ['challenge', 'wellKnownPath', 'wellKnownRoot'];
  return [...attempts]
    .filter((a) => order.includes(a.source))
    .sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source))
    .find((a) => a.document && !a.problem);
}
