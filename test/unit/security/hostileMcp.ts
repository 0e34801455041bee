import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomInt } from 'node:crypto';
import { startHttp, type TestServer } from '../probe/hostileServers';

/**
 * Small hostile servers for the issue 16 attack tests: an MCP endpoint that answers JSON-RPC the plain way (one JSON
 * body per POST), with routes a test can replace to misbehave, and values shaped so a leak is unmistakable.
 */
export type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void;

export interface HostileMcpOptions {
  /** Tools listed by `tools/list`. */
  readonly tools?: readonly { name: string; annotations?: Record<string, unknown> }[];
  /** Replaces the MCP endpoint (POST /mcp). */
  readonly mcp?: Route;
  /** Other paths, matched exactly (query string ignored). */
  readonly routes?: Readonly<Record<string, Route>>;
}

export function jsonRpcServer(tools: HostileMcpOptions['tools'] = []): Route {
  return (req, body, res) => {
    let message: { id?: unknown; method?: string };
    try {
      message = JSON.parse(body) as { id?: unknown; method?: string };
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const result =
      message.method === 'initialize'
        ? { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hostile', version: '1' } }
        : message.method === 'tools/list'
          ? { tools: tools.map((t) => ({ inputSchema: { type: 'object' }, ...t })) }
          : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result ? { jsonrpc: '2.0', id: message.id, result } : { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'no' } }));
  };
}

export function startHostileMcp(options: HostileMcpOptions = {}): Promise<TestServer> {
  const mcp = options.mcp ?? jsonRpcServer(options.tools);
  return startHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const route = options.routes?.[path] ?? (path === '/mcp' && req.method === 'POST' ? mcp : undefined);
      if (route) route(req, body, res);
      else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, message: 'Resource not found' }));
    });
  });
}

/** Letters that never form a word in our own output, so any run of them there is a leak. */
const RARE = 'BCDFGHJKLMNPQRSTVWXZ';

export function rareSecret(length = 32): string {
  return Array.from({ length }, () => RARE[randomInt(RARE.length)]).join('');
}

/** Every run of `min` or more characters of `secret` that appears in `text`. */
export function fragmentsIn(text: string, secret: string, min = 6): string[] {
  const found = new Set<string>();
  for (let i = 0; i + min <= secret.length; i++) {
    const piece = secret.slice(i, i + min);
    if (text.includes(piece)) found.add(piece);
  }
  return [...found];
}
