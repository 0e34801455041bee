import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { detectAuth } from '../../../src/core/probe/detectAuth';
import { startSandbox, type Sandbox } from '../../sandbox/index';

describe('detectAuth: one unauthenticated initialize tells the wizard what the server wants', () => {
  const sandboxes: Sandbox[] = [];
  const start = async (scenario: string) => {
    const sandbox = await startSandbox(scenario);
    sandboxes.push(sandbox);
    return sandbox;
  };
  after(async () => {
    await Promise.all(sandboxes.map((s) => s.stop()));
  });

  test('APIM key challenge: subscription key with the default header, one request, no secret', async () => {
    const sandbox = await start('healthy-key');
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000 });
    assert.equal(found.reached, true);
    if (!found.reached) return;
    assert.equal(found.status, 401);
    assert.equal(found.suggestedAuth, 'subscriptionKey');
    assert.deepEqual(found.keyChallenge, { headerName: 'Ocp-Apim-Subscription-Key' });
    assert.equal(found.prm, undefined);
    const mcp = sandbox.requests().filter((r) => r.path.endsWith('/mcp'));
    assert.deepEqual(mcp.map((r) => [r.jsonrpcMethod, r.keyStatus]), [['initialize', 'absent']]);
  });

  test('a renamed key header is read from name="…"', async () => {
    const sandbox = await start('key-custom-header');
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000 });
    assert.ok(found.reached);
    assert.equal(found.keyChallenge?.headerName, 'X-Api-Key');
  });

  test('Bearer + resource_metadata: PRM gives tenant, scopes and a matching resource', async () => {
    const sandbox = await start('healthy-entra');
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000 });
    assert.ok(found.reached);
    assert.equal(found.suggestedAuth, 'entra');
    assert.equal(found.keyChallenge, undefined);
    assert.ok(found.bearer?.resourceMetadata);
    assert.equal(found.prm?.tenant, sandbox.endpoints.tenantId);
    assert.equal(found.prm?.resourceMatches, true);
    assert.ok((found.prm?.scopes.length ?? 0) > 0);
    assert.match(found.prm!.scopes[0]!, /user_impersonate$/);
  });

  test('PRM whose resource differs from the URL is reported as not matching', async () => {
    const sandbox = await start('prm-resource-mismatch');
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000 });
    assert.ok(found.reached);
    assert.equal(found.prm?.resourceMatches, false);
  });

  test('15.5 a trailing slash in the PRM resource does not match: VS Code refuses it, so the wizard must not write it as valid', async () => {
    const sandbox = await start('prm-resource-trailing-slash');
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000 });
    assert.ok(found.reached);
    assert.equal(found.prm?.resource, `${sandbox.endpoints.mcpUrl}/`);
    assert.equal(found.prm?.resourceMatches, false);
  });

  test('15.5 the challenge names resource_metadata: only that URL is fetched, no well-known fallback', async () => {
    const sandbox = await start('prm-challenge-elsewhere');
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000 });
    assert.ok(found.reached);
    assert.equal(found.prm, undefined, 'a document at the well-known path was used although the challenge named another URL');
    assert.ok(found.prmProblem);
    const prmRequests = sandbox.requests().filter((r) => r.path.includes('protected-resource'));
    assert.deepEqual(prmRequests.map((r) => r.path), ['/products/oauth/protected-resource']);
  });

  test('an unreachable server is reported, not thrown', async () => {
    const found = await detectAuth(fetch, 'http://127.0.0.1:9/mcp', { timeoutMs: 2000 });
    assert.equal(found.reached, false);
  });

  test('a cancelled detection ends at once', async () => {
    const sandbox = await start('healthy-key');
    const controller = new AbortController();
    controller.abort();
    const found = await detectAuth(fetch, sandbox.endpoints.mcpUrl, { timeoutMs: 5000, signal: controller.signal });
    assert.equal(found.reached, false);
  });
});
