import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { Credentials, ProbeHttpClient } from './probeHttpClient';
import { errorMessage } from '../basics';

export interface ToolSummary {
  readonly name: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  /** How many arguments the input schema requires (0 when it names none). */
  readonly requiredArguments?: number;
}

const READ_VERBS = new Set(['list', 'get', 'search', 'find', 'read', 'describe', 'query', 'fetch', 'lookup', 'show', 'count']);

/**
 * Tools safe to call once to see the gateway's policy act: annotated `readOnlyHint: true`, or, unannotated, named
 * like a read (`listProducts`, `get_item`, `Search`). A destructive or explicitly non-read-only tool never is.
 */
export function looksReadOnly(tool: ToolSummary): boolean {
  if (tool.destructiveHint === true || tool.readOnlyHint === false) return false;
  if (tool.readOnlyHint === true) return true;
  const verb = /^([a-z]+|[A-Z][a-z]+)(?=$|[^a-z])/.exec(tool.name)?.[1];
  return verb !== undefined && READ_VERBS.has(verb.toLowerCase());
}

/** The read-only tool to call: annotated before name-guessed, and one that needs no arguments first. */
export function preferredReadOnlyTool(tools: readonly ToolSummary[]): ToolSummary | undefined {
  const rank = (t: ToolSummary) => (t.readOnlyHint === true ? 0 : 2) + ((t.requiredArguments ?? 0) > 0 ? 1 : 0);
  return tools.filter(looksReadOnly).sort((a, b) => rank(a) - rank(b))[0];
}

export interface McpAttempt {
  readonly label: string;
  /** Names of the secret headers this attempt was configured with. */
  readonly credentialHeaders: readonly string[];
  readonly initialized: boolean;
  readonly tools?: readonly ToolSummary[];
  readonly serverName?: string;
  /** The read-only tool called to check the gateway's per-tool policy, and how that went. */
  readonly toolCall?: { readonly name: string; readonly error?: string };
  /** The SDK's error, cut short; server text in it is data. */
  readonly error?: string;
  readonly stepPrefix: string;
  /** The transport that worked; 'sse' when the POST got a 4xx and the legacy HTTP+SSE transport answered instead. */
  readonly transport?: 'streamableHttp' | 'sse';
  /** The legacy SSE transport was tried after the POST failed and did not work either. */
  readonly sseTried?: boolean;
}

/**
 * Sends JSON-RPC notifications without waiting for their 202, so `tools/list` is not held behind
 * `notifications/initialized` (one round trip fewer). Requests still wait for their responses.
 */
class PipelinedTransport implements Transport {
  readonly #inner: Transport;
  readonly #pending: Promise<unknown>[] = [];

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  get onmessage(): Transport['onmessage'] {
    return this.#inner.onmessage;
  }
  set onmessage(handler: Transport['onmessage']) {
    this.#inner.onmessage = handler;
  }
  get onerror(): Transport['onerror'] {
    return this.#inner.onerror;
  }
  set onerror(handler: Transport['onerror']) {
    this.#inner.onerror = handler;
  }
  get onclose(): Transport['onclose'] {
    return this.#inner.onclose;
  }
  set onclose(handler: Transport['onclose']) {
    this.#inner.onclose = handler;
  }
  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: Parameters<Transport['send']>[1]): Promise<void> {
    if ('method' in message && !('id' in message)) {
      this.#pending.push(this.#inner.send(message, options).catch(() => undefined));
      return Promise.resolve();
    }
    return this.#inner.send(message, options);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#pending);
    await this.#inner.close();
  }
}

/**
 * The SDK's own Ajv validator for tools' output schemas, built when a listed tool first has one: each Client would
 * otherwise build a fresh Ajv with its formats (about a millisecond of CPU per session, three sessions a diagnosis).
 * Schemas are still compiled as tools/list answers, so a bad output schema fails at the same step as before.
 */
function lazyOutputSchemaValidator(): jsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return { getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema) };
}

