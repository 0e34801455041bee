import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepMerge, loadScenario, SCENARIOS_DIR } from '../../sandbox/scenario';
import { SCHEMA_PATH, schemaText } from '../../sandbox/gen-schema';
import { startSandbox } from '../../sandbox/index';
import { INIT_BODY, MCP_HEADERS, raw, toolsCallBody } from './helpers';

// ARCHITECTURE.md's ids, plus the ones this sandbox proposes for causes ARCHITECTURE lists without an id.
/** Every documented finding id (the first column of docs/findings.md's tables): a scenario may expect only those. */
const KNOWN_FINDINGS = new Set(
  [...readFileSync(join(__dirname, '..', '..', '..', 'docs', 'findings.md'), 'utf8').matchAll(/^\| `([a-z][a-zA-Z.]+)` \|/gm)].map((m) => m[1]!),
);
const REQUIRED = [
  'healthy-key', 'healthy-entra', 'key-missing', 'key-invalid', 'key-custom-header', 'key-and-token-required', 'token-wrong-audience',
  'token-v1-issuer-rejected', 'token-expired', 'role-missing-for-tool', 'prm-missing', 'prm-resource-mismatch', 'redirect-uri-not-registered',
  'path-not-found', 'rate-limited',
];
const names = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

test('scenario.schema.json is generated from the zod model and up to date', () => {
  assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), schemaText(), 'run: node --import tsx test/sandbox/gen-schema.ts');
});

test('every scenario file is valid, names its findings, and the required set exists', () => {
  for (const r of REQUIRED) assert.ok(names.includes(r), `missing scenario ${r}`);
  for (const name of names) {
    const s = loadScenario(name);
    assert.equal(s.name, name);
    assert.ok(s.description.length > 10, name);
    for (const f of s.expect.findings) assert.ok(KNOWN_FINDINGS.has(f), `${name}: unknown finding id ${f}`);
    // A healthy scenario has no error; any other names what the diagnosis must say (an error, or what it could not check).
    if (name.startsWith('healthy-')) assert.equal(s.expect.findings.length, 0, name);
    else assert.ok(s.expect.findings.length + s.expect.infoFindings.length > 0, name);
    assert.equal(typeof s.expect.gatewayStatus, 'number', name);
    const rawJson = JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), 'utf8')) as { $schema?: string };
    assert.equal(rawJson.$schema, '../scenario.schema.json');
  }
  assert.throws(() => loadScenario('no-such-scenario'), /scenario not found/);
});

test('extends: objects merge, apps/users merge by key, null deletes', () => {
  const merged = deepMerge(
    { a: { b: 1, c: [1, 2] }, apps: [{ appId: 'x', n: 1 }, { appId: 'y', n: 2 }], t: { k: 1 } },
    { a: { c: [3] }, apps: [{ appId: 'y', n: 3 }, { appId: 'z', n: 4 }], t: null },
  );
  assert.deepEqual(merged, { a: { b: 1, c: [3] }, apps: [{ appId: 'x', n: 1 }, { appId: 'y', n: 3 }, { appId: 'z', n: 4 }] });
  const v1 = loadScenario('token-v1-issuer-rejected');
  assert.equal(v1.entra.apps.find((a) => a.appId === '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f')!.requestedAccessTokenVersion, null);
  assert.equal(v1.entra.apps.length, loadScenario('healthy-entra').entra.apps.length);
});

test('every scenario starts, and the client it describes gets the expected gateway answer', async () => {
  for (const name of names) {
    const sb = await startSandbox(name);
    try {
      const client = await sb.client();
      const headers = { ...MCP_HEADERS, ...client.headers };
      const init = await raw(client.url, { method: 'POST', headers, body: INIT_BODY });
      assert.equal(init.status, sb.scenario.expect.gatewayStatus, `${name}: ${init.text}`);
      if (sb.scenario.expect.toolCallStatus !== undefined) {
        const sessionId = String(init.headers['mcp-session-id']);
        const call = await raw(client.url, {
          method: 'POST',
          headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
          body: toolsCallBody(client.toolCall!.name, client.toolCall!.arguments),
        });
        assert.equal(call.status, sb.scenario.expect.toolCallStatus, `${name}: ${call.text}`);
      }
    } finally {
      await sb.stop();
    }
  }
});
