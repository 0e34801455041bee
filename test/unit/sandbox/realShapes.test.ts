/**
 * The sandbox answers with the shapes recorded from the real gateway (test/fixtures/real/apim): status, reason
 * phrase, the headers the recording has (and no WWW-Authenticate it lacks), and the body byte for byte, hosts and
 * activity ids aside. The engine's unit tests read the same files, so both sides are held to one recording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extendScenario, loadScenario, startSandbox, type Sandbox, type Scenario } from '../../sandbox/index';
import { realApim, REAL_GATEWAY, type RealApimName } from '../../fixtures/real';
import { INIT_BODY, MCP_HEADERS, raw, toolsCallBody, type RawResponse } from './helpers';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Case {
  readonly name: string;
  readonly fixture: RealApimName;
  readonly scenario: () => Scenario;
  readonly send: (sb: Sandbox) => Promise<RawResponse>;
  /** The request record's outcome: why the sandbox answered so (the APIM trace's reason). */
  readonly outcome: string;
}

async function initialize(sb: Sandbox, headers: Record<string, string> = {}, url = sb.endpoints.mcpUrl): Promise<RawResponse> {
  return raw(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: INIT_BODY });
}

async function withClient(sb: Sandbox, body = INIT_BODY): Promise<RawResponse> {
  const client = await sb.client();
  return raw(client.url, { method: 'POST', headers: { ...MCP_HEADERS, ...client.headers }, body });
}

const entraVariant = (tokenValidation: Record<string, unknown>, token: Record<string, unknown>) => () =>
  extendScenario('healthy-entra', { gateway: { bearerChallenge: 'none', tokenValidation }, client: { auth: 'entra', token } });

const cases: Case[] = [
  { name: '15.2 missing key', outcome: 'keyMissing', fixture: 'key-missing', scenario: () => loadScenario('key-missing'), send: (sb) => initialize(sb) },
  { name: '15.2 invalid key, with the key challenge', outcome: 'keyInvalid', fixture: 'key-invalid', scenario: () => loadScenario('key-invalid'), send: withClient },
  {
    name: '15.2 malformed key read as missing', outcome: 'keyMalformed',
    fixture: 'key-malformed',
    scenario: () => extendScenario('healthy-key', { gateway: { subscription: { malformedKeyReadAsMissing: true } } }),
    send: (sb) => initialize(sb, { 'Ocp-Apim-Subscription-Key': 'bogus' }),
  },
  { name: 'no operation', outcome: 'notFound', fixture: 'not-found', scenario: () => loadScenario('healthy-key'), send: (sb) => initialize(sb, {}, `${sb.endpoints.gateway}/nothing/mcp`) },
  { name: 'rate limit', outcome: 'rateLimited', fixture: 'rate-limited', scenario: () => loadScenario('rate-limited'), send: withClient },
  { name: 'quota', outcome: 'quotaExceeded', fixture: 'quota-exceeded', scenario: () => loadScenario('quota-exceeded'), send: withClient },
  { name: 'ip-filter', outcome: 'ipForbidden', fixture: 'ip-forbidden', scenario: () => loadScenario('ip-forbidden'), send: withClient },
  { name: 'validate-jwt, token expired two minutes ago (expiresInSeconds: -120)', outcome: 'tokenExpired', fixture: 'jwt-invalid', scenario: entraVariant({}, { expiresInSeconds: -120 }), send: withClient },
  { name: 'validate-jwt, no token', outcome: 'tokenMissing', fixture: 'jwt-not-present', scenario: entraVariant({}, {}), send: (sb) => initialize(sb) },
  { name: 'validate-azure-ad-token', outcome: 'tokenExpired', fixture: 'aad-jwt-invalid', scenario: entraVariant({ policy: 'validate-azure-ad-token' }, { expiresInSeconds: -120 }), send: withClient },
  { name: '15.b failed-validation-httpcode 403', outcome: 'tokenExpired', fixture: 'jwt-invalid-403', scenario: entraVariant({ failedValidationHttpCode: 403 }, { expiresInSeconds: -120 }), send: withClient },
  { name: '15.3 backend down', outcome: 'backendConnectionFailure', fixture: 'internal-server-error', scenario: () => extendScenario('healthy-key', { gateway: { faults: { backendDown: true } } }), send: withClient },
  {
    name: '15.3 backend slower than the forward-request timeout', outcome: 'backendTimeout',
    fixture: 'internal-server-error',
    scenario: () => extendScenario('healthy-key', { gateway: { forwardRequestTimeoutSeconds: 0.3, faults: { slowBackend: { delayMs: 2000 } } } }),
    send: withClient,
  },
  { name: '15.3 policy expression error', outcome: 'expressionError', fixture: 'internal-server-error', scenario: () => loadScenario('expression-error'), send: (sb) => withClient(sb, toolsCallBody('listProducts')) },
  {
    name: '15.6 on-error rewrites a missing key into a Bearer challenge', outcome: 'keyMissing',
    fixture: 'on-error-bearer-rewrite',
    scenario: () => extendScenario('key-missing', { gateway: { onErrorRewrite401: { wwwAuthenticate: 'Bearer error="invalid_token", resource_metadata="{mcpUrl}/.well-known/oauth-protected-resource"', body: { error: 'unauthorized', message: 'A valid access token is needed', resource_metadata: '{mcpUrl}/.well-known/oauth-protected-resource' } } } }),
    send: (sb) => initialize(sb),
  },
  { name: 'a proxy in front answers with HTML', outcome: 'frontProxy', fixture: 'proxy-html', scenario: () => extendScenario('healthy-key', { gateway: { frontProxy: {} } }), send: withClient },
];

for (const c of cases) {
  test(`the sandbox answers like the real gateway: ${c.name} (fixture ${c.fixture})`, async () => {
    const real = realApim(c.fixture);
    const sb = await startSandbox(c.scenario());
    try {
      const started = Date.now();
      const got = await c.send(sb);
      const record = sb.requests().find((r) => r.status === got.status);
      assert.equal(record?.outcome, c.outcome, JSON.stringify(sb.requests()));
      if (c.outcome === 'backendTimeout') assert.ok(Date.now() - started >= 300, 'the 500 came before the forward-request timeout');
      if (c.outcome === 'tokenExpired' && c.name.includes('-120')) assert.match(record?.detail ?? '', /The token is expired/);
      const swap = (text: string) => text.split(sb.endpoints.gateway).join(REAL_GATEWAY.origin).replace(UUID, '<uuid>');
      assert.equal(got.status, real.status);
      if (real.statusText) assert.equal(got.statusText, real.statusText);
      assert.equal(swap(got.text), real.body.replace(UUID, '<uuid>'));
      for (const [name, value] of Object.entries(real.headers)) {
        assert.equal(swap(String(got.headers[name] ?? '')), name === 'content-length' ? String(Buffer.byteLength(real.body)) : value, name);
      }
      if (!real.headers['www-authenticate']) assert.equal(got.headers['www-authenticate'], undefined, 'a WWW-Authenticate the real gateway does not send');
    } finally {
      await sb.stop();
    }
  });
}
