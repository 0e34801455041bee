/**
 * What the gateway emulator answers with, as APIM does (test/sandbox/FIDELITY.md names the source of each):
 * the caller-visible texts, APIM's one-line `{ "statusCode": …, "message": … }` body layout, and the generic 500.
 */
import { randomUUID } from 'node:crypto';

export const APIM_TEXT = {
  keyMissing: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  keyInvalid: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  jwtNotPresent: 'JWT not present.',
  jwtInvalid: 'Invalid JWT.',
  aadNotPresent: 'Azure AD JWT not present',
  aadInvalid: 'Invalid Azure AD JWT',
  notFound: 'Resource not found',
  forbidden: 'Forbidden',
  internalServerError: 'Internal server error',
  rateLimited: (s: number) => `Rate limit is exceeded. Try again in ${s} seconds.`,
  quota: (when: string) => `Out of call volume quota. Quota will be replenished in ${when}.`,
} as const;

/** The reason phrase APIM puts on its key 401s (`HTTP/1.1 401 Access Denied` in public captures). */
export const KEY_DENIED_REASON = 'Access Denied';

/** APIM's error body layout, as captured: `{ "statusCode": 401, "message": "…" }` on one line. */
export function apimJson(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  return `{ ${Object.entries(body as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
}

/** APIM's generic 500: expression errors, forward-request timeouts and backend connection failures all look like this. */
export function internalServerErrorBody(): Record<string, unknown> {
  return { statusCode: 500, message: APIM_TEXT.internalServerError, activityId: randomUUID() };
}

/** One gateway answer before it is written: what the caller gets and what the request record keeps. */
export interface GatewayAnswer {
  status: number;
  statusText?: string;
  body: unknown;
  headers: Record<string, string>;
  outcome: string;
  /** APIM-trace-like reason (LastError Reason: message). Never holds key or token values. */
  detail?: string;
}
