import type { Secret } from '../secret';
import { Redactor } from '../secrets/redaction';
import { credentialHeadersProblem } from '../secrets/secretValue';
import type { FetchLike } from './nodeFetch';
import { redactLocation, redactUrl } from '../secrets/urlRedaction';
import { classifyNetworkError, type NetworkFailure } from './networkFailure';
import type { Timeline, TimelineEntry } from './timeline';

/** A named set of secret headers (subscription key, bearer token). Values are `Secret`s and never leave this module unrevealed. */
export interface Credentials {
  readonly label: string;
  readonly headers: Readonly<Record<string, Secret>>;
}

export const NO_CREDENTIALS: Credentials = { label: 'no credentials', headers: {} };

export interface RedirectHop {
  readonly status: number;
  readonly from: string;
  readonly to: string;
  /** Secret header names withheld on this hop because it left the MCP URL's origin. */
  readonly droppedSecretHeaders: readonly string[];
}

/** One HTTP request and what came back, with URLs redacted and secret header values never kept. */
export interface HttpExchange {
  readonly step: string;
  readonly method: string;
  readonly url: string;
  /** Names of the secret headers actually sent (values are never recorded). */
  sentSecretHeaders: readonly string[];
  droppedSecretHeaders: readonly string[];
  readonly jsonrpcMethod?: string;
  status?: number;
  /** Response headers, lower-case names. */
  headers: Readonly<Record<string, string>>;
  bodyText: string;
  truncated: boolean;
  failure?: NetworkFailure;
  redirects: RedirectHop[];
  durationMs: number;
  /** An event stream handed on to the SDK: its bytes are counted as they pass (the excerpt in bodyText is capped). */
  streaming?: boolean;
  streamedBytes?: number;
}

/** An exchange about to be sent: what is known of the request, nothing of the answer yet. */
function newExchange(request: Pick<HttpExchange, 'step' | 'method' | 'url' | 'sentSecretHeaders' | 'droppedSecretHeaders' | 'jsonrpcMethod'>): HttpExchange {
  return { ...request, headers: {}, bodyText: '', truncated: false, redirects: [], durationMs: 0 };
}

export interface ProbeRequest {
  readonly method?: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly credentials?: Credentials;
  /** Follow redirects (bounded); the default. Off for probes that want to see the redirect itself. */
  readonly followRedirects?: boolean;
  /** The success body holds credentials (a token response): keep only error bodies. */
  readonly sensitiveSuccessBody?: boolean;
  /** Receives the unredacted Location of the final response (the exchange keeps a redacted copy). */
  readonly onRawLocation?: (location: string) => void;
  /** Answers this probe is sent to see (a discovery candidate's 404): shown as expected, not as a warning. */
  readonly expectedStatuses?: readonly number[];
}

export interface ProbeHttpClientOptions {
  readonly fetch: FetchLike;
  /** The MCP URL's origin: the only origin that ever receives secret headers. */
  readonly secretOrigin: string;
  /**
   * Every secret of the run. Any of them may come back in any answer (a gateway that echoes request headers, an
   * answer to one attempt quoting what another sent), so all are redacted from everything captured.
   */
  readonly secrets?: readonly (Secret | undefined)[];
  readonly timeline: Timeline;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
  readonly maxRedirects?: number;
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const EXCERPT_BYTES = 64 * 1024;

function jsonrpcMethodOf(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    const method = (first as { method?: unknown } | null)?.method;
    return typeof method === 'string' ? method : undefined;
  } catch {
    return undefined;
  }
}

/** Response headers as kept: cookies dropped, Location redacted (an authorization code may ride in it), secrets redacted. */
function headerRecord(headers: Headers, redactor: Redactor): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    if (key === 'set-cookie') return;
    out[key] = redactor.redact(key === 'location' ? redactLocation(value) : value);
  });
  return out;
}

/** The headers handed on to the MCP SDK: the same, with secrets redacted, so no SDK error can quote one. */
function redactedHeaders(headers: Headers, redactor: Redactor): Headers {
  if (redactor.isEmpty) return headers;
  const out = new Headers();
  headers.forEach((value, name) => out.append(name, redactor.redact(value)));
  return out;
}

