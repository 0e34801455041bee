import { authorityOf } from '../entra/authority';
import type { Credentials, HttpExchange, ProbeHttpClient } from './probeHttpClient';

export interface AuthServerMetadata {
  readonly issuer?: string;
  readonly authorization_endpoint?: string;
  readonly token_endpoint?: string;
  readonly registration_endpoint?: string;
  readonly jwks_uri?: string;
  readonly [key: string]: unknown;
}

/**
 * `oauthInsert`: RFC 8414 `/.well-known/oauth-authorization-server` inserted before the issuer's path;
 * `oidcInsert` / `oidcAppend`: OpenID configuration inserted before / appended after the path;
 * `oidcV1`: the same tenant's v1 OpenID configuration (Entra only, so both issuers are known).
 */
export type MetadataKind = 'oauthInsert' | 'oidcInsert' | 'oidcAppend' | 'oidcV1';

export interface MetadataAttempt {
  readonly kind: MetadataKind;
  readonly url: string;
  readonly exchange: HttpExchange;
  readonly metadata?: AuthServerMetadata;
}

export interface AuthServerObservation {
  readonly authorizationServer: string;
  readonly attempts: readonly MetadataAttempt[];
  /** Metadata of the authorization server as named (v2 for an Entra `/v2.0` authority), from the first URL that served it. */
  readonly metadata?: AuthServerMetadata;
  readonly v1Metadata?: AuthServerMetadata;
}

/** Usable metadata as VS Code accepts it (oauth.ts isAuthorizationServerMetadata): a JSON object with an `issuer`. */
function parseMetadata(exchange: HttpExchange): AuthServerMetadata | undefined {
  if (exchange.failure || exchange.status !== 200) return undefined;
  try {
    const parsed: unknown = JSON.parse(exchange.bodyText);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return typeof (parsed as AuthServerMetadata).issuer === 'string' ? (parsed as AuthServerMetadata) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The metadata URLs in the order VS Code (microsoft/vscode src/vs/base/common/oauth.ts fetchAuthorizationServerMetadata)
 * and the MCP 2025-11-25 authorization spec try them: RFC 8414 path insertion, OpenID path insertion, OpenID path append.
 */
export function metadataUrls(authorizationServer: string): { kind: MetadataKind; url: string }[] {
  const issuer = new URL(authorizationServer);
  const path = issuer.pathname === '/' ? '' : issuer.pathname;
  const append = authorizationServer.endsWith('/') ? `${authorizationServer}.well-known/openid-configuration` : `${authorizationServer}/.well-known/openid-configuration`;
  const urls = [
    { kind: 'oauthInsert' as const, url: `${issuer.origin}/.well-known/oauth-authorization-server${path}` },
    { kind: 'oidcInsert' as const, url: `${issuer.origin}/.well-known/openid-configuration${path}` },
    { kind: 'oidcAppend' as const, url: append },
  ];
  return urls.filter((u, i) => urls.findIndex((o) => o.url === u.url) === i);
}

/**
 * Fetches the authorization server's metadata URLs and takes the first in VS Code's order that serves it, as VS Code
 * would; for an Entra-shaped v2 authority also the v1 configuration of the same tenant, so both issuers are known.
 * `credentials` (the server's configured headers) go only to the MCP URL's origin, as VS Code's same-origin headers.
 */
export async function fetchAuthServerMetadata(client: ProbeHttpClient, authorizationServer: string, step = 'as-metadata', credentials?: Credentials): Promise<AuthServerObservation> {
  const authority = authorityOf(authorizationServer.replace(/\/+$/, ''));
  const v1Target = authority?.version === 2 && authority.tenant ? `${authority.base}/${authority.tenant}/.well-known/openid-configuration` : undefined;
  const fetchOne = async (kind: MetadataKind, url: string): Promise<MetadataAttempt> => {
    const exchange = await client.send(`${step} ${kind}`, { url, headers: { accept: 'application/json' }, credentials, expectedStatuses: [404] });
    return { kind, url, exchange, metadata: parseMetadata(exchange) };
  };
  // All at once (one round trip instead of three); the answer is the first in VS Code's order that serves metadata.
  const [ordered, v1] = await Promise.all([
    Promise.all(metadataUrls(authorizationServer).map(({ kind, url }) => fetchOne(kind, url))),
    v1Target ? fetchOne('oidcV1', v1Target) : Promise.resolve(undefined),
  ]);
  const metadata = ordered.find((a) => a.metadata)?.metadata;
  return { authorizationServer, attempts: v1 ? [...ordered, v1] : ordered, metadata, v1Metadata: v1?.metadata };
}
