import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerList, parseServerRecord, parseServerUrl } from '../../../src/core/serverRecord';

describe('parseServerUrl', () => {
  const cases: [string, boolean, RegExp?][] = [
    ['https://contoso.azure-api.net/products/mcp', true],
    ['http://127.0.0.1:8080/products/mcp', true],
    ['http://localhost:3000/mcp', true],
    ['http://[::1]:3000/mcp', true],
    ['http://contoso.azure-api.net/products/mcp', false, /http is only allowed for loopback/],
    ['ftp://contoso.azure-api.net/mcp', false, /must start with https/],
    ['not a url', false, /not a valid URL/],
    ['https://user:pw@contoso.azure-api.net/mcp', false, /user name or password/],
  ];
  for (const [raw, ok, error] of cases) {
    it(`${ok ? 'accepts' : 'rejects'} ${raw}`, () => {
      const result = parseServerUrl(raw);
      assert.equal(result.ok, ok);
      if (!result.ok && error) assert.match(result.error, error);
    });
  }
});

describe('parseServerRecord', () => {
  it('refuses names with control characters or "/" (issue 16: the schema pattern never did), and keeps ordinary ones', () => {
    for (const name of ['Prod', 'api1', 'Contoso Orders (prod)']) assert.ok(parseServerRecord({ name, url: 'https://contoso.azure-api.net/mcp' }).ok, name);
    for (const name of ['a\u001b[2Jb', 'line\nbreak', 'nul\u0000', 'csi\u009b', 'a/b']) {
      const result = parseServerRecord({ name, url: 'https://contoso.azure-api.net/mcp' });
      assert.equal(result.ok, false, JSON.stringify(name));
      assert.match(result.ok ? '' : result.error, /cannot contain "\/" or control characters/);
      assert.ok(result.ok || !/[\u0000-\u001f\u009b]/.test(result.error), 'the error shows the name escaped');
    }
  });

  it('normalises a minimal entry with defaults', () => {
    const result = parseServerRecord({ name: ' Products ', url: 'https://contoso.azure-api.net/products/mcp' });
    assert.deepEqual(result, {
      ok: true,
      value: {
        name: 'Products',
        url: 'https://contoso.azure-api.net/products/mcp',
        origin: 'https://contoso.azure-api.net',
        auth: 'subscriptionKey',
        keyHeaderName: 'Ocp-Apim-Subscription-Key',
        tenant: undefined,
        scopes: [],
        clientId: undefined,
      },
    });
  });

  const invalid: [unknown, RegExp][] = [
    [null, /must be an object/],
    [{ url: 'https://a.example/mcp' }, /needs a "name"/],
    [{ name: 'a' }, /needs a "url"/],
    [{ name: 'a', url: 'https://a.example/mcp', auth: 'basic' }, /"auth" must be one of/],
    [{ name: 'a', url: 'https://a.example/mcp', keyHeaderName: 'bad header' }, /not a valid HTTP header name/],
    [{ name: 'a', url: 'https://a.example/mcp', clientId: 'nope' }, /must be a GUID/],
    [{ name: 'a', url: 'https://a.example/mcp', scopes: [1] }, /list of strings/],
  ];
  for (const [raw, error] of invalid) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      const result = parseServerRecord(raw);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, error);
    });
  }
});

describe('parseServerList', () => {
  it('keeps the first of duplicate names and reports the rest and invalid entries', () => {
    const list = parseServerList([
      { name: 'A', url: 'https://a.example/mcp' },
      { name: 'a', url: 'https://b.example/mcp' },
      { name: 'B', url: 'http://b.example/mcp' },
    ]);
    assert.deepEqual(list.servers.map((s) => s.url), ['https://a.example/mcp']);
    assert.equal(list.problems.length, 2);
    assert.match(list.problems[0], /listed more than once/);
    assert.match(list.problems[1], /http is only allowed for loopback/);
  });

  it('treats a missing setting as empty and a non-list as a problem', () => {
    assert.deepEqual(parseServerList(undefined), { servers: [], problems: [] });
    assert.deepEqual(parseServerList({}).problems, ['"apimMcp.servers" must be a list.']);
  });
});
