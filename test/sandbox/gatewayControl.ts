/** The sandbox's control API on the gateway (`/__sandbox/…`, see README.md): for other processes; never recorded. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ControlHandlers {
  endpoints(): unknown;
  mintToken(opts: unknown): Promise<string>;
  backendRequests(): unknown;
  client(): Promise<unknown>;
  reset(): void;
}

export interface ControlState {
  handlers(): ControlHandlers | undefined;
  requests(): unknown;
  setLatency(ms: number): void;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, state: ControlState): Promise<void> {
  const control = state.handlers();
  if (!control) return sendJson(res, 503, { error: 'not ready' });
  const body = req.method === 'POST' ? (await readBody(req)).toString('utf8') : '';
  const parse = () => (body ? (JSON.parse(body) as Record<string, unknown>) : {});
  try {
    if (req.method === 'GET' && path === 'endpoints') return sendJson(res, 200, control.endpoints());
    if (req.method === 'GET' && path === 'requests') return sendJson(res, 200, state.requests());
    if (req.method === 'GET' && path === 'backend-requests') return sendJson(res, 200, control.backendRequests());
    if (req.method === 'GET' && path === 'client') return sendJson(res, 200, await control.client());
    if (req.method === 'POST' && path === 'reset') {
      control.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === 'token') return sendJson(res, 200, { access_token: await control.mintToken(parse()) });
    if (req.method === 'POST' && path === 'latency') {
      const ms = Number(parse().ms);
      if (!Number.isFinite(ms) || ms < 0) return sendJson(res, 400, { error: 'ms must be a non-negative number' });
      state.setLatency(ms);
      return sendJson(res, 200, { ms });
    }
  } catch (error) {
    return sendJson(res, 400, { error: (error as Error).message });
  }
  return sendJson(res, 404, { error: 'unknown control endpoint' });
}
