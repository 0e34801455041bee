import type { Secret } from '../secret';
import { Redactor } from '../secrets/redaction';
import { credentialHeadersProblem } from '../secrets/secretValue';
import { redactUrl } from '../secrets/urlRedaction';
import { classifyGatewayResponse, type GatewayOutcome } from './gatewayResponse';
import { errorMessage } from '../basics';

/** The part of `fetch` the check needs, injected so the core stays free of I/O choices. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A redirect the check saw (and did not follow): where to, redacted, and whether it leaves the server's origin. */
export interface StartupRedirect {
  readonly to: string;
  readonly crossOrigin: boolean;
}

/** Everything in it that came from the server is already redacted of the credentials sent. */
export type StartupCheckResult =
  | { reached: true; status: number; outcome: GatewayOutcome; message?: string; redirect?: StartupRedirect }
  | { reached: false; error: string };

const MAX_ERROR_BODY_BYTES = 16 * 1024;

const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'apim-mcp-startup-check', version: '1' },
  },
});

async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // Stopping at the cap without seeing the end counts as a cut, even when the cap fell between two chunks.
  return { text: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes)), truncated: !ended };
}

/**
 * Sends one MCP `initialize` with the server's credentials before VS Code connects, so a rejected key is named
 * ("invalid subscription key") instead of surfacing as VS Code's OAuth discovery and a misleading
 * "Dynamic Client Registration not supported" prompt (research/vscode-mcp-platform.md §3.6).
 * Redirects are not followed, so the credentials never leave the server's origin; one is reported, because VS Code's
 * client would follow it with the credentials. What the server answered is redacted of the credentials here, where
 * it is captured, because the answer goes on into logs, notifications and errors (a gateway may echo headers).
 */
export async function checkGatewayAccess(
  fetchFn: FetchLike,
  url: string,
  credentials: Readonly<Record<string, Secret>>,
  timeoutMs: number,
): Promise<StartupCheckResult> {
  const unsendable = credentialHeadersProblem(credentials);
  if (unsendable) return { reached: false, error: unsendable };
  const redactor = Redactor.of(Object.values(credentials));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  for (const [name, secret] of Object.entries(credentials)) headers[name] = secret.reveal();
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchFn(url, { method: 'POST', headers, body: INITIALIZE_BODY, redirect: 'manual', signal });
  } catch (error: unknown) {
    return { reached: false, error: redactor.redact(describeFetchError(error, timeoutMs)) };
  }
  const ok = response.status >= 200 && response.status < 300;
  const read = ok ? { text: '', truncated: false } : await readCapped(response, MAX_ERROR_BODY_BYTES).catch(() => ({ text: '', truncated: false }));
  const bodyText = redactor.redact(read.text, { cutAtEnd: read.truncated });
  if (ok) {
    await response.body?.cancel().catch(() => undefined);
    await closeSession(fetchFn, url, headers, response.headers.get('mcp-session-id'));
  }
  const header = (name: string): string | null => {
    const value = response.headers.get(name);
    return value === null ? null : redactor.redact(value);
  };
  const outcome = classifyGatewayResponse({ status: response.status, header, bodyText }, { sentHeaders: Object.keys(credentials) });
  const redirect = redirectOf(url, response.status, header('location'));
  return { reached: true, status: response.status, outcome, message: messageOf(bodyText), ...(redirect ? { redirect } : {}) };
}

function redirectOf(url: string, status: number, location: string | null): StartupRedirect | undefined {
  if (status < 300 || status >= 400 || !location) return undefined;
  try {
    const to = new URL(location, url);
    return { to: redactUrl(to.href), crossOrigin: to.origin !== new URL(url).origin };
  } catch {
    return { to: '(unreadable Location)', crossOrigin: true };
  }
}

/**
 * Whether starting the server anyway would hand the credentials to VS Code's client for nothing or for the wrong
 * place: unreachable, a key or path error VS Code cannot recover from by signing in (it would only show a misleading
 * OAuth prompt), or a redirect to another origin (Node's fetch keeps custom headers such as the key on a 307 or 308
 * to another origin).
 */
export function blocksStart(check: StartupCheckResult): boolean {
  if (!check.reached) return true;
  if (check.redirect?.crossOrigin) return true;
  return ['keyInvalid', 'keyMissing', 'keyNotRecognised', 'notFound', 'tokenMissing', 'tokenRejected', 'forbidden'].includes(check.outcome.kind);
}

/** Ends the session the check opened, so the backend does not keep it until it times out. */
async function closeSession(fetchFn: FetchLike, url: string, headers: Record<string, string>, sessionId: string | null) {
  if (!sessionId) return;
  try {
    const response = await fetchFn(url, {
      method: 'DELETE',
      headers: { ...headers, 'mcp-session-id': sessionId },
      redirect: 'manual',
      signal: AbortSignal.timeout(2000),
    });
    await response.body?.cancel().catch(() => undefined);
  } catch {
    // Closing is a courtesy; the server drops idle sessions on its own.
  }
}

function messageOf(bodyText: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    const message = (parsed as { message?: unknown })?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return errorMessage(error);
}
