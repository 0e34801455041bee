import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRANTS_KEY, grantId, HOLDERS_KEY, isPreapprovedOrigin, TokenGrants, type GrantMemento } from '../../../src/auth/tokenGrants';

/** Global state as VS Code keeps it: values go through JSON. */
function memento(initial: Record<string, unknown> = {}): GrantMemento & { raw: Record<string, unknown> } {
  const raw: Record<string, unknown> = JSON.parse(JSON.stringify(initial)) as Record<string, unknown>;
  return {
    raw,
    get: <T>(key: string) => raw[key] as T | undefined,
    update: async (key: string, value: unknown) => {
      raw[key] = JSON.parse(JSON.stringify(value)) as unknown;
    },
  };
}

const API = { scopes: ['api://products/.default'], tenant: 'contoso.onmicrosoft.com' };

describe('token grants: one yes per origin and token target (issue 16, item 2)', () => {
  it('a grant covers its origin however the URL is written, and nothing else', async () => {
    const grants = new TokenGrants(memento());
    assert.equal(grants.has('https://contoso.azure-api.net', API), false);
    await grants.add('https://Contoso.azure-api.net:443/products/mcp', API);
    assert.equal(grants.has('https://contoso.azure-api.net', API), true);
    assert.equal(grants.has('https://contoso.azure-api.net/other/mcp', API), true, 'an origin, not a path');
    for (const other of ['https://evil.example', 'http://contoso.azure-api.net', 'https://contoso.azure-api.net:8443', 'https://contoso.azure-api.net.evil.example']) {
      assert.equal(grants.has(other, API), false, other);
    }
  });

  it('another scope, tenant or client at the same origin asks again; scope order and case of tenant and client do not', async () => {
    const grants = new TokenGrants(memento());
    await grants.add('https://gw.example', { scopes: ['api://a/x', 'api://a/y'], tenant: 'T1', clientId: 'C1' });
    assert.equal(grants.has('https://gw.example', { scopes: ['api://a/y', 'api://a/x'], tenant: 't1', clientId: 'c1' }), true);
    assert.equal(grants.has('https://gw.example', { scopes: ['api://a/x'], tenant: 'T1', clientId: 'C1' }), false);
    assert.equal(grants.has('https://gw.example', { scopes: ['https://management.azure.com/.default', 'api://a/x', 'api://a/y'], tenant: 'T1', clientId: 'C1' }), false);
    assert.equal(grants.has('https://gw.example', { scopes: ['api://a/x', 'api://a/y'], tenant: 'T2', clientId: 'C1' }), false);
    assert.equal(grants.has('https://gw.example', { scopes: ['api://a/x', 'api://a/y'], tenant: 'T1' }), false);
  });

  it('kept as plain JSON strings in global state, never a token; removing one asks again; junk in the state is ignored', async () => {
    const state = memento({ [GRANTS_KEY]: [42, { x: 1 }, 'not a grant'] });
    const grants = new TokenGrants(state);
    await grants.add('https://gw.example', API);
    await grants.add('https://gw.example', API);
    assert.deepEqual(state.raw[GRANTS_KEY], ['not a grant', grantId('https://gw.example', API)]);
    assert.deepEqual(JSON.parse(grantId('https://gw.example', API)), ['https://gw.example', JSON.stringify([['api://products/.default'], 'contoso.onmicrosoft.com', ''])]);
    await grants.remove('https://gw.example', API);
    assert.equal(grants.has('https://gw.example', API), false);
    assert.equal(new TokenGrants(memento({ [GRANTS_KEY]: 'garbage' })).has('https://gw.example', API), false);
  });

  it('a server\'s grants are taken back with it, wherever its URL pointed; another server\'s grant stays', async () => {
    const state = memento();
    const grants = new TokenGrants(state);
    await grants.add('https://old.example', API, 'Products');
    await grants.add('https://gw.example', API, 'PRODUCTS');
    await grants.add('https://other.example', API, 'Orders');
    assert.deepEqual(state.raw[HOLDERS_KEY], { [grantId('https://old.example', API)]: ['products'], [grantId('https://gw.example', API)]: ['products'], [grantId('https://other.example', API)]: ['orders'] });
    assert.equal(await grants.removeHolder('products'), 2);
    assert.equal(grants.has('https://old.example', API), false);
    assert.equal(grants.has('https://gw.example', API), false);
    assert.equal(grants.has('https://other.example', API), true);
    assert.deepEqual(Object.keys(state.raw[HOLDERS_KEY] as object), [grantId('https://other.example', API)]);
    assert.equal(await grants.removeHolder('products'), 0, 'nothing left to take back');
  });

  it('a grant shared by two servers goes with either; a grant of an earlier version (no holder) goes by the current origin', async () => {
    const grants = new TokenGrants(memento());
    await grants.add('https://gw.example', API, 'A');
    await grants.add('https://gw.example', API, 'B');
    assert.equal(await grants.removeHolder('b'), 1);
    assert.equal(grants.has('https://gw.example', API), false, 'A asks again too: the yes was for the origin and scopes');
    const older = new TokenGrants(memento({ [GRANTS_KEY]: [grantId('https://gw.example', API)] }));
    assert.equal(await older.removeHolder('A'), 0);
    assert.equal(older.has('https://gw.example', API), true);
    assert.equal(await older.removeHolder('A', { origin: 'https://GW.example/mcp', target: API }), 1);
    assert.equal(older.has('https://gw.example', API), false);
  });

  it('holders of dropped grants are dropped too, and junk in the holders state is ignored', async () => {
    const state = memento({ [HOLDERS_KEY]: { x: 'not a list', y: [1, 'b'] } });
    const grants = new TokenGrants(state);
    for (let i = 0; i < 502; i++) await grants.add(`https://gw${i}.example`, API, `s${i}`);
    const holders = state.raw[HOLDERS_KEY] as Record<string, string[]>;
    assert.equal(Object.keys(holders).length, 500);
    assert.equal(holders[grantId('https://gw0.example', API)], undefined);
    assert.deepEqual(holders[grantId('https://gw501.example', API)], ['s501']);
    assert.equal(new TokenGrants(memento({ [HOLDERS_KEY]: ['junk'] })).has('https://gw.example', API), false);
    assert.equal(await new TokenGrants(memento({ [HOLDERS_KEY]: 'junk' })).removeHolder('a'), 0);
  });

  it('keeps the newest 500 grants', async () => {
    const state = memento();
    const grants = new TokenGrants(state);
    for (let i = 0; i < 505; i++) await grants.add(`https://gw${i}.example`, API);
    assert.equal((state.raw[GRANTS_KEY] as string[]).length, 500);
    assert.equal(grants.has('https://gw4.example', API), false);
    assert.equal(grants.has('https://gw5.example', API), true);
    assert.equal(grants.has('https://gw504.example', API), true);
  });
});

describe('isPreapprovedOrigin: the user-settings list of origins that need no question', () => {
  it('matches whole origins only, and ignores entries that are not http(s) origins', () => {
    const list = ['https://contoso.azure-api.net/', ' https://other.example:8443 ', 'contoso.azure-api.net', 'file:///etc', 7, null];
    assert.equal(isPreapprovedOrigin('https://contoso.azure-api.net', list), true);
    assert.equal(isPreapprovedOrigin('https://CONTOSO.azure-api.net:443/x/mcp', list), true);
    assert.equal(isPreapprovedOrigin('https://other.example:8443', list), true);
    assert.equal(isPreapprovedOrigin('https://other.example', list), false);
    assert.equal(isPreapprovedOrigin('http://contoso.azure-api.net', list), false);
    assert.equal(isPreapprovedOrigin('https://contoso.azure-api.net.evil.example', list), false);
    assert.equal(isPreapprovedOrigin('https://contoso.azure-api.net', []), false);
  });
});
