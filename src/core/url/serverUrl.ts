import { isLoopbackHost, parseServerUrl } from '../serverRecord';

/**
 * What the wizard needs to know about a typed MCP endpoint URL, computed once:
 * whether it is allowed, which APIM cloud (if any) serves it, and which common path mistake it shows.
 */
export type HostKind = 'apimPublic' | 'apimChina' | 'apimUsGov' | 'loopback' | 'custom';

/** The classic APIM path mistakes: the legacy SSE endpoint or its message channel instead of streamable HTTP `/mcp`. */
export type PathMistake = 'sse' | 'messages';

export interface UrlAnalysis {
  readonly url: URL;
  /** Normalised URL string (what is written to config). */
  readonly href: string;
  readonly origin: string;
  readonly hostKind: HostKind;
  /** The APIM service name (`contoso` in `contoso.azure-api.net`), for APIM hosts only. */
  readonly apimServiceName?: string;
  readonly pathMistake?: PathMistake;
  /** The same URL with the mistake corrected to `/mcp`, when there is a mistake. */
  readonly suggestedUrl?: string;
  readonly suggestedName: string;
}

export type UrlAnalysisResult = { ok: true; value: UrlAnalysis } | { ok: false; error: string };

const APIM_SUFFIXES: readonly (readonly [string, HostKind])[] = [
  ['.azure-api.net', 'apimPublic'],
  ['.azure-api.cn', 'apimChina'],
  ['.azure-api.us', 'apimUsGov'],
];

export function classifyHost(hostname: string): { kind: HostKind; serviceName?: string } {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  for (const [suffix, kind] of APIM_SUFFIXES) {
    if (host.endsWith(suffix) && host.length > suffix.length) {
      const label = host.slice(0, -suffix.length);
      // Only the gateway host `<service>.azure-api.*` carries the service name; regional gateways add a label.
      const serviceName = label.split('.')[0];
      return { kind, serviceName };
    }
  }
  if (isLoopbackHost(hostname)) return { kind: 'loopback' };
  return { kind: 'custom' };
}

/** Flags a path whose last segment is `sse` or `message(s)`: APIM exposes MCP over streamable HTTP at `/mcp`. */
export function findPathMistake(url: URL): { mistake: PathMistake; suggestedUrl: string } | undefined {
  const segments = url.pathname.split('/');
  while (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  const last = (segments[segments.length - 1] ?? '').toLowerCase();
  let mistake: PathMistake | undefined;
  if (last === 'sse') mistake = 'sse';
  else if (last === 'messages' || last === 'message') mistake = 'messages';
  if (!mistake) return undefined;
  const fixed = new URL(url.href);
  fixed.pathname = [...segments.slice(0, -1), 'mcp'].join('/');
  // `/messages?sessionId=…` is a per-session channel: the query belongs to the old transport, not to the server.
  if (mistake === 'messages') fixed.search = '';
  return { mistake, suggestedUrl: fixed.href };
}

const NAME_NOISE = new Set(['mcp', 'sse', 'messages', 'message', 'api', 'v1', 'v2', 'v3']);

/**
 * A readable server name from host and path: the APIM service (or first host label) and the meaningful path
 * segments, e.g. `https://contoso.azure-api.net/weather/mcp` gives `contoso-weather`.
 */
export function suggestServerName(url: URL): string {
  const { kind, serviceName } = classifyHost(url.hostname);
  const hostPart =
    serviceName ?? (kind === 'loopback' ? 'local' : url.hostname.toLowerCase().split('.').find((l) => l !== 'www') ?? 'server');
  const pathParts = url.pathname
    .split('/')
    .map((s) => safeDecode(s).toLowerCase())
    .filter((s) => s && !NAME_NOISE.has(s));
  const raw = [hostPart, ...pathParts].join('-');
  const slug = raw
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return (slug || 'mcp-server').slice(0, 64).replace(/[-.]+$/, '');
}

/** Makes `base` unique against `taken` (case-insensitive) by appending `-2`, `-3`, …. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const lower = new Set([...taken].map((t) => t.toLowerCase()));
  if (!lower.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}

export function analyzeServerUrl(raw: string): UrlAnalysisResult {
  const parsed = parseServerUrl(raw);
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (!url.hostname) return { ok: false, error: `"${raw}" has no host name.` };
  const host = classifyHost(url.hostname);
  const mistake = findPathMistake(url);
  return {
    ok: true,
    value: {
      url,
      href: url.href,
      origin: url.origin,
      hostKind: host.kind,
      apimServiceName: host.serviceName,
      pathMistake: mistake?.mistake,
      suggestedUrl: mistake?.suggestedUrl,
      suggestedName: suggestServerName(url),
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
