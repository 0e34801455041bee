/**
 * A tiny OpenAI-compatible chat-completions server, so an agent CLI (GitHub Copilot CLI with
 * COPILOT_PROVIDER_BASE_URL) can run offline and call an MCP tool. It has no model: when the tool it is told to use
 * is among the tools offered and no tool result has come back yet, it answers with one call to that tool; otherwise
 * it answers with text quoting the start of the last tool result. Streaming (SSE chunks) and plain JSON answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorMessage } from '../../src/core/basics';
import { listenOnLoopback } from '../harness/processes';

export interface FakeModelRequest {
  readonly path: string;
  readonly model?: string;
  readonly stream: boolean;
  /** Names of the function tools the client offered. */
  readonly toolsOffered: readonly string[];
  /** The tool this answer asked the client to call, if any. */
  readonly toolCalled?: string;
  /** Whether the conversation already held a tool result (the client ran the call). */
  readonly sawToolResult: boolean;
}

export interface FakeModel {
  /** Base URL to give the client (`…/v1`). */
  readonly baseUrl: string;
  requests(): FakeModelRequest[];
  stop(): Promise<void>;
}

export interface FakeModelOptions {
  /** MCP tool to call; matches an offered tool named exactly so or ending in `-<tool>` / `_<tool>` / `.<tool>`. */
  readonly tool: string;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface ChatBody {
  model?: string;
  stream?: boolean;
  messages?: { role?: string; content?: unknown }[];
  tools?: { function?: { name?: unknown } }[];
}

function readJson(req: IncomingMessage): Promise<ChatBody | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatBody);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function answer(res: ServerResponse, body: ChatBody, message: { content?: string; toolCall?: string }): void {
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = message.toolCall ? [{ index: 0, id: `call_${created}`, type: 'function', function: { name: message.toolCall, arguments: '{}' } }] : undefined;
  const finish = toolCalls ? 'tool_calls' : 'stop';
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  if (body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: unknown, finishReason: string | null, extra: Record<string, unknown> = {}) =>
      res.write(`data: ${JSON.stringify({ id: 'fake-1', object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`);
    chunk(toolCalls ? { role: 'assistant', tool_calls: toolCalls } : { role: 'assistant', content: message.content ?? '' }, null);
    chunk({}, finish, { usage });
    res.end('data: [DONE]\n\n');
    return;
  }
  const reply = toolCalls ? { role: 'assistant', content: null, tool_calls: toolCalls.map(({ index: _i, ...t }) => t) } : { role: 'assistant', content: message.content ?? '' };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 'fake-1', object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message: reply, finish_reason: finish }], usage }));
}

export async function startFakeModel(options: FakeModelOptions): Promise<FakeModel> {
  const records: FakeModelRequest[] = [];
  const matches = (name: string) => name === options.tool || [`-${options.tool}`, `_${options.tool}`, `.${options.tool}`].some((s) => name.endsWith(s));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'sandbox' }] }));
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    const body = await readJson(req);
    if (!body) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'body is not JSON' } }));
      return;
    }
    const messages = body.messages ?? [];
    const toolsOffered = (body.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string');
    const results = messages.filter((m) => m.role === 'tool');
    const target = results.length === 0 ? toolsOffered.find(matches) : undefined;
    records.push({ path, model: body.model, stream: Boolean(body.stream), toolsOffered, toolCalled: target, sawToolResult: results.length > 0 });
    const last = results[results.length - 1];
    answer(res, body, target ? { toolCall: target } : { content: last ? `Tool result: ${text(last.content).slice(0, 200)}` : 'No tool to call.' });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: errorMessage(error) } }));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => [...records],
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
