/**
 * validate-jwt / validate-azure-ad-token as the gateway emulator runs them: keys from the Entra emulator's
 * openid-configuration → jwks_uri over TLS (cached, re-fetched for an unknown kid), RS256 signature, lifetime with
 * clock skew, audiences, issuers, client application ids and required claims. The caller sees only APIM's generic
 * message; `outcome` and an IDX-style `detail` (like an APIM trace) go to the request record.
 */
import { get as httpsGet } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TokenValidationConfig } from './scenarioSchema';

const josePromise = import('jose');
type Jose = Awaited<typeof josePromise>;
type JWKS = Parameters<Jose['createLocalJWKSet']>[0];

/** What token validation needs from the resolved gateway config. */
export interface TokenValidationContext {
  readonly openidConfigUrl: string;
  readonly entraCaPem: string;
  readonly acceptedIssuers: readonly string[];
  readonly primaryTenantId: string;
}

export interface TokenResult {
  status: 'absent' | 'valid' | 'invalid';
  outcome: string;
  detail?: string;
  payload?: Record<string, unknown>;
}

export function claimValues(value: unknown, separator?: string): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value === undefined || value === null) return [];
  const s = String(value);
  return separator ? s.split(separator) : [s];
}

function httpsJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          if ((res.statusCode ?? 0) >= 400) throw new Error(`HTTP ${res.statusCode}`);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export type TokenValidator = (req: IncomingMessage, tv: TokenValidationConfig | undefined) => Promise<TokenResult>;

export async function tokenValidator(context: () => TokenValidationContext): Promise<TokenValidator> {
  const jose = await josePromise;
  let jwks: ReturnType<Jose['createLocalJWKSet']> | undefined;
  let jwksKids = new Set<string>();

  async function loadKeys(): Promise<void> {
    const meta = (await httpsJson(context().openidConfigUrl, context().entraCaPem)) as { jwks_uri: string };
    const set = (await httpsJson(meta.jwks_uri, context().entraCaPem)) as JWKS;
    jwks = jose.createLocalJWKSet(set);
    jwksKids = new Set(set.keys.map((k) => String(k.kid)));
  }

  return async function validateToken(req: IncomingMessage, tv: TokenValidationConfig | undefined): Promise<TokenResult> {
    const headerName = (tv?.headerName ?? 'Authorization').toLowerCase();
    const raw = req.headers[headerName];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) return { status: 'absent', outcome: 'tokenMissing', detail: 'TokenNotPresent: JWT not present.' };
    let token = value;
    const scheme = tv ? tv.requireScheme : 'Bearer';
    if (scheme) {
      const prefix = `${scheme} `;
      if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) {
        return { status: 'absent', outcome: 'tokenMissing', detail: `TokenNotPresent: the ${headerName} header does not use the ${scheme} scheme.` };
      }
      token = value.slice(prefix.length).trim();
    }
    let header: ReturnType<Jose['decodeProtectedHeader']>;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      return { status: 'invalid', outcome: 'tokenMalformed', detail: 'JwtInvalid: IDX12741: JWT is not well formed.' };
    }
    try {
      if (!jwks || (header.kid && !jwksKids.has(header.kid))) await loadKeys();
    } catch (error) {
      return { status: 'invalid', outcome: 'tokenSignature', detail: `TokenSignatureKeyNotFound: cannot load signing keys (${(error as Error).message}).` };
    }
    if (header.kid && !jwksKids.has(header.kid)) {
      return { status: 'invalid', outcome: 'tokenSignature', detail: `TokenSignatureKeyNotFound: IDX10501: Signature validation failed. Unable to match key: kid: '${header.kid}'.` };
    }
    let payload: Record<string, unknown>;
    try {
      const verified = await jose.compactVerify(token, jwks!, { algorithms: ['RS256'] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    } catch {
      return { status: 'invalid', outcome: 'tokenSignature', detail: 'TokenSignatureInvalid: IDX10511: Signature validation failed.' };
    }
    const now = Math.floor(Date.now() / 1000);
    const skew = tv?.clockSkewSeconds ?? 0;
    const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
    if (exp === undefined && (tv?.requireExpirationTime ?? true)) {
      return { status: 'invalid', outcome: 'tokenNoExpiration', detail: "TokenExpired: IDX10225: Lifetime validation failed. The token is missing an Expiration Time.", payload };
    }
    if (exp !== undefined && exp + skew <= now) {
      return { status: 'invalid', outcome: 'tokenExpired', detail: `TokenExpired: IDX10223: Lifetime validation failed. The token is expired. ValidTo (UTC): '${new Date(exp * 1000).toISOString()}', Current time (UTC): '${new Date(now * 1000).toISOString()}'.`, payload };
    }
    if (typeof payload.nbf === 'number' && payload.nbf - skew > now) {
      return { status: 'invalid', outcome: 'tokenNotYetValid', detail: `JwtInvalid: IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom (UTC): '${new Date(payload.nbf * 1000).toISOString()}'.`, payload };
    }
    return tv ? (policyRefusal(payload, tv, context()) ?? { status: 'valid', outcome: 'ok', payload }) : { status: 'valid', outcome: 'ok', payload };
  };
}

