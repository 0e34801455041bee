import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { Readable } from 'node:stream';

/** The HTTP seam of the core: anything shaped like WHATWG `fetch`. Tests and the extension inject their own. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface NodeFetchOptions {
  /** Extra CA certificates (PEM) trusted on top of Node's bundled roots, e.g. a test Entra emulator's CA. */
  readonly extraCaPem?: readonly string[];
  /** Reuse connections; the caller must call `close()` when done. */
  readonly keepAlive?: boolean;
}

export interface NodeFetch {
  readonly fetch: FetchLike;
  close(): void;
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` over node:http/https. Global fetch (undici) cannot take an extra CA without the undici package, and
 * this one never follows redirects on its own: the probe client decides every hop (secret headers, bounds).
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const extraCaPem = options.extraCaPem?.length ? options.extraCaPem : undefined;
  const keepAlive = options.keepAlive ?? false;
  const httpAgent = new http.Agent({ keepAlive });
  // With extra CAs, the trust store is parsed once, on the first https request. Given as `ca`, Node would parse it
  // (Node's ~140 roots + the extra ones) again for every connection, and join it into the agent's key for every
  // request.
  let httpsAgent: https.Agent | undefined;
  const httpsAgentNow = (): https.Agent =>
    (httpsAgent ??= new https.Agent({ keepAlive, secureContext: extraCaPem ? tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCaPem] }) : undefined }));

  const fetch: FetchLike = (input, init) =>
    new Promise<Response>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(typeof input === 'string' ? input : input.href);
      } catch (error: unknown) {
        reject(error);
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(Object.assign(new TypeError(`Unsupported protocol ${url.protocol}`), { code: 'ERR_INVALID_PROTOCOL' }));
        return;
      }
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const method = (init?.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {};
      // The probe client hands over a Headers already: read it as it is rather than copy it into another first.
      const given = init?.headers instanceof Headers ? init.headers : new Headers(init?.headers);
      given.forEach((value, name) => {
        headers[name] = value;
      });
      const body = requestBody(init?.body);
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const isHttps = url.protocol === 'https:';
      const request = (isHttps ? https : http).request(url, {
        method,
        headers,
        agent: isHttps ? httpsAgentNow() : httpAgent,
      });
      const onAbort = (): void => {
        request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
      request.once('response', (incoming) => {
        incoming.once('close', () => signal?.removeEventListener('abort', onAbort));
        try {
          resolve(responseOf(incoming, url, method));
        } catch (error: unknown) {
          incoming.destroy();
          reject(error);
        }
      });
      request.end(body);
    });

  return {
    fetch,
    close: () => {
      httpAgent.destroy();
      httpsAgent?.destroy();
    },
  };
}

/** A fetch `Response` over Node's incoming message: no body for HEAD and the null-body statuses, as fetch has it. */
function responseOf(incoming: http.IncomingMessage, url: URL, method: string): Response {
  const status = incoming.statusCode ?? 0;
  const nullBody = NULL_BODY_STATUS.has(status) || method === 'HEAD';
  if (nullBody) incoming.resume();
  const stream = nullBody ? null : (Readable.toWeb(incoming) as unknown as ReadableStream<Uint8Array>);
  const response = new Response(stream, {
    status: status >= 200 && status <= 599 ? status : 502,
    statusText: incoming.statusMessage ?? '',
    headers: headersOf(incoming.rawHeaders),
  });
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/** Response headers as fetch holds them, from Node's raw name/value list. */
function headersOf(rawHeaders: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    try {
      headers.append(rawHeaders[i]!, rawHeaders[i + 1]!);
    } catch {
      // A header value fetch would refuse (control characters): drop it rather than fail the probe.
    }
  }
  return headers;
}

function requestBody(body: RequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('Unsupported request body type for the probe fetch');
}
