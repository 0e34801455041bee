/** Cases for the response family: APIM's own refusals of `initialize` (keys, missing token, 403, 404, 429, policy errors). */
import { apimError, exchange, goodClaims, KEY_HEADER, MCP_URL, toolCallAnswer } from '../observationBuilders';
import { TOKEN_ACCEPTED, type FindingCase } from './findingCase';

const KEY_MISSING = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const KEY_INVALID = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
const KEY_CHALLENGE = { 'www-authenticate': `AzureApiManagementKey realm="${MCP_URL}",name="${KEY_HEADER}",type="header"` };
const PARSE_ERROR = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
const SSE_SIBLING = 'https://contoso.azure-api.net/products/sse';

export const RESPONSE_CASES: readonly FindingCase[] = [
  {
    id: 'apim.key.missing',
    name: 'no key sent',
    setup: { unauth: apimError(401, KEY_MISSING, KEY_CHALLENGE) },
    severity: 'error',
    evidence: [/HTTP 401.*missing subscription key/, /^no subscription key was sent$/],
    says: /"Ocp-Apim-Subscription-Key" header/,
  },
  {
    id: 'apim.key.headerName',
    name: 'the key sent in another header than the API reads',
    setup: { input: { keyHeaderName: 'X-Api-Key' }, auth: { ...apimError(401, KEY_MISSING, KEY_CHALLENGE), sentSecretHeaders: ['X-Api-Key'] } },
    severity: 'error',
    evidence: [/^key sent in header: X-Api-Key$/, /^challenge name="Ocp-Apim-Subscription-Key"$/],
    says: /reads it from Ocp-Apim-Subscription-Key/,
  },
  {
    id: 'apim.key.alsoRequired',
    name: 'a token without a key on an API that still requires a subscription',
    setup: { auth: { ...apimError(401, KEY_MISSING), sentSecretHeaders: ['Authorization'] }, claims: goodClaims() },
    severity: 'error',
    evidence: [/^sent: Authorization \(Bearer token\), no subscription key$/],
    says: /"Subscription required" on/,
    not: ['entra.token.rejected'],
  },
  {
    id: 'apim.key.invalid',
    name: 'a wrong key',
    setup: { auth: apimError(401, KEY_INVALID) },
    severity: 'error',
    evidence: [/invalid subscription key/, /^key sent in header: Ocp-Apim-Subscription-Key$/],
  },
  {
    id: 'apim.key.invalid',
    name: '15.2 a wrong key answered with the key challenge',
    setup: { auth: apimError(401, KEY_INVALID, KEY_CHALLENGE) },
    severity: 'error',
    evidence: [/WWW-Authenticate: AzureApiManagementKey.*invalid subscription key/],
    not: ['apim.key.missing'],
  },
  {
    id: 'apim.key.invalid',
    name: '15.2 a key sent in the header the challenge names, answered "missing": not recognised',
    setup: { auth: apimError(401, KEY_MISSING, KEY_CHALLENGE) },
    severity: 'error',
    evidence: [/^a key was sent in Ocp-Apim-Subscription-Key, the header APIM names$/],
    says: /was not recognised/,
    not: ['apim.key.missing'],
  },
  {
    id: 'entra.token.missing',
    name: 'a token sent where the policy does not look',
    setup: { auth: { ...apimError(401, 'JWT not present.'), sentSecretHeaders: ['Authorization'] }, claims: goodClaims() },
    severity: 'error',
    evidence: [/JWT not present/, /^sent: Authorization: Bearer <token>$/],
    says: /header-name/,
    not: ['entra.token.rejected'],
  },
  {
    id: 'entra.token.missing',
    name: 'a key-only client on an API that also validates a token',
    setup: { input: { auth: 'subscriptionKey' }, auth: apimError(401, 'Azure AD JWT not present') },
    severity: 'error',
    evidence: [/was accepted; no Authorization header was sent$/],
    says: /as well as the subscription key/,
  },
  {
    id: 'apim.quota.exceeded',
    name: 'quota used up',
    setup: { auth: apimError(403, 'Out of call volume quota. Quota will be replenished in 00:10:00.') },
    severity: 'error',
    evidence: [/HTTP 403.*Out of call volume quota/],
    says: /VS Code treats a 403 like a 401 and starts its sign-in discovery/,
  },
  {
    id: 'apim.ipFilter.forbidden',
    name: 'ip-filter',
    setup: { auth: apimError(403, 'Caller IP address 203.0.113.7 is not allowed.') },
    severity: 'error',
    evidence: [/Caller IP address 203\.0\.113\.7/],
  },
  {
    id: 'apim.forbidden',
    name: 'another 403',
    setup: { auth: apimError(403, 'Access to this tool is denied.') },
    severity: 'error',
    evidence: [/HTTP 403.*Access to this tool is denied/],
    says: /403 Forbidden/,
  },
  {
    id: 'apim.path.notFound',
    name: 'a 404 while the SSE sibling path answers',
    setup: { unauth: apimError(404, 'Resource not found'), pathProbes: [exchange({ url: SSE_SIBLING, status: 200 })] },
    severity: 'error',
    evidence: [/HTTP 404/, /^sibling path: GET https:\/\/contoso\.azure-api\.net\/products\/sse → HTTP 200$/],
    says: /Use https:\/\/contoso\.azure-api\.net\/products\/sse instead/,
  },
  {
    id: 'apim.rateLimited',
    name: 'a 429 with Retry-After',
    setup: { auth: apimError(429, 'Rate limit is exceeded. Try again in 10 seconds.', { 'retry-after': '10' }) },
    severity: 'error',
    evidence: [/Retry-After: 10/],
    says: /retry after 10 s/,
  },
  {
    id: 'apim.policy.bodyWithoutPreserveContent',
    name: 'the backend could not parse a valid initialize',
    setup: { auth: { status: 400, headers: { 'content-type': 'application/json' }, bodyText: PARSE_ERROR } },
    severity: 'error',
    evidence: [/-32700/, /^the request body sent was a valid JSON-RPC initialize$/],
  },
  {
    id: 'apim.policy.expressionError',
    name: 'an APIM-shaped 500 to initialize',
    setup: { auth: apimError(500, 'Internal server error') },
    severity: 'error',
    evidence: [/HTTP 500.*"statusCode":500/],
    says: /policy expression failed/,
  },
  {
    id: 'apim.policy.expressionError',
    name: 'the per-tool role check throws on a token without roles',
    setup: {
      input: { toolRoles: { listProducts: 'Products.Read' } },
      auth: TOKEN_ACCEPTED,
      authAttempt: { toolCall: { name: 'listProducts' } },
      claims: goodClaims(),
      exchanges: [toolCallAnswer(apimError(500, 'Internal server error'))],
    },
    severity: 'error',
    evidence: [/^tools\/call listProducts \(read-only tool/, /^roles = \[\] \(no roles claim in the token\)$/],
    says: /per-tool role policy fails/,
  },
];
