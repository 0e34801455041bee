/**
 * A minimal browser for the Entra emulator's /authorize: follows it like a person would, signing in on the sign-in
 * page (posting the user name to the page's $Config.urlPost with its ctx) and keeping the session cookie, but never
 * following the final redirect to the client. Tests use it where a real person would type their account.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readEntraPage } from '../../src/core/entra/entraPage';

export interface BrowserResult {
  /** The Location the browser was sent to (the client's redirect URI with code or error), if any. */
  readonly location?: string;
  readonly status: number;
  /** The page shown when there was no redirect (an error page). */
  readonly page?: string;
  readonly signedIn: boolean;
}

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export class SandboxBrowser {
  #cookie = '';

  constructor(private readonly fetchFn: FetchFn = fetch) {}

  /** Opens the authorize URL; on the sign-in page signs in as `upn` (when given). */
  async authorize(url: string, upn?: string): Promise<BrowserResult> {
    const first = await this.#send(url, { redirect: 'manual' });
    if (first.location || !upn) return { ...first, signedIn: false };
    const page = readEntraPage(first.page ?? '');
    const ctx = typeof page?.config?.sCtx === 'string' ? page.config.sCtx : undefined;
    if (page?.pageId !== 'ConvergedSignIn' || !page.postUrl || !ctx) return { ...first, signedIn: false };
    const posted = await this.#send(new URL(page.postUrl, url).href, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: upn, ctx }).toString(),
    });
    return { ...posted, signedIn: true };
  }

  async #send(url: string, init: RequestInit): Promise<{ status: number; location?: string; page?: string }> {
    const headers = new Headers(init.headers);
    if (this.#cookie) headers.set('cookie', this.#cookie);
    const res = await this.fetchFn(url, { ...init, headers });
    const set = res.headers.get('set-cookie');
    if (set) this.#cookie = set.split(';')[0]!;
    const location = res.headers.get('location') ?? undefined;
    const page = location ? undefined : await res.text();
    if (location) await res.body?.cancel();
    return { status: res.status, location, page };
  }
}

/** A fetch that trusts the sandbox CA (the Entra emulator's HTTPS) and follows no redirect, for SandboxBrowser. */
export function fetchTrusting(ca: string | Buffer): FetchFn {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(u, { method: init?.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: out }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}
