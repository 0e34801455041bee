/**
 * Microsoft Entra ID emulator over HTTPS, shaped like login.microsoftonline.com:
 *   /{tenant}/v2.0/.well-known/openid-configuration   /{tenant}/.well-known/openid-configuration (v1)
 *   /{tenant}/discovery/v2.0/keys   /{tenant}/discovery/keys   /common/discovery/instance (MSAL instance discovery)
 *   /{tenant}/oauth2/v2.0/authorize   /{tenant}/oauth2/v2.0/token   /{tenant}/oauth2/v2.0/devicecode
 * {tenant} is a tenant id, a domain, `common` or `organizations`. Tokens are RS256 (jose); claims follow research §4.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from '../harness/processes';
import { AAD, AadFailure, entraTimestamp, type AadError } from './aadsts';
import { authorizeEndpoint, type Platform } from './entraAuthorize';
import type { AppRegistration, EntraConfig, EntraUser, MintTokenOptions } from './scenarioSchema';
import type { TlsMaterial } from './tls';
import { sandboxKeys } from './keys';

const josePromise = import('jose');
type Jose = Awaited<typeof josePromise>;
type JWK = Awaited<ReturnType<Jose['exportJWK']>>;
type SigningKey = Parameters<Jose['SignJWT']['prototype']['sign']>[0];

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

const GRAPH_APP: AppRegistration = {
  appId: GRAPH_APP_ID,
  displayName: 'Microsoft Graph',
  identifierUris: ['https://graph.microsoft.com'],
  redirectUris: { publicClient: [], web: [], spa: [] },
  appRoles: [],
  scopes: [{ value: 'User.Read', type: 'User' }],
  preAuthorizedApplications: [],
  requestedAccessTokenVersion: 1,
  assignmentRequired: false,
  clientSecrets: [],
  allowPublicClient: false,
  applicationPermissions: {},
};

export interface EntraEmulator {
  origin: string;
  host: string;
  tenantId: string;
  issuerV1(tenantId?: string): string;
  issuerV2(tenantId?: string): string;
  mintToken(opts?: MintTokenOptions): Promise<string>;
  /** Every token the token endpoint handed out (access, refresh and id tokens), for canary checks. Test data only. */
  issuedTokens(): string[];
  stop(): Promise<void>;
}

interface ResolvedScopes {
  oidc: string[];
  resource: AppRegistration;
  /** The resource prefix as the client wrote it (v1 aud uses it). */
  requestedResource: string;
  values: string[];
  isDefault: boolean;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  platform: Platform;
  scopes: ResolvedScopes;
  user: EntraUser;
  tenantId: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
  redeemed: boolean;
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  platform: Platform;
  user: EntraUser;
  tenantId: string;
  scopeParam: string;
}