/** Thrown before a request is built when a credential value cannot be sent; names the header, never the value. */
export class UnsendableCredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsendableCredentialError';
  }
}

/**
 * The probe HTTP client: every request has a deadline, a body-size cap and a bounded manual redirect policy.
 * Secret headers are attached only when the request URL has the MCP URL's origin, re-checked on every hop,
 * so a redirect to another host never carries a key or a token.
 */
export class ProbeHttpClient {
  readonly exchanges: HttpExchange[] = [];
  readonly #fetch: FetchLike;
  readonly #secretOrigin: string;
  readonly #timeline: Timeline;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxRedirects: number;
  #redactor: Redactor;
  readonly #admitted = new WeakMap<Credentials, readonly Secret[]>();

  constructor(options: ProbeHttpClientOptions) {
    this.#fetch = options.fetch;
    this.#redactor = Redactor.of(options.secrets ?? []);
    this.#secretOrigin = new URL(options.secretOrigin).origin;
    this.#timeline = options.timeline;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#maxRedirects = options.maxRedirects ?? 5;
  }

  get maxBodyBytes(): number {
    return this.#maxBodyBytes;
  }

  /**
   * Checks a request's credentials before anything is built from them, and adds them to what is redacted. A run
   * sends the same few credential sets with every request: each is checked once, and again if a secret in it changed.
   */
  #admit(credentials: Credentials): void {
    const secrets = Object.values(credentials.headers);
    const admitted = this.#admitted.get(credentials);
    if (admitted && admitted.length === secrets.length && admitted.every((s, i) => s === secrets[i])) return;
    const problem = credentialHeadersProblem(credentials.headers);
    if (problem) throw new UnsendableCredentialError(problem);
    this.#redactor = this.#redactor.with(secrets);
    this.#admitted.set(credentials, secrets);
  }

  #headersFor(url: URL, base: ConstructorParameters<typeof Headers>[0], credentials: Credentials): { headers: Headers; sent: string[]; dropped: string[] } {
    const headers = new Headers(base);
    const names = Object.keys(credentials.headers);
    for (const name of names) headers.delete(name);
    if (url.origin !== this.#secretOrigin) return { headers, sent: [], dropped: names };
    for (const name of names) headers.set(name, credentials.headers[name]!.reveal());
    return { headers, sent: names, dropped: [] };
  }

  /** A plain probe request: redirects followed within the bounds, body read up to the cap. */
  async send(step: string, request: ProbeRequest): Promise<HttpExchange> {
    const started = this.#timeline.now();
    const credentials = request.credentials ?? NO_CREDENTIALS;
    let method = (request.method ?? 'GET').toUpperCase();
    let body = request.body;
    let url: URL;
    const exchange = newExchange({ step, method, url: redactUrl(request.url), sentSecretHeaders: [], droppedSecretHeaders: [], jsonrpcMethod: jsonrpcMethodOf(body) });
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const redact = (text: string): string => this.#redactor.redact(text);
    try {
      this.#admit(credentials);
      url = new URL(request.url);
      for (let hop = 0; ; hop++) {
        const { headers, sent, dropped } = this.#headersFor(url, request.headers, credentials);
        if (hop === 0) {
          exchange.sentSecretHeaders = sent;
          exchange.droppedSecretHeaders = dropped;
        }
        const response = await this.#fetch(url, { method, headers, body, redirect: 'manual', signal: timeout });
        const location = response.headers.get('location');
        if (request.followRedirects !== false && REDIRECT_STATUS.has(response.status) && location) {
          await response.body?.cancel().catch(() => undefined);
          const next = new URL(location, url);
          if (hop >= this.#maxRedirects) {
            exchange.failure = { kind: 'redirect', message: `more than ${this.#maxRedirects} redirects` };
            break;
          }
          if ((next.protocol !== 'https:' && next.protocol !== 'http:') || (url.protocol === 'https:' && next.protocol === 'http:')) {
            exchange.failure = { kind: 'redirect', message: `redirect to ${redact(redactUrl(next.href))} not followed (insecure or unsupported scheme)` };
            break;
          }
          const nextDropped = next.origin === this.#secretOrigin ? [] : Object.keys(credentials.headers);
          exchange.redirects.push({ status: response.status, from: redact(redactUrl(url.href)), to: redact(redactUrl(next.href)), droppedSecretHeaders: nextDropped });
          if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
            method = 'GET';
            body = undefined;
          }
          url = next;
          continue;
        }
        exchange.status = response.status;
        exchange.headers = headerRecord(response.headers, this.#redactor);
        if (location) request.onRawLocation?.(redact(location));
        const read = await readCapped(response, this.#maxBodyBytes);
        const withheld = request.sensitiveSuccessBody && response.status >= 200 && response.status < 300;
        exchange.bodyText = withheld ? '' : this.#redactor.redact(read.text, { cutAtEnd: read.truncated });
        exchange.truncated = read.truncated;
        break;
      }
    } catch (error: unknown) {
      exchange.failure = error instanceof UnsendableCredentialError ? { kind: 'other', message: error.message } : classifyNetworkError(error, timeout.aborted);
    }
    exchange.durationMs = this.#timeline.now() - started;
    this.#record(exchange, started, request.expectedStatuses);
    return exchange;
  }

  /**
   * A `fetch` for the MCP SDK transport. The SDK never sees the secrets: they are added here, same-origin only.
   * The SDK follows same-origin redirects itself through this function, so each hop is re-checked.
   * `expectedStatuses`: answers the session is sent to see (the no-credentials probe's 401).
   */
  fetchFor(stepPrefix: string, credentials: Credentials, expectedStatuses: readonly number[] = []): FetchLike {
    this.#admit(credentials);
    return async (input, init) => {
      const started = this.#timeline.now();
      const url = new URL(typeof input === 'string' ? input : input.href);
      const { headers, sent, dropped } = this.#headersFor(url, init?.headers, credentials);
      const method = (init?.method ?? 'GET').toUpperCase();
      const jsonrpcMethod = jsonrpcMethodOf(init?.body);
      const exchange = newExchange({
        step: `${stepPrefix} ${jsonrpcMethod ?? method}`,
        method,
        url: redactUrl(url.href),
        sentSecretHeaders: sent,
        droppedSecretHeaders: dropped,
        jsonrpcMethod,
      });
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await this.#fetch(url, { ...init, method, headers, redirect: 'manual', signal });
      } catch (error: unknown) {
        exchange.failure = classifyNetworkError(error, timeout.aborted);
        exchange.durationMs = this.#timeline.now() - started;
        this.#record(exchange, started, expectedStatuses);
        throw error;
      }
      exchange.status = response.status;
      exchange.headers = headerRecord(response.headers, this.#redactor);
      const answerHeaders = redactedHeaders(response.headers, this.#redactor);
      const isStream = (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
      if (isStream && response.ok && response.body) {
        // Streams stay streams for the SDK's SSE parser; a tap redacts, keeps an excerpt and enforces the cap. The
        // timeline entry is written now (the stream may stay open) and again with the real time and size at its end.
        exchange.streaming = true;
        exchange.durationMs = this.#timeline.now() - started;
        const rerecord = this.#record(exchange, started, expectedStatuses);
        const tapped = response.body.pipeThrough(this.#streamTap(exchange, started, rerecord));
        return new Response(tapped, { status: response.status, statusText: response.statusText, headers: answerHeaders });
      }
      try {
        const read = await readCapped(response, this.#maxBodyBytes);
        exchange.bodyText = this.#redactor.redact(read.text, { cutAtEnd: read.truncated });
        exchange.truncated = read.truncated;
      } catch (error: unknown) {
        exchange.failure = classifyNetworkError(error, timeout.aborted);
        exchange.durationMs = this.#timeline.now() - started;
        this.#record(exchange, started, expectedStatuses);
        throw error;
      }
      exchange.durationMs = this.#timeline.now() - started;
      this.#record(exchange, started, expectedStatuses);
      const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
      const rebuilt = new Response(nullBody ? null : exchange.bodyText, { status: response.status, statusText: response.statusText, headers: answerHeaders });
      Object.defineProperty(rebuilt, 'url', { value: url.href });
      return rebuilt;
    };
  }

  /**
   * Passes a response stream on to the SDK. With secrets to redact, it passes whole lines only (SSE events are
   * lines), each redacted, so a secret split across two network chunks is still recognised.
   */
  #streamTap(exchange: HttpExchange, started: number, rerecord: () => void): TransformStream<Uint8Array, Uint8Array> {
    let total = 0;
    let bytes = 0;
    let pending = '';
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const max = this.#maxBodyBytes;
    const redactor = this.#redactor;
    const pass = (text: string, controller: TransformStreamDefaultController<Uint8Array>): void => {
      if (!text) return;
      const safe = redactor.redact(text);
      if (exchange.bodyText.length < EXCERPT_BYTES) exchange.bodyText += safe;
      const encoded = encoder.encode(safe);
      bytes += encoded.byteLength;
      controller.enqueue(encoded);
    };
    return new TransformStream({
      transform: (chunk, controller) => {
        total += chunk.byteLength;
        if (total > max) {
          exchange.truncated = true;
          exchange.durationMs = this.#timeline.now() - started;
          rerecord();
          controller.error(Object.assign(new Error(`response body over ${max} bytes`), { code: 'APIM_MCP_BODY_TOO_LARGE' }));
          return;
        }
        pending += decoder.decode(chunk, { stream: true });
        const end = redactor.isEmpty ? pending.length : pending.lastIndexOf('\n') + 1;
        pass(pending.slice(0, end), controller);
        pending = pending.slice(end);
      },
      flush: (controller) => {
        pass(pending + decoder.decode(), controller);
        exchange.streamedBytes = bytes;
        exchange.durationMs = this.#timeline.now() - started;
        rerecord();
      },
    });
  }

  /**
   * Records the exchange and its timeline entry. Returns a function that writes the entry again from the exchange as
   * it is then (a stream's real duration and size once it ended).
   */
  #record(exchange: HttpExchange, started: number, expectedStatuses: readonly number[] = []): () => void {
    if (!this.exchanges.includes(exchange)) this.exchanges.push(exchange);
    const describe = () => ({ step: exchange.step, startedAtMs: started, durationMs: exchange.durationMs, ...this.#describe(exchange, expectedStatuses) });
    const replace = this.#timeline.add(describe());
    return () => replace(describe());
  }

  #describe(exchange: HttpExchange, expectedStatuses: readonly number[]): { status: TimelineEntry['status']; detail: string } {
    let status: TimelineEntry['status'];
    let detail: string;
    const target = `${exchange.method} ${exchange.url}`;
    const creds = exchange.sentSecretHeaders.length ? ` [sent: ${exchange.sentSecretHeaders.join(', ')}]` : '';
    if (exchange.failure) {
      status = 'error';
      detail = `${target}${creds} → ${exchange.failure.kind}${exchange.failure.code ? ` (${exchange.failure.code})` : ''}: ${exchange.failure.message}`;
    } else {
      const code = exchange.status ?? 0;
      status = expectedStatuses.includes(code) ? 'expected' : code >= 200 && code < 400 ? 'ok' : code >= 500 ? 'error' : 'warning';
      const bytes = exchange.streaming ? exchange.streamedBytes : Buffer.byteLength(exchange.bodyText);
      const size = exchange.truncated ? `body cut at ${this.#maxBodyBytes} bytes` : bytes === undefined ? 'stream open' : `${bytes} B`;
      detail = `${target}${creds} → ${code} · ${size}${status === 'expected' ? ' · expected for this probe' : ''}`;
    }
    for (const hop of exchange.redirects) {
      detail += ` · redirect ${hop.status} to ${hop.to}${hop.droppedSecretHeaders.length ? ` (withheld: ${hop.droppedSecretHeaders.join(', ')})` : ''}`;
    }
    if (exchange.droppedSecretHeaders.length) detail += ` · withheld (other origin): ${exchange.droppedSecretHeaders.join(', ')}`;
    return { status, detail };
  }
}

async function readCapped(response: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > max) {
      chunks.push(value.subarray(0, max - total));
      total = max;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
}
