// GitHub Copilot CLI 1.0.102 against the mcp-config.json the extension writes, offline: COPILOT_OFFLINE=true and a
// local OpenAI-compatible fake model (COPILOT_PROVIDER_BASE_URL, COPILOT_MODEL) that asks for one MCP tool call.
// `copilot -p … --allow-all-tools` with a temporary HOME; the tests assert on what reached the sandbox gateway.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox';
import { startFakeModel, type FakeModel } from '../sandbox/fakeModel';
import { clientEnv, clientPaths, runClient, serverDescription, tempDir, writeWithExtension } from '../harness/clients';

const COPILOT = clientPaths().copilotCli.path;
const VAR = 'APIM_MCP_KEY_PRODUCTS';
const CLIENT_ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const PROMPT = 'List the products in the catalogue.';

interface CopilotHome {
  readonly home: string;
  readonly cwd: string;
  remove(): void;
}

async function copilotHome(desc: Parameters<typeof serverDescription>[0]): Promise<CopilotHome & { written: string }> {
  const home = tempDir('copilot-home');
  const cwd = tempDir('copilot-cwd');
  const written = await writeWithExtension(join(home.path, '.copilot', 'mcp-config.json'), 'copilotCli', serverDescription(desc));
  return { home: home.path, cwd: cwd.path, written, remove: () => (home.remove(), cwd.remove()) };
}

function copilot(h: CopilotHome, model: FakeModel, extra: Record<string, string | undefined> = {}, args: string[] = []) {
  // Verified in `copilot help environment` (1.0.102): COPILOT_OFFLINE skips all network access (auth, telemetry,
  // auto-update) and needs COPILOT_PROVIDER_BASE_URL; COPILOT_MODEL names the model.
  const env = clientEnv(h.home, { COPILOT_OFFLINE: 'true', COPILOT_PROVIDER_BASE_URL: model.baseUrl, COPILOT_MODEL: 'fake-model', COPILOT_AUTO_UPDATE: 'false', ...extra });
  return runClient(COPILOT, ['-p', PROMPT, '--allow-all-tools', '--no-color', ...args], { cwd: h.cwd, env, timeoutMs: 90_000 });
}

/** The newest Copilot CLI log under the temporary HOME. */
function latestLog(h: CopilotHome): string {
  const dir = join(h.home, '.copilot', 'logs');
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return files.length ? readFileSync(join(dir, files[files.length - 1]!), 'utf8') : '';
}

/** The definition of one server from the `discover_and_start_root` debug line (JSON inside JSON inside JSON). */
function parsedServer(log: string, name: string): Record<string, unknown> {
  const line = log.split('\n').find((l) => l.includes('discover_and_start_root'));
  assert.ok(line, 'the debug log names the servers it starts');
  const signature = JSON.parse(JSON.parse(line.slice(line.indexOf('{'))).signature as string) as { servers: [string, string][] };
  const entry = signature.servers.find((s) => s[0] === name);
  assert.ok(entry, line);
  return JSON.parse(entry[1]) as Record<string, unknown>;
}

