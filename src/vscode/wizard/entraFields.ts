/** Entra inputs of the wizard, checked and normalised once (no `vscode` import, so they are unit-testable). */
import { GUID } from '../../core/basics';

/** Tenant id (GUID), a verified domain, or one of Entra's tenant aliases. */
export function tenantProblem(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter the tenant id or domain (for example contoso.onmicrosoft.com).';
  if (GUID.test(v) || /^(organizations|common|consumers)$/i.test(v)) return undefined;
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v)) return undefined;
  return 'A tenant is a GUID or a domain such as contoso.onmicrosoft.com.';
}

/**
 * Scopes from what a person typed: space-separated scopes, or an app ID URI / application id alone, which becomes
 * `<resource>/.default` (the API's statically consented permissions).
 */
export function normaliseScopes(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (GUID.test(s)) return `${s}/.default`;
      const appIdUri = /^api:\/\/[^/]+\/?$/i.exec(s);
      if (appIdUri) return `${s.replace(/\/$/, '')}/.default`;
      return s;
    });
}

export function scopesProblem(value: string): string | undefined {
  const scopes = normaliseScopes(value);
  if (scopes.length === 0) return 'Enter the API scope (api://<app-id>/<scope>) or its app ID URI.';
  const bad = scopes.find((s) => /\s/.test(s) || s.length > 512);
  return bad ? `"${bad}" is not a scope.` : undefined;
}

export function clientIdProblem(value: string): string | undefined {
  const v = value.trim();
  return !v || GUID.test(v) ? undefined : 'A client id is a GUID (the Application (client) ID of your app registration), or leave it empty.';
}

/** A server name as the `apimMcp.servers` schema and the MCP config files accept it. */
export function serverNameProblem(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter a name.';
  if (v.length > 100) return 'Use at most 100 characters.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f/]/.test(v)) return 'A name cannot contain "/" or control characters.';
  return undefined;
}
