/**
 * Reads what an APIM gateway answered and names the outcome, from the status, APIM's `{ statusCode, message }` body
 * and the WWW-Authenticate header. Matching is on APIM's verbatim message prefixes
 * (research/apim-entra-diagnostics.md §1, §7); anything else is `unrecognised`, never a guess.
 *
 * The body decides between a missing and an invalid key: APIM sends its `AzureApiManagementKey` challenge with both
 * (research/real-behaviour.md item 5), so the header only says that a key is wanted and under which name.
 */
export type GatewayOutcome =
  | { kind: 'ok' }
  | { kind: 'keyMissing'; headerName?: string }
  | { kind: 'keyInvalid' }
  /** A key was sent in the header APIM names, yet APIM answered "missing": a malformed key reads that way. */
  | { kind: 'keyNotRecognised'; headerName: string }
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

/** What the request carried, when the caller knows: the names of the credential headers it sent. */
export interface SentCredentials {
  readonly sentHeaders?: readonly string[];
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

/** validate-jwt / validate-azure-ad-token default messages, whatever status failed-validation-httpcode chose. */
function tokenOutcome(message: string): GatewayOutcome | undefined {
  if (message === APIM_MESSAGES.jwtNotPresent || message === APIM_MESSAGES.aadJwtNotPresent) return { kind: 'tokenMissing' };
  if (message === APIM_MESSAGES.invalidJwt || message === APIM_MESSAGES.invalidAadJwt) return { kind: 'tokenRejected' };
  return undefined;
}

function keyOutcome(message: string, challenge: string, sent: SentCredentials): GatewayOutcome | undefined {
  if (message.startsWith(APIM_MESSAGES.keyInvalid)) return { kind: 'keyInvalid' };
  const keyChallenge = /^\s*AzureApiManagementKey\b/i.test(challenge);
  if (!message.startsWith(APIM_MESSAGES.keyMissing) && !(keyChallenge && !tokenOutcome(message))) return undefined;
  const headerName = quotedParam(challenge, 'name');
  const sentThere = headerName !== undefined && (sent.sentHeaders ?? []).some((h) => h.toLowerCase() === headerName.toLowerCase());
  return sentThere ? { kind: 'keyNotRecognised', headerName } : { kind: 'keyMissing', headerName };
}

export function classifyGatewayResponse(response: GatewayResponse, sent: SentCredentials = {}): GatewayOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const message = apimMessage(response.bodyText) ?? '';
  const challenge = response.header('www-authenticate') ?? '';
  if (status === 401) {
    const key = keyOutcome(message, challenge, sent);
    if (key) return key;
    if (/^\s*Bearer\b/i.test(challenge)) {
      return { kind: 'bearerChallenge', resourceMetadata: quotedParam(challenge, 'resource_metadata') };
    }
    return tokenOutcome(message) ?? { kind: 'unrecognised' };
  }
  if (status === 403) return tokenOutcome(message) ?? { kind: 'forbidden' };
  if (status === 404) return { kind: 'notFound' };
  if (status === 429) {
    const retryAfter = Number.parseInt(response.header('retry-after') ?? '', 10);
    return { kind: 'rateLimited', retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined };
  }
  if (status >= 500) return { kind: 'serverError' };
  return { kind: 'unrecognised' };
}
