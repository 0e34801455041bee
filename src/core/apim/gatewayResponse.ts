/**
 * Reads what an APIM gateway answered and names the outcome, from the status, the WWW-Authenticate header and
 * APIM's `{ statusCode, message }` body. Matching is on APIM's verbatim message prefixes
 * (research/apim-entra-diagnostics.md §1, §7); anything else is `unrecognised`, never a guess.
 */
export type GatewayOutcome =
  | { kind: 'ok' }
  | { kind: 'keyMissing'; headerName?: string }
  | { kind: 'keyInvalid' }
  | { kind: 'tokenMissing' }
  | { kind: 'tokenRejected' }
  | { kind: 'bearerChallenge'; resourceMetadata?: string }
  | { kind: 'forbidden' }
  | { kind: 'notFound' }
  | { kind: 'rateLimited'; retryAfterSeconds?: number }
  | { kind: 'serverError' }
  | { kind: 'unrecognised' };

export interface GatewayResponse {
  readonly status: number;
  /** Header lookup, case-insensitive, as `Headers.get` gives it. */
  readonly header: (name: string) => string | null;
  readonly bodyText: string;
}

export const APIM_MESSAGES = {
  keyMissing: 'Access denied due to missing subscription key',
  keyInvalid: 'Access denied due to invalid subscription key',
  jwtNotPresent: 'JWT not present.',
  invalidJwt: 'Invalid JWT.',
  aadJwtNotPresent: 'Azure AD JWT not present',
  invalidAadJwt: 'Invalid Azure AD JWT',
  notFound: 'Resource not found',
  rateLimited: 'Rate limit is exceeded. Try again in',
} as const;

/** The `message` of APIM's JSON error body, or undefined when the body is not that shape. */
export function apimMessage(bodyText: string): string | undefined {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
      return (body as { message: string }).message;
    }
  } catch {
    // Not JSON: not an APIM gateway error body.
  }
  return undefined;
}

function quotedParam(header: string, param: string): string | undefined {
  const match = new RegExp(`(?:^|[\\s,])${param}\\s*=\\s*"([^"]*)"`, 'i').exec(header);
  return match?.[1];
}

export function classifyGatewayResponse(response: GatewayResponse): GatewayOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const message = apimMessage(response.bodyText) ?? '';
  const challenge = response.header('www-authenticate') ?? '';
  if (status === 401) {
    if (message.startsWith(APIM_MESSAGES.keyMissing) || /^\s*AzureApiManagementKey\b/i.test(challenge)) {
      return { kind: 'keyMissing', headerName: quotedParam(challenge, 'name') };
    }
    if (message.startsWith(APIM_MESSAGES.keyInvalid)) return { kind: 'keyInvalid' };
    if (/^\s*Bearer\b/i.test(challenge)) {
      return { kind: 'bearerChallenge', resourceMetadata: quotedParam(challenge, 'resource_metadata') };
    }
    if (message === APIM_MESSAGES.jwtNotPresent || message === APIM_MESSAGES.aadJwtNotPresent) return { kind: 'tokenMissing' };
    if (message === APIM_MESSAGES.invalidJwt || message === APIM_MESSAGES.invalidAadJwt) return { kind: 'tokenRejected' };
    return { kind: 'unrecognised' };
  }
  if (status === 403) return { kind: 'forbidden' };
  if (status === 404) return { kind: 'notFound' };
  if (status === 429) {
    const retryAfter = Number.parseInt(response.header('retry-after') ?? '', 10);
    return { kind: 'rateLimited', retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined };
  }
  if (status >= 500) return { kind: 'serverError' };
  return { kind: 'unrecognised' };
}