describe('Copilot CLI: key server (healthy-key)', () => {
  let sandbox: Sandbox;
  let model: FakeModel;
  let h: Awaited<ReturnType<typeof copilotHome>>;
  before(async () => {
    sandbox = await startSandbox('healthy-key');
    model = await startFakeModel({ tool: 'listProducts' });
    h = await copilotHome({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' });
    const entry = JSON.parse(h.written).mcpServers.products;
    assert.deepEqual(entry.tools, ['*'], 'the Copilot CLI config keeps tools ["*"], as copilot mcp add writes it');
  });
  after(async () => {
    h?.remove();
    await model?.stop();
    await sandbox?.stop();
  });

  it('variable set: the model\'s tools/call reached the gateway with the valid key and the answer came back', async () => {
    sandbox.clearRequests();
    const run = await copilot(h, model, { [VAR]: sandbox.endpoints.subscriptionKey });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const calls = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/call');
    assert.equal(calls.length, 1, JSON.stringify(sandbox.requests()));
    assert.deepEqual([calls[0]!.toolName, calls[0]!.keyStatus, calls[0]!.status], ['listProducts', 'valid', 200]);
    assert.match(run.stdout, /Tool result: .*Contoso Trail Running Shoes/, 'the tool result went back to the model');
    assert.ok(model.requests().some((r) => r.toolsOffered.includes('products-listProducts')));
  });

  it('variable unset: the literal reference is sent, APIM refuses it, no tool is called', async () => {
    sandbox.clearRequests();
    await copilot(h, model);
    const keyed = sandbox.requests().filter((r) => r.keyStatus !== 'absent');
    assert.ok(keyed.length > 0, JSON.stringify(sandbox.requests()));
    assert.ok(keyed.every((r) => r.keyStatus === 'invalid' && r.keyReference === VAR && r.outcome === 'keyInvalid'), JSON.stringify(keyed));
    assert.ok(!sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/call'));
    assert.match(latestLog(h), /reporting the server as needing auth \{"server":"products"/, 'Copilot CLI turns the 401 into needs-auth');
  });

  it('variable wrong: APIM refuses the key, no tool is called', async () => {
    sandbox.clearRequests();
    await copilot(h, model, { [VAR]: 'not-the-key-0000' });
    const keyed = sandbox.requests().filter((r) => r.keyStatus !== 'absent');
    assert.ok(keyed.length > 0 && keyed.every((r) => r.keyStatus === 'invalid' && r.keyReference === undefined), JSON.stringify(keyed));
    assert.ok(!sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/call'));
  });
});

describe('Copilot CLI: renamed key header (key-custom-header)', () => {
  let sandbox: Sandbox;
  let model: FakeModel;
  let h: Awaited<ReturnType<typeof copilotHome>>;
  before(async () => {
    sandbox = await startSandbox('key-custom-header');
    model = await startFakeModel({ tool: 'listProducts' });
    h = await copilotHome({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey', keyHeaderName: 'X-Api-Key' });
  });
  after(async () => {
    h?.remove();
    await model?.stop();
    await sandbox?.stop();
  });

  it('calls the tool with the key in X-Api-Key', async () => {
    sandbox.clearRequests();
    const run = await copilot(h, model, { [VAR]: sandbox.endpoints.subscriptionKey });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const calls = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/call');
    assert.equal(calls.length, 1, JSON.stringify(sandbox.requests()));
    assert.deepEqual([calls[0]!.keyHeaderName, calls[0]!.keyStatus, calls[0]!.status], ['X-Api-Key', 'valid', 200]);
  });
});

describe('Copilot CLI: Entra server (healthy-entra-cli-clients)', () => {
  let sandbox: Sandbox;
  let model: FakeModel;
  let h: Awaited<ReturnType<typeof copilotHome>>;
  before(async () => {
    sandbox = await startSandbox('healthy-entra-cli-clients');
    model = await startFakeModel({ tool: 'listProducts' });
    h = await copilotHome({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'entra', clientId: CLIENT_ID, prmValid: true });
    assert.equal(JSON.parse(h.written).mcpServers.products.oauthClientId, CLIENT_ID);
  });
  after(async () => {
    h?.remove();
    await model?.stop();
    await sandbox?.stop();
  });

  it('reads oauthClientId, finds the metadata through the challenge, and needs a browser sign-in first (prompt mode)', async () => {
    sandbox.clearRequests();
    // Debug logging shows the server definition as Copilot CLI parsed it.
    await copilot(h, model, { NODE_EXTRA_CA_CERTS: sandbox.endpoints.caCertPath }, ['--log-level', 'debug']);
    const requests = sandbox.requests();
    assert.ok(requests.some((r) => r.path === '/products/mcp' && r.authorization === 'absent' && r.outcome === 'tokenMissing'), JSON.stringify(requests));
    assert.ok(requests.some((r) => r.outcome === 'prm' && r.status === 200), 'the protected-resource metadata named in resource_metadata was fetched');
    assert.ok(!requests.some((r) => r.jsonrpcMethod === 'tools/call'));
    const log = latestLog(h);
    // Copilot CLI logs the server definitions it parsed (debug level): ours has the client id under oauthClientId,
    // and the `oauth` object that Claude Code reads is not part of what it kept.
    const definition = parsedServer(log, 'products');
    assert.equal(definition.oauthClientId, CLIENT_ID, JSON.stringify(definition));
    assert.equal(definition.oauth, undefined);
    assert.match(log, /Browser-based OAuth required/);
  });
});
