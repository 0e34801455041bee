import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entraTargetOf, isExpired, refreshDelayMs, targetKey, tokenExpiry, vscodeScopes } from '../../../src/auth/entraTarget';
import { SerialQueue } from '../../../src/auth/serialQueue';
import { Secret } from '../../../src/core/secret';
import { parseServerRecord, type ServerRecord } from '../../../src/core/serverRecord';

function server(fields: Record<string, unknown>): ServerRecord {
  const parsed = parseServerRecord({ name: 's', url: 'https://contoso.azure-api.net/p/mcp', auth: 'entra', ...fields });
  assert.ok(parsed.ok);
  return parsed.value;
}

describe('entraTargetOf / vscodeScopes', () => {
  const cases: { fields: Record<string, unknown>; scopes?: string[]; error?: RegExp }[] = [
    { fields: { scopes: ['api://a/.default'] }, scopes: ['api://a/.default'] },
    { fields: { scopes: ['api://a/.default'], tenant: 'contoso.onmicrosoft.com' }, scopes: ['api://a/.default', 'VSCODE_TENANT:contoso.onmicrosoft.com'] },
    {
      fields: { scopes: ['api://a/x'], tenant: 't', clientId: '0b1c2d3e-1111-4222-8333-444455556666' },
      scopes: ['api://a/x', 'VSCODE_TENANT:t', 'VSCODE_CLIENT_ID:0b1c2d3e-1111-4222-8333-444455556666'],
    },
    // Pseudo-scopes typed into the setting are dropped: the tenant and client come from their own fields.
    { fields: { scopes: ['VSCODE_TENANT:evil', 'api://a/x'] }, scopes: ['api://a/x'] },
    { fields: { scopes: [] }, error: /has no "scopes"/ },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.fields), () => {
      const result = entraTargetOf(server(c.fields));
      if (c.error) {
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.error, c.error);
      } else {
        assert.ok(result.ok);
        assert.deepEqual(vscodeScopes(result.target), c.scopes);
      }
    });
  }

  it('keys targets regardless of scope order and case of tenant', () => {
    assert.equal(targetKey({ scopes: ['b', 'a'], tenant: 'T' }), targetKey({ scopes: ['a', 'b'], tenant: 't' }));
    assert.notEqual(targetKey({ scopes: ['a'] }), targetKey({ scopes: ['a'], clientId: 'c' }));
  });
});

describe('refreshDelayMs', () => {
  const now = 1_000_000;
  const table: [string, number, number][] = [
    ['a 60 s token renews after 48 s', 60_000, 48_000],
    ['a 75 min token renews 5 min before expiry', 75 * 60_000, 70 * 60_000],
    ['a token with 10 s left renews after 5 s', 10_000, 5_000],
    ['an expired token renews after 1 s, not in a busy loop', -5_000, 1_000],
  ];
  for (const [title, remaining, expected] of table) it(title, () => assert.equal(refreshDelayMs(now + remaining, now), expected));

  it('isExpired uses a small skew', () => {
    assert.equal(isExpired(now + 4_000, now), true);
    assert.equal(isExpired(now + 60_000, now), false);
  });
});

describe('tokenExpiry', () => {
  it('reads exp from a JWT and guesses 30 minutes for opaque tokens', () => {
    const jwt = ['e30', Buffer.from(JSON.stringify({ exp: 2_000_000 })).toString('base64url'), 'sig'].join('.');
    assert.equal(tokenExpiry(Secret.of(jwt)), 2_000_000_000);
    assert.equal(tokenExpiry(Secret.of('opaque'), 0), 30 * 60_000);
  });
});

describe('SerialQueue', () => {
  it('runs jobs one at a time, in order, and survives a failing job', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const job = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([queue.run(job('a')), queue.run(job('b', true)), queue.run(job('c'))]);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });
});
