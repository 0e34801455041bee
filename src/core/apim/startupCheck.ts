import type { Secret } from '../secret';
import { classifyGatewayResponse, type GatewayOutcome } from './gatewayResponse';
import { errorMessage } from '../basics';

/** The part of `fetch` the check needs, injected so the core stays free of I/O choices. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type StartupCheckResult =
  | { reached: true; status: number; outcome: GatewayOutcome; message?: string }
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

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

/**
 * Sends one MCP `initialize` with the server's credentials before VS Code connects, so a rejected key is named
 * ("invalid subscription key") instead of surfacing as VS Code's OAuth discovery and a misleading
 * "Dynamic Client Registration not supported" prompt (research/vscode-mcp-platform.md §3.6).
 * Redirects are not followed, so the credentials never leave the server's origin.
 */
export async function checkGatewayAccess(
  fetchFn: FetchLike,
  url: string,
  credentials: Readonly<Record<string, Secret>>,
  timeoutMs: number,
): Promise<StartupCheckResult> {
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
    return { reached: false, error: describeFetchError(error, timeoutMs) };
  }
  const ok = response.status >= 200 && response.status < 300;
  const bodyText = ok ? '' : await readCapped(response, MAX_ERROR_BODY_BYTES).catch(() => '');
  if (ok) {
    await response.body?.cancel().catch(() => undefined);
    await closeSession(fetchFn, url, headers, response.headers.get('mcp-session-id'));
  }
  const outcome = classifyGatewayResponse({ status: response.status, header: (n) => response.headers.get(n), bodyText }, { sentHeaders: Object.keys(credentials) });
  return { reached: true, status: response.status, outcome, message: messageOf(bodyText) };
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
