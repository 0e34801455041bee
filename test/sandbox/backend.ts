/**
 * The MCP backend: a real @modelcontextprotocol/sdk McpServer serving the product catalogue over streamable HTTP
 * (stateful, Mcp-Session-Id) at /mcp and legacy SSE at /sse + /messages. It records each request it received,
 * raw body included, so a test can see what the gateway forwarded (e.g. an empty body).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { listenOnLoopback } from '../harness/processes';
import { Catalogue, type Product } from './catalogue';

export interface BackendRequestRecord {
  at: number;
  method: string;
  path: string;
  headerNames: string[];
  /** Values of non-secret headers that matter for MCP (session, protocol version, content type). */
  headers: Record<string, string>;
  /** Raw request body as received ('' when empty). JSON-RPC bodies carry no secrets. */
  body: string;
  jsonrpcMethod?: string;
}

export interface Backend {
  origin: string;
  catalogue: Catalogue;
  requests(): BackendRequestRecord[];
  clearRequests(): void;
  stop(): Promise<void>;
}

const RECORDED_HEADER_VALUES = ['mcp-session-id', 'mcp-protocol-version', 'content-type', 'accept', 'content-length'];

function json(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] };
}

function notFound(id: string) {
  return { content: [{ type: 'text' as const, text: `Product ${id} not found.` }], isError: true };
}

export function createMcpServer(catalogue: Catalogue): McpServer {
  const server = new McpServer({ name: 'products-mcp', version: '1.0.0' });
  const productShape = {
    name: z.string().min(1).describe('Product name'),
    category: z.string().min(1).describe('Category, e.g. Outdoor'),
    price: z.number().nonnegative().describe('Unit price in USD'),
    stock: z.number().int().nonnegative().describe('Units in stock'),
  };
  server.registerTool(
    'listProducts',
    {
      title: 'List products',
      description: 'Lists the products in the catalogue, optionally filtered by category.',
      inputSchema: { category: z.string().optional().describe('Only this category'), limit: z.number().int().positive().max(100).optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ category, limit }) => json(catalogue.list(category).slice(0, limit ?? 100)),
  );
  server.registerTool(
    'getProduct',
    {
      title: 'Get product',
      description: 'Gets one product by id.',
      inputSchema: { id: z.string().describe('Product id, e.g. P-1001') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => {
      const product = catalogue.get(id);
      return product ? json(product) : notFound(id);
    },
  );
  server.registerTool(
    'searchProducts',
    {
      title: 'Search products',
      description: 'Searches products by name or category text, optionally under a maximum price.',
      inputSchema: { query: z.string().min(1), maxPrice: z.number().nonnegative().optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, maxPrice }) => json(catalogue.search(query, maxPrice)),
  );
  server.registerTool(
    'createProduct',
    {
      title: 'Create product',
      description: 'Adds a product to the catalogue.',
      inputSchema: productShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (input) => json(catalogue.create(input as Omit<Product, 'id'>)),
  );
  server.registerTool(
    'updateProduct',
    {
      title: 'Update product',
      description: 'Changes fields of an existing product.',
      inputSchema: {
        id: z.string(),
        name: productShape.name.optional(),
        category: productShape.category.optional(),
        price: productShape.price.optional(),
        stock: productShape.stock.optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ id, ...patch }) => {
      const product = catalogue.update(id, patch);
      return product ? json(product) : notFound(id);
    },
  );
  server.registerTool(
    'deleteProduct',
    {
      title: 'Delete product',
      description: 'Removes a product from the catalogue.',
      inputSchema: { id: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ id }) => (catalogue.delete(id) ? json({ deleted: id }) : notFound(id)),
  );
  return server;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function firstMethod(parsed: unknown): string | undefined {
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  return first && typeof first === 'object' && typeof (first as { method?: unknown }).method === 'string'
    ? (first as { method: string }).method
    : undefined;
}

export interface BackendOptions {
  /** The path the SSE `endpoint` event advertises (as seen through the gateway), e.g. /products/messages. */
  messagesEndpoint: string;
  log?: (line: string) => void;
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const catalogue = new Catalogue();
  const records: BackendRequestRecord[] = [];
  const streamable = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  const sse = new Map<string, { transport: SSEServerTransport; server: McpServer }>();

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://backend');
    const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : '';
    let parsed: unknown;
    let parseOk = false;
    if (body) {
      try {
        parsed = JSON.parse(body);
        parseOk = true;
      } catch {
        parseOk = false;
      }
    }
    const headers: Record<string, string> = {};
    for (const name of RECORDED_HEADER_VALUES) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    records.push({
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headerNames: Object.keys(req.headers).sort(),
      headers,
      body,
      jsonrpcMethod: parseOk ? firstMethod(parsed) : undefined,
    });
    // A body that is not JSON goes to the SDK as-is, so it answers with its own JSON-RPC parse error.
    const parsedBody: unknown = parseOk ? parsed : body;

    if (url.pathname === '/mcp') {
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string' && streamable.has(sessionId)) {
        await streamable.get(sessionId)!.transport.handleRequest(req, res, parsedBody);
        return;
      }
      if (typeof sessionId === 'string') {
        sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
      if (req.method === 'POST' && parseOk && isInitializeRequest(parsed)) {
        const server = createMcpServer(catalogue);
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            streamable.set(id, { transport, server });
          },
        });
        transport.onclose = () => {
          if (transport.sessionId) streamable.delete(transport.sessionId);
        };
        await server.connect(transport);
        await transport.handleRequest(req, res, parsedBody);
        return;
      }
      if (req.method === 'POST') {
        // No session and not an initialize request (or an empty / unreadable body): let a throwaway transport answer
        // exactly as the SDK does.
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
        const server = createMcpServer(catalogue);
        await server.connect(transport);
        res.on('close', () => void server.close());
        await transport.handleRequest(req, res, parsedBody);
        return;
      }
      sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      const server = createMcpServer(catalogue);
      const transport = new SSEServerTransport(options.messagesEndpoint, res);
      sse.set(transport.sessionId, { transport, server });
      res.on('close', () => {
        sse.delete(transport.sessionId);
        void server.close();
      });
      await server.connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const entry = sse.get(url.searchParams.get('sessionId') ?? '');
      if (!entry) {
        res.writeHead(404).end('Session not found');
        return;
      }
      await entry.transport.handlePostMessage(req, res, parsedBody);
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`backend error: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'backend error' });
      else res.end();
    });
  });
  const port = await listenOnLoopback(http);
  return {
    origin: `http://127.0.0.1:${port}`,
    catalogue,
    requests: () => records.map((r) => ({ ...r, headerNames: [...r.headerNames], headers: { ...r.headers } })),
    clearRequests: () => {
      records.length = 0;
    },
    stop: async () => {
      for (const { transport, server } of [...streamable.values(), ...sse.values()]) {
        await transport.close().catch(() => undefined);
        await server.close().catch(() => undefined);
      }
      streamable.clear();
      sse.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
