import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyGatewayResponse, type GatewayOutcome } from '../../../src/core/apim/gatewayResponse';
import { asGatewayResponse, realApim, type RealApimName } from '../../fixtures/real';

function response(status: number, body: string, headers: Record<string, string> = {}) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, bodyText: body, header: (name: string) => lower[name.toLowerCase()] ?? null };
}

const apim = (statusCode: number, message: string) => JSON.stringify({ statusCode, message });

describe('classifyGatewayResponse', () => {
  const cases: [string, ReturnType<typeof response>, GatewayOutcome][] = [
    ['200', response(200, '{}'), { kind: 'ok' }],
    [
      'missing key with a custom header name in the challenge',
      response(401, apim(401, 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.'), {
        'WWW-Authenticate': 'AzureApiManagementKey realm="https://contoso.azure-api.net/products",name="X-Api-Key",type="header"',
      }),
      { kind: 'keyMissing', headerName: 'X-Api-Key' },
    ],
    ['invalid key', response(401, apim(401, 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.')), { kind: 'keyInvalid' }],
    [
      'bearer challenge with resource_metadata',
      response(401, apim(401, 'Unauthorized'), { 'www-authenticate': 'Bearer error="invalid_token", resource_metadata="https://c.azure-api.net/p/.well-known/oauth-protected-resource"' }),
      { kind: 'bearerChallenge', resourceMetadata: 'https://c.azure-api.net/p/.well-known/oauth-protected-resource' },
    ],
    ['JWT not present', response(401, apim(401, 'JWT not present.')), { kind: 'tokenMissing' }],
    ['Invalid Azure AD JWT', response(401, apim(401, 'Invalid Azure AD JWT')), { kind: 'tokenRejected' }],
    ['unknown 401 text', response(401, 'nope'), { kind: 'unrecognised' }],
    ['403', response(403, apim(403, 'Forbidden')), { kind: 'forbidden' }],
    ['404', response(404, apim(404, 'Resource not found')), { kind: 'notFound' }],
    ['429 with Retry-After', response(429, apim(429, 'Rate limit is exceeded. Try again in 57 seconds.'), { 'Retry-After': '57' }), { kind: 'rateLimited', retryAfterSeconds: 57 }],
    ['500', response(500, 'oops'), { kind: 'serverError' }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(classifyGatewayResponse(input), expected));
  }
});

describe('classifyGatewayResponse on real APIM answers (test/fixtures/real)', () => {
  it('15.2 an invalid key is invalid even though APIM sends its key challenge with it', () => {
    const real = realApim('key-invalid');
    assert.match(real.headers['www-authenticate'] ?? '', /^AzureApiManagementKey /);
    assert.deepEqual(classifyGatewayResponse(asGatewayResponse(real), { sentHeaders: ['Ocp-Apim-Subscription-Key'] }), { kind: 'keyInvalid' });
    assert.deepEqual(classifyGatewayResponse(asGatewayResponse(real)), { kind: 'keyInvalid' });
  });

  it('15.2 a missing key is missing, with the header the challenge names', () => {
    assert.deepEqual(classifyGatewayResponse(asGatewayResponse(realApim('key-missing'))), { kind: 'keyMissing', headerName: 'Ocp-Apim-Subscription-Key' });
  });

  it('15.2 a key sent in the advertised header but answered "missing" was not recognised, not absent', () => {
    const real = realApim('key-malformed');
    assert.deepEqual(classifyGatewayResponse(asGatewayResponse(real), { sentHeaders: ['ocp-apim-subscription-key'] }), {
      kind: 'keyNotRecognised',
      headerName: 'Ocp-Apim-Subscription-Key',
    });
  });

  it('15.2 a key sent in another header than the advertised one is still a missing key (wrong header)', () => {
    assert.deepEqual(classifyGatewayResponse(asGatewayResponse(realApim('key-missing')), { sentHeaders: ['X-Api-Key'] }), {
      kind: 'keyMissing',
      headerName: 'Ocp-Apim-Subscription-Key',
    });
  });

  it('15.b a token rejection answered with 403 (failed-validation-httpcode="403") is a token rejection', () => {
    assert.deepEqual(classifyGatewayResponse(asGatewayResponse(realApim('jwt-invalid-403'))), { kind: 'tokenRejected' });
  });

  const plain: [RealApimName, GatewayOutcome][] = [
    ['not-found', { kind: 'notFound' }],
    ['rate-limited', { kind: 'rateLimited', retryAfterSeconds: 57 }],
    ['quota-exceeded', { kind: 'forbidden' }],
    ['ip-forbidden', { kind: 'forbidden' }],
    ['jwt-invalid', { kind: 'tokenRejected' }],
    ['jwt-not-present', { kind: 'tokenMissing' }],
    ['aad-jwt-invalid', { kind: 'tokenRejected' }],
    ['internal-server-error', { kind: 'serverError' }],
    ['on-error-bearer-rewrite', { kind: 'bearerChallenge', resourceMetadata: 'https://contoso-apim.azure-api.net/products/mcp/.well-known/oauth-protected-resource' }],
  ];
  for (const [name, expected] of plain) {
    it(`${name}`, () => assert.deepEqual(classifyGatewayResponse(asGatewayResponse(realApim(name))), expected));
  }
});
