import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { Secret } from '../../../src/core/secret';
import {
  clientSecretSecretId,
  decodeBoundSecret,
  decodeClientSecret,
  encodeBoundSecret,
  encodeClientSecret,
  isOwnSecretId,
  legacyEntraSecretIds,
  msalCacheSecretId,
  secretIdsForServer,
  subscriptionKeySecretId,
} from '../../../src/core/secrets/secretBinding';
import { ENV_VAR_NAME, envReference, keyEnvVarName, parseEnvReference, terminalEnvironment, terminalKeyBindings, tokenEnvVarName } from '../../../src/core/secrets/envVars';

import { FUZZ_RUNS as RUNS } from '../fuzzRuns';
const CANARY = 'canary-0f3a9c1e5b7d4a2f';
const origin = fc
  .tuple(fc.constantFrom('https', 'http'), fc.constantFrom('contoso.azure-api.net', 'CONTOSO.azure-api.net', 'contoso2.azure-api.net', 'localhost'), fc.constantFrom('', ':443', ':80', ':8443'), fc.webPath())
  .map(([scheme, host, port, p]) => `${scheme}://${host}${port}${p}`);

describe('bound subscription keys', () => {
  const stored = encodeBoundSecret('https://contoso.azure-api.net/weather/mcp', Secret.of(CANARY));

  const lookups: [string, string, string][] = [
    ['same origin', 'https://contoso.azure-api.net', 'found'],
    ['same origin, other path', 'https://contoso.azure-api.net/other/mcp', 'found'],
    ['same origin, explicit default port and case', 'https://CONTOSO.azure-api.net:443/x', 'found'],
    ['other host', 'https://evil.example', 'originMismatch'],
    ['other scheme', 'http://contoso.azure-api.net', 'originMismatch'],
    ['other port', 'https://contoso.azure-api.net:8443', 'originMismatch'],
    ['sibling APIM service', 'https://contoso2.azure-api.net', 'originMismatch'],
  ];
  for (const [label, origin, kind] of lookups) {
    it(`${label}: ${kind}`, () => {
      const result = decodeBoundSecret(stored, origin);
      assert.equal(result.kind, kind);
      if (result.kind === 'found') assert.equal(result.secret.reveal(), CANARY);
      else assert.ok(!JSON.stringify(result).includes(CANARY), 'a mismatch never carries the key');
    });
  }

  const broken: [string, string | undefined, string][] = [
    ['nothing stored', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['plain key from an older version', CANARY, 'corrupt'],
    ['wrong shape', '{"origin":"https://contoso.azure-api.net","value":1}', 'corrupt'],
    ['empty value', '{"v":1,"boundTo":"https://contoso.azure-api.net","value":""}', 'corrupt'],
  ];
  for (const [label, raw, kind] of broken) {
    it(`${label}: ${kind}`, () => assert.equal(decodeBoundSecret(raw, 'https://contoso.azure-api.net').kind, kind));
  }

  it('a found secret does not print', () => {
    const result = decodeBoundSecret(stored, 'https://contoso.azure-api.net');
    assert.equal(result.kind, 'found');
    const text = `${JSON.stringify(result)} ${inspect(result)} ${String(result.kind === 'found' ? result.secret : '')}`;
    assert.ok(!text.includes(CANARY), text);
  });

  it('round-trips any value, and only to its own origin (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), origin, origin, (value, a, b) => {
        const s = encodeBoundSecret(a, Secret.of(value));
        const same = decodeBoundSecret(s, a);
        assert.equal(same.kind, 'found');
        assert.equal(same.kind === 'found' && same.secret.reveal(), value);
        const other = decodeBoundSecret(s, b);
        assert.equal(other.kind, new URL(a).origin === new URL(b).origin ? 'found' : 'originMismatch');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('secret ids', () => {
  it('are per server name, case-insensitive, and safe for any name', () => {
    assert.equal(subscriptionKeySecretId('Weather'), 'apimMcp.subscriptionKey/weather');
    assert.equal(subscriptionKeySecretId('weather'), subscriptionKeySecretId(' WEATHER '));
    assert.equal(subscriptionKeySecretId('a/b c'), 'apimMcp.subscriptionKey/a%2Fb%20c');
    assert.notEqual(subscriptionKeySecretId('a/b'), subscriptionKeySecretId('a_b'));
  });
  it('16.10: client secrets and token caches are per server, not per client id', () => {
    assert.equal(clientSecretSecretId(' Products '), 'apimMcp.clientSecret/products');
    assert.equal(msalCacheSecretId('Products', 'user'), 'apimMcp.msalCache/products/user');
    assert.equal(msalCacheSecretId('a/b', 'app'), 'apimMcp.msalCache/a%2Fb/app');
    assert.notEqual(clientSecretSecretId('a'), clientSecretSecretId('b'));
  });
  it('16.10: every id of a server is listed for Remove Server and Forget Secrets, and recognised as ours', () => {
    const ids = secretIdsForServer('W');
    assert.deepEqual(ids, ['apimMcp.subscriptionKey/w', 'apimMcp.clientSecret/w', 'apimMcp.msalCache/w/user', 'apimMcp.msalCache/w/app']);
    const legacy = legacyEntraSecretIds('AAAA-Client', { user: 'https://login.example/organizations', app: 'https://login.example/t' });
    assert.deepEqual(legacy, [
      'apimMcp.entra.clientSecret/aaaa-client',
      'apimMcp.msalCache/https://login.example/organizations/AAAA-Client/user',
      'apimMcp.msalCache/https://login.example/t/AAAA-Client/app',
    ]);
    assert.ok(ids.every(isOwnSecretId));
    assert.equal(isOwnSecretId('other.extension/key'), false);
  });
});

describe('16.10 bound client secrets', () => {
  const binding = { serverOrigin: 'https://contoso.azure-api.net/products/mcp', authority: 'https://login.microsoftonline.com' };
  const stored = encodeClientSecret(binding, Secret.of(CANARY));
  const lookups: [string, { serverOrigin: string; authority: string }, string][] = [
    ['same server origin and authority', { serverOrigin: 'https://contoso.azure-api.net/other/mcp', authority: 'https://login.microsoftonline.com/' }, 'found'],
    ['the server now points at another origin', { ...binding, serverOrigin: 'https://evil.example/mcp' }, 'originMismatch'],
    ['the authority setting now names another host', { ...binding, authority: 'https://login.evil.example' }, 'originMismatch'],
    ['plain http to the same authority host', { ...binding, authority: 'http://login.microsoftonline.com' }, 'originMismatch'],
  ];
  for (const [label, requested, kind] of lookups) {
    it(`${label}: ${kind}`, () => {
      const result = decodeClientSecret(stored, requested);
      assert.equal(result.kind, kind);
      if (result.kind === 'found') assert.equal(result.secret.reveal(), CANARY);
      else assert.ok(!JSON.stringify(result).includes(CANARY), 'a mismatch never carries the secret');
    });
  }
  it('an unbound value (an earlier version stored the bare secret) or a key bound to the server only is not released', () => {
    assert.equal(decodeClientSecret(CANARY, binding).kind, 'corrupt');
    const keyShape = encodeBoundSecret(binding.serverOrigin, Secret.of(CANARY));
    const result = decodeClientSecret(keyShape, binding);
    assert.equal(result.kind, 'originMismatch');
    assert.ok(!JSON.stringify(result).includes(CANARY));
  });
});

describe('env var names', () => {
  const cases: [string, string][] = [
    ['weather', 'APIM_MCP_KEY_WEATHER'],
    ['contoso-weather', 'APIM_MCP_KEY_CONTOSO_WEATHER'],
    ['Contoso Weather (prod)', 'APIM_MCP_KEY_CONTOSO_WEATHER_PROD'],
    ['café.api', 'APIM_MCP_KEY_CAFE_API'],
    ['9lives', 'APIM_MCP_KEY_9LIVES'],
    ['日本', 'APIM_MCP_KEY_SERVER'],
  ];
  for (const [name, env] of cases) it(`${name} -> ${env}`, () => assert.equal(keyEnvVarName(name), env));

  it('token variables follow the same rule', () => assert.equal(tokenEnvVarName('contoso-weather'), 'APIM_MCP_TOKEN_CONTOSO_WEATHER'));

  it('are always valid shell names and deterministic (property)', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const env = keyEnvVarName(name);
        assert.match(env, ENV_VAR_NAME);
        assert.equal(env, keyEnvVarName(name));
        assert.equal(parseEnvReference(envReference(env)), env);
      }),
      { numRuns: RUNS },
    );
  });

  const refs: [string, string | undefined][] = [
    ['${APIM_MCP_KEY_X}', 'APIM_MCP_KEY_X'],
    ['${APIM_MCP_KEY_X:-fallback}', 'APIM_MCP_KEY_X'],
    ['$APIM_MCP_KEY_X', 'APIM_MCP_KEY_X'],
    ['Bearer ${TOKEN}', undefined],
    ['${input:apim-mcp-key-x}', undefined],
    ['literal', undefined],
  ];
  for (const [value, env] of refs) it(`parseEnvReference(${value}) = ${env}`, () => assert.equal(parseEnvReference(value), env));

  it('terminal environment: a key is set only when every config using its variable points at the key origin', () => {
    const stored: Record<string, string> = {
      weather: encodeBoundSecret('https://contoso.azure-api.net', Secret.of(CANARY)),
      shared: encodeBoundSecret('https://a.example', Secret.of('k2')),
    };
    const bindings = terminalKeyBindings([
      { name: 'weather', url: 'https://contoso.azure-api.net/weather/mcp', envRefs: ['APIM_MCP_KEY_WEATHER'] },
      { name: 'weather', url: 'https://contoso.azure-api.net/other/mcp', envRefs: ['APIM_MCP_KEY_WEATHER'] },
      // A workspace .mcp.json pointing the same variable name at another host.
      { name: 'shared', url: 'https://a.example/mcp', envRefs: ['APIM_MCP_KEY_SHARED'] },
      { name: 'shared-evil', url: 'https://evil.example/mcp', envRefs: ['APIM_MCP_KEY_SHARED'] },
      { name: 'moved', url: 'https://evil.example/mcp', envRefs: ['APIM_MCP_KEY_MOVED'] },
      { name: 'new', url: 'https://n.example/mcp', envRefs: ['APIM_MCP_KEY_NEW'] },
      { name: 'foreign', url: 'https://f.example/mcp', envRefs: ['GITHUB_TOKEN'] },
      { name: 'broken', url: 'not a url', envRefs: ['APIM_MCP_KEY_BROKEN'] },
    ]);
    stored.moved = encodeBoundSecret('https://contoso.azure-api.net', Secret.of('k3'));
    const result = terminalEnvironment(bindings, (name, origin) => decodeBoundSecret(stored[name], origin));
    assert.deepEqual([...result.env.keys()], ['APIM_MCP_KEY_WEATHER']);
    assert.equal(result.env.get('APIM_MCP_KEY_WEATHER')?.reveal(), CANARY);
    assert.deepEqual(result.withheld, [
      { envVar: 'APIM_MCP_KEY_SHARED', reason: 'conflictingOrigins', origins: ['https://a.example', 'https://evil.example'] },
      { envVar: 'APIM_MCP_KEY_MOVED', reason: 'originMismatch', origins: ['https://evil.example'] },
      { envVar: 'APIM_MCP_KEY_NEW', reason: 'missing', origins: ['https://n.example'] },
    ]);
  });
});
