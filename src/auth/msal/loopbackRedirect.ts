import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAadstsText } from '../../core/entra/aadstsText';

/**
 * What Entra sent back to the loopback redirect instead of a code. `error_description` holds the AADSTS code and
 * the trace and correlation ids that the diagnosis reads and a support request needs.
 */
export class EntraAuthorizeError extends Error {
  readonly codes: readonly number[];
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly timestamp?: string;

  constructor(
    readonly error: string,
    readonly errorDescription: string | undefined,
    readonly errorUri: string | undefined,
  ) {
    const parsed = parseAadstsText(errorDescription ?? '');
    super(`${error}: ${(errorDescription ?? '').split(/\r?\n/)[0]}`);
    this.name = 'EntraAuthorizeError';
    this.codes = parsed.codes;
    this.traceId = parsed.traceId;
    this.correlationId = parsed.correlationId;
    this.timestamp = parsed.timestamp;
  }
}

export class LoopbackTimeoutError extends Error {
  constructor(seconds: number) {
    super(`No answer reached the loopback redirect within ${seconds} s. If the browser shows an Entra error (for example AADSTS50011), the redirect URI is not registered for this client.`);
    this.name = 'LoopbackTimeoutError';
  }
}

const PAGE = (title: string, text: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><p>${text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')}</p></body></html>`;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(new Error('form too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/**
 * A one-shot loopback redirect listener on 127.0.0.1 (random port). Accepts the response as query (GET) or
 * form_post (POST), and only the one that carries this sign-in's `state`: anything else on the port (another page,
 * another local process) is answered and ignored, so a forged `?error=…` cannot end the sign-in and the real redirect
 * still completes it. `error` / `error_description` become an EntraAuthorizeError.
 */
export class LoopbackRedirect {
  private constructor(
    private readonly server: Server,
    readonly redirectUri: string,
    private readonly answer: Promise<URLSearchParams>,
  ) {}

  static async start(expectedState: string): Promise<LoopbackRedirect> {
    let deliver!: (params: URLSearchParams) => void;
    let delivered = false;
    const answer = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/') {
        res.writeHead(404).end();
        return;
      }
      const params = req.method === 'POST' ? readForm(req) : Promise.resolve(url.searchParams);
      params.then(
        (p) => {
          const page = (status: number, title: string, text: string): void => {
            res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE(title, text));
          };
          if (!p.has('code') && !p.has('error')) page(400, 'Sign-in', 'This address only accepts a sign-in response.');
          else if (p.get('state') !== expectedState) page(400, 'Sign-in', 'This response is not for the sign-in in progress, so it was ignored.');
          else if (delivered) page(400, 'Sign-in', 'This sign-in is already finished.');
          else {
            delivered = true;
            if (p.has('code')) page(200, 'Signed in', 'Sign-in complete. You can close this tab and return to VS Code.');
            else page(400, 'Sign-in failed', `Sign-in failed: ${p.get('error_description') ?? p.get('error') ?? ''}`);
            deliver(p);
          }
        },
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    // Entra matches loopback redirect URIs on any port, but the path must be as registered: no trailing slash.
    return new LoopbackRedirect(server, `http://127.0.0.1:${port}`, answer);
  }

  /** Waits for this sign-in's redirect and returns the code, or throws what Entra said. */
  async waitForCode(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LoopbackTimeoutError(Math.round(timeoutMs / 1000))), timeoutMs);
      signal?.addEventListener('abort', () => reject(new Error('Sign-in was cancelled.')), { once: true });
    });
    try {
      const params = await Promise.race([this.answer, timeout]);
      const error = params.get('error');
      if (error) throw new EntraAuthorizeError(error, params.get('error_description') ?? undefined, params.get('error_uri') ?? undefined);
      return params.get('code')!;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
