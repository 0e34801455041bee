import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseWwwAuthenticate, readChallenges } from '../../../src/core/probe/wwwAuthenticate';
import { FUZZ_RUNS } from '../fuzzRuns';

const cases: { name: string; header: string; expect: { scheme: string; params?: Record<string, string>; token68?: string }[] }[] = [
  {
    name: 'APIM key challenge (KB 4464930)',
    header: 'AzureApiManagementKey realm="https://pratyay.azure-api.net/echo",name="Ocp-Apim-Subscription-Key",type="header"',
    expect: [{ scheme: 'AzureApiManagementKey', params: { realm: 'https://pratyay.azure-api.net/echo', name: 'Ocp-Apim-Subscription-Key', type: 'header' } }],
  },
  {
    name: 'Bearer with resource_metadata (PRM samples)',
    header: 'Bearer error="invalid_token", resource_metadata="https://apim.azure-api.net/mcp/.well-known/oauth-protected-resource"',
    expect: [{ scheme: 'Bearer', params: { error: 'invalid_token', resource_metadata: 'https://apim.azure-api.net/mcp/.well-known/oauth-protected-resource' } }],
  },
  {
    name: 'two challenges in one header',
    header: 'Bearer realm="example", scope="a b", AzureApiManagementKey name="X-Api-Key"',
    expect: [
      { scheme: 'Bearer', params: { realm: 'example', scope: 'a b' } },
      { scheme: 'AzureApiManagementKey', params: { name: 'X-Api-Key' } },
    ],
  },
  { name: 'unquoted values and odd spacing', header: 'Bearer   error=invalid_token ,  realm = api', expect: [{ scheme: 'Bearer', params: { error: 'invalid_token', realm: 'api' } }] },
  { name: 'escaped quote inside a quoted string', header: 'Bearer error_description="say \\"hi\\", ok"', expect: [{ scheme: 'Bearer', params: { error_description: 'say "hi", ok' } }] },
  { name: 'unterminated quote keeps the rest', header: 'Bearer realm="open', expect: [{ scheme: 'Bearer', params: { realm: 'open' } }] },
  { name: 'token68', header: 'Negotiate abc123==', expect: [{ scheme: 'Negotiate', token68: 'abc123==' }] },
  { name: 'bare scheme', header: 'Bearer', expect: [{ scheme: 'Bearer', params: {} }] },
  { name: 'parameter names are case-insensitive, first wins', header: 'Bearer Resource_Metadata="a", resource_metadata="b"', expect: [{ scheme: 'Bearer', params: { resource_metadata: 'a' } }] },
  { name: 'empty', header: '', expect: [] },
];

for (const c of cases) {
  test(`WWW-Authenticate: ${c.name}`, () => {
    const parsed = parseWwwAuthenticate(c.header);
    assert.equal(parsed.length, c.expect.length, JSON.stringify(parsed));
    c.expect.forEach((e, i) => {
      assert.equal(parsed[i]!.scheme, e.scheme);
      if (e.params) assert.deepEqual({ ...parsed[i]!.params }, e.params);
      if (e.token68) assert.equal(parsed[i]!.token68, e.token68);
    });
  });
}

test('readChallenges names the Bearer and APIM key parts', () => {
  const r = readChallenges('AzureApiManagementKey realm="r",name="X-Partner-Token",type="header", Bearer resource_metadata="https://h/p"');
  assert.equal(r.apimKey?.name, 'X-Partner-Token');
  assert.equal(r.bearer?.resourceMetadata, 'https://h/p');
  assert.equal(readChallenges(null).bearer, undefined);
});

test('the parser never throws and always returns well-formed challenges (fuzzed)', () => {
  const alphabet = fc.constantFrom('B', 'e', 'a', 'r', ' ', ',', '=', '"', '\\', 'x', '/', '\t', 'é', '\u0000', '=', 'name', 'realm');
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(alphabet, { maxLength: 80 }).map((a) => a.join(''))), (header) => {
      const parsed = parseWwwAuthenticate(header);
      assert.ok(Array.isArray(parsed));
      for (const c of parsed) {
        assert.equal(typeof c.scheme, 'string');
        for (const [k, v] of Object.entries(c.params)) {
          assert.equal(k, k.toLowerCase());
          assert.equal(typeof v, 'string');
        }
      }
      readChallenges(header);
    }),
    { numRuns: FUZZ_RUNS },
  );
});
