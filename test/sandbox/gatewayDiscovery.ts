/**
 * The gateway's sign-in discovery URLs (test/sandbox/FIDELITY.md, VS Code discovery and APIM rows):
 * - Protected Resource Metadata only where the scenario publishes it. Real APIM answers a URL only when an API or an
 *   operation exists for it, so the RFC 9728 path-inserted URL is a 404 unless someone created an API for it;
 * - with `authorizationServer`, APIM as the OAuth authorization server (the APIM-as-AS samples): RFC 8414 metadata
 *   at /.well-known/oauth-authorization-server and dynamic client registration at /register.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from './scenarioSchema';

type PrmPlace = GatewayConfig['prm']['published'][number];

/** The PRM URLs (paths) a place stands for, for the API at `apiPath`. */
export function prmPaths(apiPath: string, place: PrmPlace): string[] {
  switch (place) {
    case 'apiBase':
      return [`/${apiPath}/.well-known/oauth-protected-resource`];
    case 'wellKnownPath':
      return [`/.well-known/oauth-protected-resource/${apiPath}/mcp`, `/.well-known/oauth-protected-resource/${apiPath}/sse`];
    case 'wellKnownRoot':
      return ['/.well-known/oauth-protected-resource'];
  }
}

/** PRM paths answered without any key (anonymous operations); the key-protected one is served inside the API pipeline. */
export function anonymousPrmPaths(cfg: Pick<GatewayConfig, 'apiPath' | 'prm'>): string[] {
  return cfg.prm.published.filter((p) => !(p === 'apiBase' && cfg.prm.behindSubscriptionKey)).flatMap((p) => prmPaths(cfg.apiPath, p));
}

/** The PRM operation inside the MCP API (subject to the subscription key), when the scenario puts it there. */
export function keyProtectedPrmPath(cfg: Pick<GatewayConfig, 'apiPath' | 'prm'>): string | undefined {
  return cfg.prm.behindSubscriptionKey && cfg.prm.published.includes('apiBase') ? prmPaths(cfg.apiPath, 'apiBase')[0] : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

/** APIM as the authorization server: RFC 8414 metadata and RFC 7591 registration. Returns a status when it answered. */
export async function authorizationServerRoute(
  cfg: Pick<GatewayConfig, 'authorizationServer'> & { origin: string },
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  registered: Map<string, string[]>,
): Promise<number | undefined> {
  const as = cfg.authorizationServer;
  if (!as) return undefined;
  if (path === '/.well-known/oauth-authorization-server' && req.method === 'GET') {
    sendJson(res, 200, {
      issuer: cfg.origin,
      authorization_endpoint: `${cfg.origin}/authorize`,
      token_endpoint: `${cfg.origin}/token`,
      ...(as.dynamicRegistration ? { registration_endpoint: `${cfg.origin}/register` } : {}),
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      code_challenge_methods_supported: ['S256'],
    });
    return 200;
  }
  if (path === '/register' && req.method === 'POST' && as.dynamicRegistration) {
    const body = (await readJson(req)) as { redirect_uris?: unknown; client_name?: unknown } | undefined;
    const uris = Array.isArray(body?.redirect_uris) ? body.redirect_uris.filter((u): u is string => typeof u === 'string') : [];
    if (!uris.length) {
      sendJson(res, 400, { error: 'invalid_redirect_uri', error_description: 'redirect_uris is required' });
      return 400;
    }
    const clientId = randomUUID();
    registered.set(clientId, uris);
    sendJson(res, 201, { client_id: clientId, client_name: typeof body?.client_name === 'string' ? body.client_name : undefined, redirect_uris: uris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
    return 201;
  }
  return undefined;
}
