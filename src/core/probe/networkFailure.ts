/**
 * A request that got no HTTP answer, named by what went wrong so rules can give a precise fix.
 * Classification is on Node/undici error codes (walking `cause`), never on message text.
 */
export type NetworkFailureKind = 'dns' | 'tls' | 'refused' | 'reset' | 'timeout' | 'redirect' | 'invalidUrl' | 'other';

export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  /** The error code as reported by Node (e.g. `ENOTFOUND`, `DEPTH_ZERO_SELF_SIGNED_CERT`), when there is one. */
  readonly code?: string;
  readonly message: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const TLS_EXPLANATIONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a self-signed root that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate was issued by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuing CA is not in the trusted store',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorName(error: unknown): string | undefined {
  return error && typeof error === 'object' ? String((error as { name?: unknown }).name ?? '') : undefined;
}

export function classifyNetworkError(error: unknown, timedOut: boolean): NetworkFailure {
  const code = errorCode(error);
  const name = errorName(error);
  if (timedOut || name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return { kind: 'timeout', code, message: 'no complete answer before the time limit' };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return { kind: 'dns', code, message: 'the host name does not resolve' };
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
    return { kind: 'tls', code, message: TLS_EXPLANATIONS[code] ?? 'the TLS handshake failed' };
  }
  if (code === 'ECONNREFUSED') return { kind: 'refused', code, message: 'the connection was refused' };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return { kind: 'reset', code, message: 'the connection was closed before a complete answer' };
  }
  if (code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_PROTOCOL') {
    return { kind: 'invalidUrl', code, message: 'the URL cannot be requested' };
  }
  return { kind: 'other', code, message: 'the request failed' };
}