/** The checks after signature and lifetime: audiences, issuers (and the tenant behind them), client apps, required claims. */
function policyRefusal(payload: Record<string, unknown>, tv: TokenValidationConfig, ctx: TokenValidationContext): TokenResult | undefined {
  const auds = claimValues(payload.aud);
  if (tv.audiences.length && !auds.some((a) => tv.audiences.includes(a))) {
    return { status: 'invalid', outcome: 'tokenAudience', detail: `TokenAudienceNotAllowed: IDX10214: Audience validation failed. Audiences: '${auds.join(', ')}'. Did not match: validationParameters.ValidAudiences: '${tv.audiences.join(', ')}'.`, payload };
  }
  const iss = String(payload.iss ?? '');
  if (!ctx.acceptedIssuers.includes(iss)) {
    const tenantMismatch = typeof payload.tid === 'string' && payload.tid !== (tv.tenantId ?? ctx.primaryTenantId);
    return {
      status: 'invalid',
      outcome: tenantMismatch ? 'tokenTenant' : 'tokenIssuer',
      detail: `TokenIssuerNotAllowed: IDX10205: Issuer validation failed. Issuer: '${iss}'. Did not match: validationParameters.ValidIssuers: '${ctx.acceptedIssuers.join(', ')}'.`,
      payload,
    };
  }
  if (tv.clientApplicationIds.length) {
    const client = String(payload.azp ?? payload.appid ?? '');
    if (!tv.clientApplicationIds.includes(client)) {
      return { status: 'invalid', outcome: 'tokenClientApp', detail: `TokenClientApplicationNotAllowed: client application '${client}' is not in client-application-ids.`, payload };
    }
  }
  for (const claim of tv.requiredClaims) {
    if (!(claim.name in payload)) {
      return { status: 'invalid', outcome: claim.name === 'scp' ? 'tokenScope' : 'tokenClaimMissing', detail: `TokenClaimNotFound: JWT token is missing the following claims: ${claim.name}. Access denied.`, payload };
    }
    if (claim.values.length) {
      const have = claimValues(payload[claim.name], claim.separator ?? (claim.name === 'scp' ? ' ' : undefined));
      const ok = claim.match === 'any' ? claim.values.some((v) => have.includes(v)) : claim.values.every((v) => have.includes(v));
      if (!ok) {
        return {
          status: 'invalid',
          outcome: claim.name === 'scp' ? 'tokenScope' : 'tokenClaimValue',
          detail: `TokenClaimValueNotAllowed: Claim ${claim.name} value of ${have.join(claim.separator ?? ',')} is not allowed. Access denied.`,
          payload,
        };
      }
    }
  }
  return undefined;
}
