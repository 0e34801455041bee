import { GUID, GUID_SOURCE } from '../basics';
import { readEntraPage } from './entraPage';

/**
 * Reads a pasted Entra error (error page text, `error_description`, JSON body, or the redirect URL with
 * `?error=…&error_description=…`) into its parts. Codes come from the `AADSTS<n>` token or `error_codes`.
 */
export interface ParsedAadstsError {
  readonly codes: readonly number[];
  readonly error?: string;
  readonly appId?: string;
  readonly redirectUri?: string;
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly timestamp?: string;
  readonly tenant?: string;
  /** The first `AADSTS…` sentence, as data (never rendered as markup). */
  readonly description?: string;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d) % 0x110000))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16) % 0x110000))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function fromUrl(text: string): string {
  const trimmed = text.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || /\s/.test(trimmed)) return text;
  try {
    const url = new URL(trimmed);
    const params = new URLSearchParams(url.search.slice(1) + '&' + url.hash.slice(1));
    const parts = ['error', 'error_description', 'error_codes', 'trace_id', 'correlation_id', 'timestamp', 'error_uri']
      .map((k) => (params.get(k) ? `${k}: ${params.get(k)}` : ''))
      .filter(Boolean);
    const redirect = params.get('redirect_uri');
    const clientId = params.get('client_id');
    if (redirect) parts.push(`redirect_uri: ${redirect}`);
    if (clientId) parts.push(`client_id: ${clientId}`);
    return parts.length ? parts.join('\n') : text;
  } catch {
    return text;
  }
}

/**
 * The line from the first `AADSTS<n>` up to its end or to `Trace ID:`, trailing space trimmed. Found with indexOf:
 * the equivalent lazy regex re-scanned every whitespace run from each of its positions (quadratic: 64k no-break
 * spaces took seconds), and this text can come from a server.
 */
function firstAadstsSentence(text: string): string | undefined {
  const code = /AADSTS\d+[:\s]/.exec(text);
  if (!code) return undefined;
  // The separator after the code may itself be the line break: the sentence then runs on the next line.
  const from = code.index + code[0].length;
  const lineEnd = text.indexOf('\n', from);
  const end = lineEnd < 0 ? text.length : lineEnd;
  const trace = text.indexOf('Trace ID:', from);
  return text.slice(code.index, trace >= 0 && trace < end ? trace : end).trim();
}

export function parseAadstsText(input: string): ParsedAadstsError {
  // A whole Entra page (pasted, or fetched by the preflight): its text is in the $Config script, not in the HTML.
  const page = input.includes('$Config=') ? readEntraPage(input) : undefined;
  const source = page?.serviceMessage ?? input;
  let text = fromUrl(decodeEntities(source.slice(0, 200_000)));
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: plain text or HTML.
  }
  if (json) {
    text = [json.error, json.error_description, json.trace_id && `Trace ID: ${String(json.trace_id)}`, json.correlation_id && `Correlation ID: ${String(json.correlation_id)}`, json.timestamp && `Timestamp: ${String(json.timestamp)}`]
      .filter(Boolean)
      .join('\n');
  }
  text = text.replace(/\\r\\n|\\n/g, '\n');
  const codes = new Set<number>();
  if (page?.errorCode) codes.add(page.errorCode);
  for (const m of text.matchAll(/AADSTS(\d{4,8})/g)) codes.add(Number(m[1]));
  if (json && Array.isArray(json.error_codes)) for (const c of json.error_codes) if (typeof c === 'number') codes.add(c);
  for (const m of text.matchAll(/error_codes:\s*\[?([\d,\s]+)\]?/g)) for (const c of m[1]!.split(/[,\s]+/)) if (c) codes.add(Number(c));
  for (const m of text.matchAll(/error\?code=(\d{4,8})/g)) codes.add(Number(m[1]));

  const pick = (re: RegExp): string | undefined => re.exec(text)?.[1]?.trim();
  const redirectUri =
    pick(/redirect URI '([^']+)'/i) ?? pick(/reply address '([^']+)'/i) ?? pick(/redirect_uri:\s*(\S+)/i);
  const appId =
    pick(new RegExp(`application '(${GUID_SOURCE})'`, 'i')) ??
    pick(new RegExp(`Application with identifier '([^']+)'`, 'i')) ??
    pick(new RegExp(`Application '(${GUID_SOURCE})'`, 'i')) ??
    pick(new RegExp(`app(?:lication)? ?id(?:entifier)?[:=\\s]+'?(${GUID_SOURCE})`, 'i')) ??
    pick(new RegExp(`client_id:\\s*(${GUID_SOURCE})`, 'i'));
  const traceId = pick(new RegExp(`Trace ID:\\s*(${GUID_SOURCE})`, 'i')) ?? pick(new RegExp(`trace_id:\\s*(${GUID_SOURCE})`, 'i'));
  const correlationId =
    pick(new RegExp(`Correlation ID:\\s*(${GUID_SOURCE})`, 'i')) ?? pick(new RegExp(`correlation_id:\\s*(${GUID_SOURCE})`, 'i'));
  const timestamp = pick(/Timestamp:\s*([0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+Z?)/i);
  const tenant = pick(new RegExp(`(?:directory|tenant(?: named)?) '([^']+)'`, 'i'));
  const error = (typeof json?.error === 'string' ? json.error : undefined) ?? pick(/(?:^|\n)error:\s*([a-z_]+)/i);
  const description = firstAadstsSentence(text);
  return {
    codes: [...codes],
    error,
    appId: appId && (GUID.test(appId) ? appId.toLowerCase() : appId),
    redirectUri,
    traceId,
    correlationId,
    timestamp,
    tenant,
    description,
  };
}
