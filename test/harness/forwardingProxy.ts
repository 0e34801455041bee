import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { serveOnLoopback } from './processes';

/** One request as the proxy received it, body included. */
export interface ForwardedRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ForwardingProxy {
  readonly origin: string;
  stop(): Promise<void>;
}

/**
 * A gateway address of a test's own on 127.0.0.1: each request is forwarded as it came (headers, body, a Host for the
 * upstream) to whatever `upstream()` names at that moment, so a test can switch the upstream or record what a client
 * really sent to this origin. An unreachable upstream is a 502.
 */
export async function startForwardingProxy(upstream: () => string, record?: (request: ForwardedRequest) => void): Promise<ForwardingProxy> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      record?.({ url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      const url = new URL(req.url ?? '/', upstream());
      const up = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  return serveOnLoopback(server);
}
