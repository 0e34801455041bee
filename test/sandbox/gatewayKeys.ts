/**
 * The subscription-key step of the gateway emulator, checked before any policy as APIM does: the key from the
 * API's header, else its query parameter (only when the header is absent); then whether an active subscription
 * whose scope covers this API owns it. Missing and invalid keys both get the AzureApiManagementKey challenge; the
 * body message tells them apart (FIDELITY.md).
 */
import type { IncomingMessage } from 'node:http';
import { parseEnvReference } from '../../src/core/secrets/envVars';
import { APIM_TEXT, KEY_DENIED_REASON, type GatewayAnswer } from './apimAnswers';
import type { SubscriptionConfig, SubscriptionKeyConfig } from './scenarioSchema';

export interface ResolvedSubscription extends Omit<SubscriptionConfig, 'keys'> {
  keys: SubscriptionKeyConfig[];
  apiName: string;
}

export interface KeyVerdict {
  status: 'absent' | 'valid' | 'invalid';
  /** The header name, or `query:<name>`, the key came in. */
  from?: string;
  /** Why an invalid key is invalid, for the record. */
  reason?: string;
  malformed?: boolean;
  /** The variable name when the key was literally an unexpanded `${NAME}` / `$NAME` reference (not a secret). */
  reference?: string;
}

/** Every key as the object form: a plain string is an active key scoped to this API. */
export function normaliseKeys(keys: readonly (string | SubscriptionKeyConfig)[]): SubscriptionKeyConfig[] {
  return keys.map((k) => (typeof k === 'string' ? { key: k, scope: 'api', state: 'active' } : k));
}

function covers(scope: string, sub: ResolvedSubscription): boolean {
  if (scope === 'service' || scope === 'allApis' || scope === 'api') return true;
  const [kind, name] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1)];
  if (kind === 'api') return name.toLowerCase() === sub.apiName.toLowerCase();
  return kind === 'product' && sub.products.some((p) => p.toLowerCase() === name.toLowerCase());
}

export function checkKey(req: IncomingMessage, url: URL, sub: ResolvedSubscription): KeyVerdict {
  const fromHeader = req.headers[sub.headerName.toLowerCase()];
  let key: string;
  let from: string;
  if (fromHeader !== undefined) {
    key = Array.isArray(fromHeader) ? fromHeader[0]! : fromHeader;
    from = sub.headerName;
  } else if (url.searchParams.has(sub.queryName)) {
    key = url.searchParams.get(sub.queryName) ?? '';
    from = `query:${sub.queryName}`;
  } else {
    return { status: 'absent' };
  }
  const owner = sub.keys.find((k) => k.key === key);
  if (!owner) return { status: 'invalid', from, reason: 'no subscription has this key', malformed: !/^[A-Za-z0-9]{32}$/.test(key), reference: parseEnvReference(key) };
  if (owner.state !== 'active') return { status: 'invalid', from, reason: `the subscription is ${owner.state}` };
  if (!covers(owner.scope, sub)) return { status: 'invalid', from, reason: `the subscription's scope (${owner.scope}) does not include this API` };
  return { status: 'valid', from };
}

/** The 401 for a key the gateway did not accept, or undefined when the key step lets the request through. */
export function keyRejection(verdict: KeyVerdict, sub: ResolvedSubscription, realm: string): GatewayAnswer | undefined {
  if (verdict.status === 'valid') return undefined;
  const readAsMissing = verdict.status === 'absent' || (verdict.malformed === true && sub.malformedKeyReadAsMissing);
  // "Subscription required" off lets a call without a key through, but a key that is sent is still checked: the
  // subscriptions doc's summary table denies "other keys" whatever the setting (FIDELITY.md G15).
  if (readAsMissing && !sub.required) return undefined;
  const challenge = { 'www-authenticate': `AzureApiManagementKey realm="${realm}",name="${sub.headerName}",type="header"` };
  if (readAsMissing) {
    const outcome = verdict.status === 'absent' ? 'keyMissing' : 'keyMalformed';
    return { status: 401, statusText: KEY_DENIED_REASON, body: { statusCode: 401, message: APIM_TEXT.keyMissing }, headers: challenge, outcome, detail: 'SubscriptionKeyNotFound' };
  }
  return {
    status: 401,
    statusText: KEY_DENIED_REASON,
    body: { statusCode: 401, message: APIM_TEXT.keyInvalid },
    headers: sub.challengeOnInvalidKey ? challenge : {},
    outcome: 'keyInvalid',
    detail: `SubscriptionKeyInvalid: ${verdict.reason ?? 'invalid key'}`,
  };
}