interface DeviceGrant {
  clientId: string;
  scopeParam: string;
  tenantId: string;
  userCode: string;
  issuedAt: number;
  expiresAt: number;
  /** Set when someone entered the user code at /devicelogin (approval 'userEntersCode'). */
  enteredAt?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A stable GUID derived from text (object ids, pairwise subs). */
function guidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export { matchRedirect } from './entraAuthorize';

export async function startEntra(cfg: EntraConfig, tls: TlsMaterial, log: (line: string) => void = () => undefined): Promise<EntraEmulator> {
  const jose = await josePromise;
  const privateKey = await jose.importPKCS8((await sandboxKeys()).tokenKeyPem, 'RS256', { extractable: true });
  const publicKey = createPublicKey(createPrivateKey((await sandboxKeys()).tokenKeyPem));
  const kid = b64url(randomBytes(20));
  const publicJwk: JWK = { ...(await jose.exportJWK(publicKey)), kid, use: 'sig', kty: 'RSA' };
  let foreignKey: SigningKey | undefined;

  const tenants = [{ tenantId: cfg.tenantId, domain: cfg.domain }, ...cfg.otherTenants];
  const primary = cfg.tenantId;
  const apps = new Map(cfg.apps.map((a) => [a.appId, a]));
  const users = cfg.users.map((u) => ({ ...u, oid: u.oid ?? guidFrom(`user:${u.upn}`) }));
  const codes = new Map<string, CodeGrant>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const deviceCodes = new Map<string, DeviceGrant>();
  const issued: string[] = [];

  let origin = '';
  const issuerV2 = (tid = primary) => `${origin}/${tid}/v2.0`;
  const issuerV1 = (tid = primary) => cfg.v1IssuerTemplate.replaceAll('{tenantId}', tid);

  function resolveTenant(segment: string): { tenantId: string; placeholder: boolean } | undefined {
    const lower = segment.toLowerCase();
    if (lower === 'common' || lower === 'organizations') return { tenantId: primary, placeholder: true };
    const t = tenants.find((x) => x.tenantId.toLowerCase() === lower || x.domain.toLowerCase() === lower);
    return t && { tenantId: t.tenantId, placeholder: false };
  }
  function findApp(tenantId: string, clientId: string | undefined): AppRegistration | undefined {
    if (!clientId || tenantId !== primary) return undefined;
    return apps.get(clientId);
  }
  function defaultUser(hint?: string | null): EntraUser | undefined {
    const byHint = hint ? users.find((u) => u.upn.toLowerCase() === hint.toLowerCase()) : undefined;
    return byHint ?? (cfg.defaultUser ? users.find((u) => u.upn.toLowerCase() === cfg.defaultUser!.toLowerCase()) : undefined) ?? users[0];
  }
  function findResource(prefix: string): AppRegistration | undefined {
    const all = [...apps.values(), GRAPH_APP];
    return all.find((a) => a.appId.toLowerCase() === prefix.toLowerCase()) ?? all.find((a) => a.identifierUris.includes(prefix));
  }

  /** Parses a v2 `scope` parameter into OIDC scopes + one resource (AADSTS28000 / 500011 / 70011 otherwise). */
  function resolveScopes(scopeParam: string, tenantId: string): ResolvedScopes {
    const parts = scopeParam.split(/\s+/).filter(Boolean);
    const oidc = parts.filter((s) => OIDC_SCOPES.has(s));
    const rest = parts.filter((s) => !OIDC_SCOPES.has(s));
    let prefix: string | undefined;
    const values: string[] = [];
    for (const s of rest) {
      const slash = s.lastIndexOf('/');
      const p = slash > 0 ? s.slice(0, slash) : 'https://graph.microsoft.com';
      const v = slash > 0 ? s.slice(slash + 1) : s;
      if (prefix !== undefined && prefix !== p) throw new AadFailure(AAD.multipleResources());
      prefix = p;
      values.push(v);
    }
    if (prefix === undefined) return { oidc, resource: GRAPH_APP, requestedResource: 'https://graph.microsoft.com', values: ['User.Read'], isDefault: false };
    const resource = findResource(prefix);
    if (!resource) throw new AadFailure(AAD.resourceNotFound(prefix, tenantId));
    const isDefault = values.includes('.default');
    if (isDefault && values.length > 1) throw new AadFailure(AAD.invalidScope());
    if (!isDefault && resource !== GRAPH_APP && values.some((v) => !resource.scopes.some((s) => s.value === v))) throw new AadFailure(AAD.invalidScope());
    return { oidc, resource, requestedResource: prefix, values, isDefault };
  }

  /** RFC 8707 `resource` must be one of the identifier URIs of the app whose scopes are asked (AADSTS9010010). */
  function checkResourceParam(resourceParam: string | null | undefined, scopes: ResolvedScopes) {
    if (!resourceParam) return;
    const r = scopes.resource;
    if (!(r.identifierUris.includes(resourceParam) || r.appId === resourceParam)) throw new AadFailure(AAD.resourceScopeMismatch());
  }

  function delegatedValues(client: AppRegistration | undefined, clientId: string, scopes: ResolvedScopes): string[] {
    const r = scopes.resource;
    if (r === GRAPH_APP) return scopes.values;
    if (clientId === r.appId) {
      if (scopes.requestedResource.toLowerCase() !== r.appId.toLowerCase()) throw new AadFailure(AAD.tokenForItself(r.appId, r.displayName));
      return scopes.isDefault ? r.scopes.map((s) => s.value) : scopes.values;
    }
    const pre = r.preAuthorizedApplications.find((p) => p.appId.toLowerCase() === clientId.toLowerCase());
    const grants = cfg.consentGrants.filter((g) => g.clientId.toLowerCase() === clientId.toLowerCase() && g.resourceAppId === r.appId);
    const consented = new Set([...(pre?.scopes ?? []), ...grants.flatMap((g) => g.scopes)]);
    const adminConsented = new Set([...(pre?.scopes ?? []), ...grants.filter((g) => g.adminConsent).flatMap((g) => g.scopes)]);
    const wanted = scopes.isDefault ? [...consented] : scopes.values;
    if (scopes.isDefault && wanted.length === 0) throw new AadFailure(AAD.consentMissing(clientId, apps.get(clientId)?.displayName ?? clientId));
    for (const v of wanted) {
      const def = r.scopes.find((s) => s.value === v);
      if (def?.type === 'Admin' && !adminConsented.has(v)) throw new AadFailure(AAD.adminConsentRequired());
      if (!consented.has(v)) throw new AadFailure(AAD.consentMissing(clientId, apps.get(clientId)?.displayName ?? clientId));
    }
    void client;
    return wanted;
  }

  function checkAssignment(user: EntraUser, client: AppRegistration | undefined, resource: AppRegistration) {
    for (const app of [client, resource]) {
      if (app && app !== GRAPH_APP && app.assignmentRequired && !(app.appId in user.appRoles)) throw new AadFailure(AAD.userNotAssigned(app.displayName, app.appId, user.upn));
    }
  }

  function versionOf(resource: AppRegistration): 1 | 2 {
    return resource.requestedAccessTokenVersion === 2 ? 2 : 1;
  }

  async function sign(payload: Record<string, unknown>, key: SigningKey = privateKey): Promise<string> {
    return new jose.SignJWT(payload as Parameters<Jose['SignJWT']['prototype']['setProtectedHeader']>[0] & Record<string, unknown>)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid })
      .sign(key);
  }

  interface AccessTokenParams {
    tenantId: string;
    resource: AppRegistration;
    requestedResource: string;
    clientId: string;
    clientAuth: '0' | '1';
    user?: EntraUser;
    scp?: string[];
    roles?: string[];
    lifetime?: number;
    version?: 1 | 2;
  }

  function accessTokenClaims(p: AccessTokenParams): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const version = p.version ?? versionOf(p.resource);
    const lifetime = p.lifetime ?? cfg.tokenLifetimeSeconds;
    let aud: string;
    if (p.resource === GRAPH_APP) aud = GRAPH_APP_ID;
    else if (version === 2) aud = p.resource.appId;
    else aud = p.requestedResource;
    const claims: Record<string, unknown> = {
      aud,
      iss: version === 2 ? issuerV2(p.tenantId) : issuerV1(p.tenantId),
      iat: now,
      nbf: now,
      exp: now + lifetime,
    };
    const clientName = apps.get(p.clientId)?.displayName;
    if (p.user) {
      const u = p.user as EntraUser & { oid: string };
      if (version === 2) {
        Object.assign(claims, {
          azp: p.clientId,
          azpacr: p.clientAuth,
          name: u.name,
          oid: u.oid,
          preferred_username: u.upn,
        });
      } else {
        const [given, ...family] = u.name.split(' ');
        Object.assign(claims, {
          acr: '1',
          amr: ['pwd'],
          appid: p.clientId,
          appidacr: p.clientAuth,
          family_name: family.join(' ') || undefined,
          given_name: given,
          name: u.name,
          oid: u.oid,
          unique_name: u.upn,
          upn: u.upn,
        });
        if (clientName) claims.app_displayname = clientName;
      }
      if (p.roles && p.roles.length) claims.roles = p.roles;
      claims.scp = (p.scp ?? []).join(' ');
      claims.sub = b64url(createHash('sha256').update(`${u.oid}:${p.resource.appId}`).digest()).slice(0, 43);
    } else {
      const spOid = guidFrom(`sp:${p.clientId}`);
      if (version === 2) Object.assign(claims, { azp: p.clientId, azpacr: p.clientAuth });
      else Object.assign(claims, { appid: p.clientId, appidacr: p.clientAuth });
      Object.assign(claims, { idtyp: 'app', oid: spOid, sub: spOid });
      if (p.roles && p.roles.length) claims.roles = p.roles;
    }
    Object.assign(claims, { tid: p.tenantId, uti: b64url(randomBytes(16)).slice(0, 22), ver: version === 2 ? '2.0' : '1.0' });
    for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
    return claims;
  }

  function userRoles(user: EntraUser, resource: AppRegistration): string[] {
    return user.appRoles[resource.appId] ?? [];
  }

  async function idToken(clientId: string, user: EntraUser & { oid?: string }, tenantId: string, nonce?: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const oid = user.oid ?? guidFrom(`user:${user.upn}`);
    return sign({
      aud: clientId,
      iss: issuerV2(tenantId),
      iat: now,
      nbf: now,
      exp: now + cfg.tokenLifetimeSeconds,
      name: user.name,
      ...(nonce ? { nonce } : {}),
      oid,
      preferred_username: user.upn,
      sub: b64url(createHash('sha256').update(`${oid}:${clientId}`).digest()).slice(0, 43),
      tid: tenantId,
      ver: '2.0',
    });
  }

  async function mintToken(opts: MintTokenOptions = {}): Promise<string> {
    const resource = (cfg.apiAppId && apps.get(cfg.apiAppId)) || [...apps.values()].find((a) => a.scopes.length || a.appRoles.length) || GRAPH_APP;
    const version = opts.version ?? versionOf(resource);
    const tenantId = opts.tenantId ?? primary;
    const clientId = opts.clientId ?? cfg.defaultClientId;
    const wantAppOnly = opts.user === null || opts.appOnly === true;
    const user = wantAppOnly ? undefined : opts.user ? users.find((u) => u.upn.toLowerCase() === opts.user!.toLowerCase()) : defaultUser();
    if (opts.user && !user) throw new Error(`sandbox: unknown user ${opts.user}`);
    const appOnly = wantAppOnly || !user;
    const roles = opts.roles ?? (appOnly ? (apps.get(clientId)?.applicationPermissions[resource.appId] ?? []) : userRoles(user!, resource));
    const claims = accessTokenClaims({
      tenantId,
      resource,
      requestedResource: resource.identifierUris[0] ?? resource.appId,
      clientId,
      clientAuth: appOnly ? '1' : '0',
      user: appOnly ? undefined : user,
      scp: opts.scopes ?? resource.scopes.filter((s) => s.type === 'User').map((s) => s.value),
      roles,
      lifetime: opts.lifetimeSeconds,
      version,
    });
    if (opts.audience !== undefined) claims.aud = opts.audience;
    if (opts.issuer !== undefined) claims.iss = opts.issuer;
    if (opts.expired) {
      const now = Math.floor(Date.now() / 1000);
      const lifetime = opts.lifetimeSeconds ?? cfg.tokenLifetimeSeconds;
      Object.assign(claims, { iat: now - 300 - lifetime, nbf: now - 300 - lifetime, exp: now - 300 });
    }
    if (opts.expiresInSeconds !== undefined) {
      const exp = Math.floor(Date.now() / 1000) + opts.expiresInSeconds;
      const lifetime = opts.lifetimeSeconds ?? cfg.tokenLifetimeSeconds;
      Object.assign(claims, { iat: exp - lifetime, nbf: exp - lifetime, exp });
    }
    if (opts.notBeforeOffsetSeconds !== undefined) claims.nbf = Math.floor(Date.now() / 1000) + opts.notBeforeOffsetSeconds;
    if (opts.claims) Object.assign(claims, opts.claims);
    for (const c of opts.omitClaims ?? []) delete claims[c];
    let key: SigningKey = privateKey;
    if (opts.signingKey === 'foreign') {
      foreignKey ??= (await jose.generateKeyPair('RS256')).privateKey;
      key = foreignKey;
    }
    return sign(claims, key);
  }

  // ------------------------------------------------------------------ HTTP

  function ids(req: IncomingMessage) {
    const cri = req.headers['client-request-id'];
    return { traceId: randomUUID(), correlationId: typeof cri === 'string' && cri ? cri : randomUUID(), now: new Date() };
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache', ...extra }).end(JSON.stringify(body));
  }

  function tokenError(req: IncomingMessage, res: ServerResponse, aad: AadError, status = 400) {
    const { traceId, correlationId, now } = ids(req);
    const ts = entraTimestamp(now);
    log(`entra: token error AADSTS${aad.code} (${aad.error})`);
    sendJson(res, aad.error === 'invalid_client' && status === 400 ? 401 : status, {
      error: aad.error,
      error_description: `AADSTS${aad.code}: ${aad.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${ts}`,
      error_codes: [aad.code],
      timestamp: ts,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin}/error?code=${aad.code}`,
    });
  }

  function openidConfigV2(tenantSegment: string, placeholder: boolean, tenantId: string) {
    const base = `${origin}/${tenantSegment}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: placeholder ? `${origin}/{tenantid}/v2.0` : issuerV2(tenantId),
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  function openidConfigV1(tenantSegment: string, placeholder: boolean, tenantId: string) {
    const base = `${origin}/${tenantSegment}`;
    return {
      token_endpoint: `${base}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      scopes_supported: ['openid'],
      issuer: placeholder ? issuerV1('{tenantid}') : issuerV1(tenantId),
      microsoft_multi_refresh_token: true,
      authorization_endpoint: `${base}/oauth2/authorize`,
      device_authorization_endpoint: `${base}/oauth2/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/logout`,
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce', 'email', 'given_name', 'family_name', 'nickname'],
      check_session_iframe: `${base}/oauth2/checksession`,
      userinfo_endpoint: `${base}/openid/userinfo`,
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  /** After sign-in: the checks Entra makes once it knows the user; returns the code or throws AadFailure. */
  function issueCode(g: { user: EntraUser; tenantId: string; client: AppRegistration; redirectUri: string; platform: Platform; query: URLSearchParams }): string {
    const q = g.query;
    const scopes = resolveScopes(q.get('scope') ?? '', g.tenantId);
    checkResourceParam(q.get('resource'), scopes);
    delegatedValues(g.client, g.client.appId, scopes);
    checkAssignment(g.user, g.client, scopes.resource);
    const code = b64url(randomBytes(48));
    codes.set(code, {
      clientId: g.client.appId,
      redirectUri: g.redirectUri,
      platform: g.platform,
      scopes,
      user: g.user,
      tenantId: g.tenantId,
      codeChallenge: q.get('code_challenge') ?? undefined,
      codeChallengeMethod: q.get('code_challenge_method') ?? undefined,
      nonce: q.get('nonce') ?? undefined,
      redeemed: false,
      expiresAt: Date.now() + 10 * 60_000,
    });
    return code;
  }

  const signIn = authorizeEndpoint({
    origin: () => origin,
    log,
    ids,
    resolveTenant,
    findApp,
    findUser: (upn) => users.find((u) => u.upn.toLowerCase() === upn.toLowerCase()),
    issueCode,
  });

  interface ClientAuth {
    secret?: string;
  }

  function clientAuthFrom(req: IncomingMessage, form: URLSearchParams): ClientAuth & { clientId?: string } {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      return { clientId: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
    }
    return { clientId: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
  }

  function checkSecret(client: AppRegistration, secret: string | undefined, required: boolean): '0' | '1' {
    if (secret === undefined || secret === '') {
      if (required) throw new AadFailure(AAD.secretRequired());
      return '0';
    }
    if (!client.clientSecrets.includes(secret)) throw new AadFailure(AAD.invalidSecret());
    return '1';
  }

  async function issueDelegated(
    form: URLSearchParams,
    clientId: string,
    client: AppRegistration | undefined,
    user: EntraUser,
    tenantId: string,
    scopes: ResolvedScopes,
    clientAuth: '0' | '1',
    platform: Platform,
    nonce?: string,
  ): Promise<Record<string, unknown>> {
    const scp = delegatedValues(client, clientId, scopes);
    checkAssignment(user, client, scopes.resource);
    const resource = scopes.resource;
    const roles = userRoles(user, resource);
    const accessToken = await sign(accessTokenClaims({ tenantId, resource, requestedResource: scopes.requestedResource, clientId, clientAuth, user, scp, roles }));
    const prefix = resource === GRAPH_APP ? 'https://graph.microsoft.com' : scopes.requestedResource;
    const grantedScopes = [...scp.map((v) => `${prefix}/${v}`), ...scopes.oidc.filter((s) => s !== 'offline_access' && s !== 'openid'), ...(scopes.oidc.includes('openid') ? ['openid'] : [])];
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: [...new Set(grantedScopes)].join(' '),
      expires_in: cfg.tokenLifetimeSeconds,
      ext_expires_in: cfg.tokenLifetimeSeconds,
      access_token: accessToken,
    };
    if (scopes.oidc.includes('offline_access') && cfg.issueRefreshTokens) {
      const rt = `1.sandbox.${b64url(randomBytes(48))}`;
      refreshTokens.set(rt, { clientId, platform, user, tenantId, scopeParam: form.get('scope') ?? '' });
      body.refresh_token = rt;
    }
    if (scopes.oidc.includes('openid')) body.id_token = await idToken(clientId, user, tenantId, nonce);
    if (form.get('client_info') === '1') {
      const oid = (user as EntraUser & { oid: string }).oid;
      body.client_info = b64url(JSON.stringify({ uid: oid, utid: tenantId }));
    }
    return body;
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenantSegment: string) {
    const form = new URLSearchParams(await readBody(req));
    const tenant = resolveTenant(tenantSegment);
    if (!tenant) return tokenError(req, res, AAD.tenantNotFound(tenantSegment));
    const grantType = form.get('grant_type');
    if (!grantType) return tokenError(req, res, AAD.missingParameter('grant_type'));
    const auth = clientAuthFrom(req, form);
    if (!auth.clientId) return tokenError(req, res, AAD.missingParameter('client_id'));
    const clientId = auth.clientId;
    const client = findApp(tenant.tenantId, clientId);
    if (!client) return tokenError(req, res, AAD.appNotFound(clientId, tenant.tenantId), 400);
    const requestOrigin = req.headers.origin;
    try {
      let body: Record<string, unknown>;
      if (grantType === 'authorization_code') {
        const code = form.get('code');
        if (!code) throw new AadFailure(AAD.missingParameter('code'));
        const grant = codes.get(code);
        if (!grant || grant.expiresAt < Date.now() || grant.clientId !== clientId) throw new AadFailure(AAD.codeInvalid());
        if (grant.redeemed) throw new AadFailure(AAD.codeRedeemed());
        if (!form.get('redirect_uri')) throw new AadFailure(AAD.missingParameter('redirect_uri'));
        if (form.get('redirect_uri') !== grant.redirectUri) throw new AadFailure(AAD.redirectMismatchAtToken());
        if (requestOrigin && grant.platform !== 'spa') throw new AadFailure(AAD.crossOriginRedemption());
        const clientAuth = checkSecret(client, auth.secret, grant.platform === 'web');
        if (grant.codeChallenge) {
          const verifier = form.get('code_verifier');
          if (!verifier) throw new AadFailure(AAD.missingParameter('code_verifier'));
          const computed = grant.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
          if (computed !== grant.codeChallenge) throw new AadFailure(AAD.pkceMismatch());
        }
        if (!form.get('scope')) throw new AadFailure(AAD.emptyScopeOnCode());
        grant.redeemed = true;
        body = await issueDelegated(form, clientId, client, grant.user, grant.tenantId, grant.scopes, clientAuth, grant.platform, grant.nonce);
      } else if (grantType === 'refresh_token') {
        const rt = form.get('refresh_token');
        if (!rt) throw new AadFailure(AAD.missingParameter('refresh_token'));
        const grant = refreshTokens.get(rt);
        if (!grant || grant.clientId !== clientId) throw new AadFailure(AAD.refreshInvalid());
        const clientAuth = checkSecret(client, auth.secret, grant.platform === 'web');
        if (!form.get('scope')) form.set('scope', grant.scopeParam);
        const scopes = resolveScopes(form.get('scope') ?? '', grant.tenantId);
        checkResourceParam(form.get('resource'), scopes);
        body = await issueDelegated(form, clientId, client, grant.user, grant.tenantId, scopes, clientAuth, grant.platform);
      } else if (grantType === 'client_credentials') {
        const clientAuth = checkSecret(client, auth.secret, true);
        const scopes = resolveScopes(form.get('scope') ?? '', tenant.tenantId);
        if (!scopes.isDefault || scopes.oidc.length) throw new AadFailure(AAD.invalidScope());
        checkResourceParam(form.get('resource'), scopes);
        const resource = scopes.resource;
        const roles = client.applicationPermissions[resource.appId] ?? [];
        if (resource.assignmentRequired && roles.length === 0) throw new AadFailure(AAD.clientNotAssigned(client.appId, client.displayName, resource.appId, resource.displayName));
        const accessToken = await sign(
          accessTokenClaims({ tenantId: tenant.tenantId, resource, requestedResource: scopes.requestedResource, clientId, clientAuth, roles }),
        );
        body = { token_type: 'Bearer', expires_in: cfg.tokenLifetimeSeconds, ext_expires_in: cfg.tokenLifetimeSeconds, access_token: accessToken };
      } else if (grantType === 'urn:ietf:params:oauth:grant-type:device_code' || grantType === 'device_code') {
        const deviceCode = form.get('device_code') ?? form.get('code');
        if (!deviceCode) throw new AadFailure(AAD.missingParameter('device_code'));
        const grant = deviceCodes.get(deviceCode);
        if (!grant || grant.clientId !== clientId) throw new AadFailure(AAD.deviceCodeInvalid());
        if (!client.allowPublicClient) throw new AadFailure(AAD.secretRequired());
        const dc = cfg.deviceCode;
        if (Date.now() > grant.expiresAt || dc.approval === 'expired') throw new AadFailure(AAD.deviceCodeExpired());
        if (dc.approval === 'declined') throw new AadFailure(AAD.authorizationDeclined());
        if (
          dc.approval === 'pending' ||
          (dc.approval === 'afterDelay' && Date.now() < grant.issuedAt + dc.approveAfterMs) ||
          (dc.approval === 'userEntersCode' && grant.enteredAt === undefined)
        ) {
          throw new AadFailure(AAD.authorizationPending());
        }
        const user = defaultUser();
        if (!user) throw new AadFailure(AAD.userNotFound('(no user)', grant.tenantId));
        deviceCodes.delete(deviceCode);
        form.set('scope', grant.scopeParam);
        const scopes = resolveScopes(grant.scopeParam, grant.tenantId);
        body = await issueDelegated(form, clientId, client, user, grant.tenantId, scopes, '0', 'publicClient');
      } else {
        throw new AadFailure(AAD.unsupportedGrant(grantType));
      }
      for (const k of ['access_token', 'refresh_token', 'id_token']) {
        const v = (body as Record<string, unknown>)[k];
        if (typeof v === 'string') issued.push(v);
      }
      log(`entra: token issued grant=${grantType} client=${clientId}`);
      sendJson(res, 200, body);
    } catch (error) {
      if (error instanceof AadFailure) return tokenError(req, res, error.aad);
      throw error;
    }
  }

  async function devicecode(req: IncomingMessage, res: ServerResponse, tenantSegment: string) {
    const form = new URLSearchParams(await readBody(req));
    const tenant = resolveTenant(tenantSegment);
    if (!tenant) return tokenError(req, res, AAD.tenantNotFound(tenantSegment));
    const clientId = form.get('client_id');
    if (!clientId) return tokenError(req, res, AAD.missingParameter('client_id'));
    if (!findApp(tenant.tenantId, clientId)) return tokenError(req, res, AAD.appNotFound(clientId, tenant.tenantId));
    try {
      resolveScopes(form.get('scope') ?? '', tenant.tenantId);
    } catch (error) {
      if (error instanceof AadFailure) return tokenError(req, res, error.aad);
      throw error;
    }
    const deviceCode = b64url(randomBytes(48));
    const userCode = randomBytes(6).toString('base64').replace(/[^A-Z0-9]/gi, 'X').toUpperCase().slice(0, 9);
    const expiresIn = 900;
    deviceCodes.set(deviceCode, { clientId, scopeParam: form.get('scope') ?? '', tenantId: tenant.tenantId, userCode, issuedAt: Date.now(), expiresAt: Date.now() + expiresIn * 1000 });
    const verificationUri = `${origin}/devicelogin`;
    sendJson(res, 200, {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: expiresIn,
      interval: cfg.deviceCode.intervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  /**
   * The page a device-code user opens. With approval 'userEntersCode' it takes the code in a form, as
   * microsoft.com/devicelogin does, and the next token poll for that grant succeeds; otherwise the scenario approves.
   */
  async function deviceLogin(req: IncomingMessage, res: ServerResponse, method: string) {
    const page = (status: number, title: string, body: string) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(`<!DOCTYPE html><title>${title}</title><h1>${title}</h1>${body}`);
    const form = '<form method="post"><label for="otc">Code</label> <input id="otc" name="otc" autocomplete="off"> <button type="submit">Next</button></form>';
    if (cfg.deviceCode.approval !== 'userEntersCode') return page(200, 'Enter code', '<p>Sandbox: device codes are approved by the scenario.</p>');
    if (method === 'GET') return page(200, 'Enter code', `<p>Enter the code displayed on your app or device.</p>${form}`);
    if (method !== 'POST') return page(405, 'Method not allowed', '');
    const entered = (new URLSearchParams(await readBody(req)).get('otc') ?? '').trim().toUpperCase();
    const grant = [...deviceCodes.values()].find((g) => g.userCode === entered && Date.now() <= g.expiresAt);
    if (!grant) return page(400, 'Enter code', `<p role="alert">That code didn't work. Check the code and try again.</p>${form}`);
    grant.enteredAt = Date.now();
    const app = apps.get(grant.clientId);
    log(`entra: device code entered for client=${grant.clientId}`);
    return page(200, 'You are signed in', `<p>You have signed in to the ${escapeHtml(app?.displayName ?? grant.clientId)} application on your device. You may now close this window.</p>`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    log(`entra: ${req.method} ${url.pathname}`);
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const [segment, ...rest] = parts;
    const path = rest.join('/');
    if (method === 'GET' && segment === 'common' && path === 'discovery/instance') {
      return sendJson(res, 200, {
        tenant_discovery_endpoint: `${origin}/{tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: url.host, preferred_cache: url.host, aliases: [url.host] }],
      });
    }
    if (segment === 'devicelogin' && rest.length === 0) return deviceLogin(req, res, method);
    if (method === 'GET' && segment === 'error' && rest.length === 0) {
      const code = escapeHtml(url.searchParams.get('code') ?? '');
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html><title>AADSTS${code}</title><p>Error code AADSTS${code} (sandbox).</p>`);
    }
    if (!segment) return sendJson(res, 404, { error: 'not_found' });
    const tenant = resolveTenant(segment);
    const isMeta = (path === 'v2.0/.well-known/openid-configuration' || path === '.well-known/openid-configuration') && method === 'GET';
    if (isMeta || path === 'discovery/v2.0/keys' || path === 'discovery/keys') {
      if (!tenant) {
        const aad = AAD.tenantNotFound(segment);
        const { traceId, correlationId, now } = ids(req);
        return sendJson(res, 400, {
          error: aad.error,
          error_description: `AADSTS${aad.code}: ${aad.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${entraTimestamp(now)}`,
          error_codes: [aad.code],
          timestamp: entraTimestamp(now),
          trace_id: traceId,
          correlation_id: correlationId,
          error_uri: `${origin}/error?code=${aad.code}`,
        });
      }
      if (path === 'v2.0/.well-known/openid-configuration') return sendJson(res, 200, openidConfigV2(segment, tenant.placeholder, tenant.tenantId));
      if (path === '.well-known/openid-configuration') return sendJson(res, 200, openidConfigV1(segment, tenant.placeholder, tenant.tenantId));
      return sendJson(res, 200, { keys: [publicJwk] });
    }
    if (path === 'oauth2/v2.0/authorize' && method === 'GET') return signIn.authorize(req, res, segment, url);
    if (path === 'login' && method === 'POST') return signIn.login(req, res, segment);
    if (path === 'oauth2/v2.0/token' && method === 'POST') return token(req, res, segment);
    if (path === 'oauth2/v2.0/devicecode' && method === 'POST') return devicecode(req, res, segment);
    return sendJson(res, 404, { error: 'not_found' });
  }

  const server: Server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`entra: internal error ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.end();
    });
  });
  const port = await listenOnLoopback(server);
  origin = `https://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    tenantId: primary,
    issuerV1,
    issuerV2,
    mintToken,
    issuedTokens: () => [...issued],
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
