import { authorityOf } from '../entra/authority';
import type { HttpExchange, ProbeHttpClient } from './probeHttpClient';

export interface AuthServerMetadata {
  readonly issuer?: string;
  readonly authorization_endpoint?: string;
  readonly token_endpoint?: string;
  readonly registration_endpoint?: string;
  readonly jwks_uri?: string;
  readonly [key: string]: unknown;
}

export interface MetadataAttempt {
  readonly kind: 'oidcV2' | 'oidcV1' | 'oauthAuthorizationServer';
  readonly url: string;
  readonly exchange: HttpExchange;
  readonly metadata?: AuthServerMetadata;
}

export interface AuthServerObservation {
  readonly authorizationServer: string;
  readonly attempts: readonly MetadataAttempt[];
  /** Metadata of the authorization server as named (v2 for an Entra `/v2.0` authority). */
  readonly metadata?: AuthServerMetadata;
  readonly v1Metadata?: AuthServerMetadata;
}

function parseMetadata(exchange: HttpExchange): AuthServerMetadata | undefined {
  if (exchange.failure || exchange.status !== 200) return undefined;
  try {
    const parsed: unknown = JSON.parse(exchange.bodyText);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as AuthServerMetadata) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches the authorization server's OpenID configuration (path append, the form Entra serves), and for an
 * Entra-shaped authority also the v1 configuration of the same tenant, so both issuers are known.
 */
export async function fetchAuthServerMetadata(client: ProbeHttpClient, authorizationServer: string): Promise<AuthServerObservation> {
  const base = authorizationServer.replace(/\/+$/, '');
  const targets: { kind: MetadataAttempt['kind']; url: string }[] = [{ kind: 'oidcV2', url: `${base}/.well-known/openid-configuration` }];
  const authority = authorityOf(base);
  if (authority?.version === 2 && authority.tenant) {
    targets.push({ kind: 'oidcV1', url: `${authority.base}/${authority.tenant}/.well-known/openid-configuration` });
  }
  const attempts = await Promise.all(
    targets.map(async (t) => {
      const exchange = await client.send(`as-metadata ${t.kind}`, { url: t.url, headers: { accept: 'application/json' } });
      return { ...t, exchange, metadata: parseMetadata(exchange) };
    }),
  );
  return {
    authorizationServer,
    attempts,
    metadata: attempts.find((a) => a.kind === 'oidcV2')?.metadata,
    v1Metadata: attempts.find((a) => a.kind === 'oidcV1')?.metadata,
  };
}