function shortError(error: unknown): string {
  const message = errorMessage(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

type ProbeOptions = {
  stepPrefix: string;
  listTools: boolean;
  /** Answers the session is sent to see (the keyless probe's 401): the timeline shows them as expected. */
  expectedStatuses?: readonly number[];
  timeoutMs: number;
  /** Picks one tool to call after tools/list. Only tools that look read-only (`looksReadOnly`) are offered. */
  pickReadOnlyTool?: (readOnlyTools: readonly ToolSummary[]) => string | undefined;
};

/**
 * `initialize` and, when that works and `listTools` is set, `tools/list`, through the MCP SDK's streamable HTTP
 * transport and the probe client's guarded fetch. Never calls a tool other than the one read-only pick.
 * Like VS Code (extHostMcp.ts), a 4xx other than 401/403 to that first POST means "try the legacy HTTP+SSE transport":
 * GET with Accept: text/event-stream and wait for the `endpoint` event (MCP 2025-03-26 transports, backwards
 * compatibility). Its exchanges carry the step prefix `<prefix> sse`.
 */
export async function probeMcp(client: ProbeHttpClient, url: string, credentials: Credentials, options: ProbeOptions): Promise<McpAttempt> {
  const streamable = await runSession(client, url, credentials, options, 'streamableHttp');
  if (streamable.initialized || !legacySseWorthTrying(client, options.stepPrefix)) return streamable;
  const sse = await runSession(client, url, credentials, { ...options, stepPrefix: `${options.stepPrefix} sse` }, 'sse');
  return sse.initialized ? sse : { ...streamable, sseTried: true };
}

function legacySseWorthTrying(client: ProbeHttpClient, stepPrefix: string): boolean {
  const first = client.exchanges.find((e) => e.step.startsWith(`${stepPrefix} `) && e.method === 'POST');
  const status = first?.status;
  return status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;
}

async function runSession(client: ProbeHttpClient, url: string, credentials: Credentials, options: ProbeOptions, kind: 'streamableHttp' | 'sse'): Promise<McpAttempt> {
  const fetch = client.fetchFor(options.stepPrefix, credentials, options.expectedStatuses);
  const inner: Transport =
    kind === 'sse'
      ? new SSEClientTransport(new URL(url), { fetch })
      : new StreamableHTTPClientTransport(new URL(url), {
          fetch,
          reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
        });
  const transport = new PipelinedTransport(inner);
  const mcp = new Client({ name: 'apim-mcp-diagnose', version: '0.1.0' }, { capabilities: {}, jsonSchemaValidator: lazyOutputSchemaValidator() });
  const base = { label: credentials.label, credentialHeaders: Object.keys(credentials.headers), stepPrefix: options.stepPrefix, transport: kind };
  let initialized = false;
  try {
    await mcp.connect(transport, { timeout: options.timeoutMs });
    initialized = true;
    const serverName = mcp.getServerVersion()?.name;
    if (!options.listTools) return { ...base, initialized, serverName };
    const listed = await mcp.listTools(undefined, { timeout: options.timeoutMs });
    const tools = listed.tools.map((t) => ({
      name: t.name,
      readOnlyHint: t.annotations?.readOnlyHint,
      destructiveHint: t.annotations?.destructiveHint,
      requiredArguments: Array.isArray(t.inputSchema.required) ? t.inputSchema.required.length : 0,
    }));
    const readOnly = tools.filter(looksReadOnly);
    const pick = options.pickReadOnlyTool?.(readOnly);
    if (!pick || !readOnly.some((t) => t.name === pick)) return { ...base, initialized, serverName, tools };
    try {
      const result = await mcp.callTool({ name: pick, arguments: {} }, undefined, { timeout: options.timeoutMs });
      return { ...base, initialized, serverName, tools, toolCall: { name: pick, error: result.isError ? 'the tool reported an error' : undefined } };
    } catch (error: unknown) {
      return { ...base, initialized, serverName, tools, toolCall: { name: pick, error: shortError(error) } };
    }
  } catch (error: unknown) {
    return { ...base, initialized, error: shortError(error) };
  } finally {
    await transport.close().catch(() => undefined);
  }
}
