import { GUID } from '../basics';

/**
 * Entra authority and issuer shapes (research/apim-entra-diagnostics.md §4): v2 issuers end in `/v2.0`
 * (`https://login.microsoftonline.com/{tid}/v2.0`), v1 issuers are `https://sts.windows.net/{tid}/`.
 */
export const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';

export interface IssuerShape {
  readonly version: 1 | 2 | undefined;
  readonly tenant?: string;
  readonly host: string;
}

export function issuerShape(issuer: string): IssuerShape | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const version = segments[segments.length - 1]?.toLowerCase() === 'v2.0' ? 2 : url.hostname.toLowerCase() === 'sts.windows.net' || segments.length === 1 ? 1 : undefined;
  return { version, tenant: segments[0], host: url.host };
}

/** The authority an authorization-server URL names, e.g. `https://login.microsoftonline.com/<tid>/v2.0` → tenant, v2. */
export function authorityOf(authorizationServer: string): { base: string; tenant?: string; version: 1 | 2 | undefined } | undefined {
  const shape = issuerShape(authorizationServer);
  if (!shape) return undefined;
  const url = new URL(authorizationServer);
  return { base: `${url.protocol}//${url.host}`, tenant: shape.tenant, version: shape.version };
}

/** Entra's v2 authorize endpoint for a tenant on an authority host (v2-protocols-oidc.md). */
export function v2AuthorizeEndpoint(authorityBase: string, tenant: string): string {
  return `${authorityBase}/${tenant}/oauth2/v2.0/authorize`;
}

export function v2TokenEndpoint(authorityBase: string, tenant: string): string {
  return `${authorityBase}/${tenant}/oauth2/v2.0/token`;
}

export function v2OpenIdConfigurationUrl(authorityBase: string, tenant: string): string {
  return `${authorityBase}/${tenant}/v2.0/.well-known/openid-configuration`;
}

export function v1OpenIdConfigurationUrl(authorityBase: string, tenant: string): string {
  return `${authorityBase}/${tenant}/.well-known/openid-configuration`;
}

/** The resource (App ID URI or app id) a scope string belongs to: `api://x/user_impersonate` → `api://x`. */
export function scopeResource(scope: string): string | undefined {
  const trimmed = scope.trim();
  if (GUID.test(trimmed.split('/')[0] ?? '') && trimmed.includes('/')) return trimmed.split('/')[0];
  const match = /^(.+)\/([^/]+)$/.exec(trimmed);
  if (!match) return undefined;
  return match[1]!.includes('://') ? match[1] : undefined;
}

export function scopeName(scope: string): string {
  const i = scope.lastIndexOf('/');
  return i >= 0 ? scope.slice(i + 1) : scope;
}
