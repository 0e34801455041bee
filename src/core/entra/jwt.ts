import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Secret } from '../secret';

/**
 * A decoded access token: header and claims only. The signature is never kept, so nothing built from this
 * object can leak a usable token. Decoding does not verify; APIM does that, we only explain its decision.
 */
export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

export type DecodeResult = { ok: true; token: DecodedToken } | { ok: false; error: string };

export function decodeAccessToken(token: Secret): DecodeResult {
  const raw = token.reveal().trim().replace(/^Bearer\s+/i, '').trim();
  if (raw.split('.').length !== 3) {
    return { ok: false, error: 'The token is not a JWT (it does not have three dot-separated parts); Entra access tokens for your API are JWTs.' };
  }
  try {
    return { ok: true, token: { header: { ...decodeProtectedHeader(raw) }, claims: { ...decodeJwt(raw) } } };
  } catch {
    return { ok: false, error: 'The token is not a decodable JWT (its header or payload is not base64url JSON).' };
  }
}

export function claimString(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function claimList(claims: Readonly<Record<string, unknown>>, name: string): string[] | undefined {
  const value = claims[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return name === 'scp' ? value.split(' ').filter(Boolean) : [value];
  return undefined;
}

export function claimTime(claims: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = claims[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
