// Servers and file search for the secret canary suite (canary.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { serveOnLoopback } from '../harness/processes';

/**
 * The echoing 404 body starts with `{"statusCode":404,"message":"Resource not found. ` (49 characters) and holds the
 * key twice; padding the second copy to start at 284 puts it across the 300-character quote limit.
 */
const PAD_BEFORE_CUT = 284 - 49 - 1;

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** "Another origin": answers like an APIM gateway that wants a key, and records every request in full. */
export async function startOtherOrigin(): Promise<{ origin: string; received: Received[]; stop: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `AzureApiManagementKey realm="http://${req.headers.host}/products",name="Ocp-Apim-Subscription-Key",type="header"`,
      });
      res.end(JSON.stringify({ statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' }));
    });
  });
  return { ...(await serveOnLoopback(server)), received };
}

/**
 * A hostile gateway on its own origin: under /echo it repeats the key it was sent (the first answer a 401 that rejects
 * it, then a 404 whose body has the key twice, the second copy across the 300-character quote limit, and in a header);
 * under /moved it answers 307 to `redirectTo`, which Node's fetch would follow with the key.
 */
export async function startHostileGateway(redirectTo: () => string): Promise<{ origin: string; received: IncomingHttpHeaders[]; stop: () => Promise<void> }> {
  const received: IncomingHttpHeaders[] = [];
  let echoes = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      const sent = String(req.headers['ocp-apim-subscription-key'] ?? '');
      if ((req.url ?? '').startsWith('/moved')) {
        res.writeHead(307, { location: redirectTo() }).end();
      } else if (echoes++ === 0) {
        res.writeHead(401, { 'content-type': 'application/json', 'x-echo': sent });
        res.end(JSON.stringify({ statusCode: 401, message: `Access denied due to invalid subscription key ${sent}. Make sure to provide a valid key for an active subscription.` }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json', 'x-echo': sent });
        res.end(JSON.stringify({ statusCode: 404, message: `Resource not found. ${sent} ${'x'.repeat(Math.max(0, PAD_BEFORE_CUT - sent.length))}${sent}` }));
      }
    });
  });
  return { ...(await serveOnLoopback(server)), received };
}

/** Files changed since `since` under `dir` (the shared temp folder: other runs' files are older or never hold our canaries). */
export function recentFilesUnder(dir: string, since: number, skip: (path: string) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (skip(path)) return [];
    try {
      const stat = statSync(path);
      if (stat.isDirectory()) return recentFilesUnder(path, since, skip);
      return stat.isFile() && stat.mtimeMs >= since && stat.size < 64 * 1024 * 1024 ? [path] : [];
    } catch {
      return [];
    }
  });
}

/** Which of `paths` hold which canary, in UTF-8 or UTF-16 (as browsers store strings); `file (first 8 characters…)`. */
export function filesHolding(paths: readonly string[], values: readonly string[]): string[] {
  return paths.flatMap((file) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return [];
    }
    return values.filter((v) => bytes.includes(v) || bytes.includes(Buffer.from(v, 'utf16le'))).map((v) => `${file} (${v.slice(0, 8)}…)`);
  });
}
