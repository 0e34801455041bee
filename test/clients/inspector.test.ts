// MCP Inspector 2.12.0 CLI (`--cli <url> --method tools/list --header "K: V"`) against servers described by the
// .mcp.json the extension writes. The URL and header name come from that file; the value is what a shell gives for
// $VAR. `--config` reads the file itself but does not expand ${VAR} (real-behaviour item 25): the test proves it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox';
import { clientEnv, clientPaths, runClient, serverDescription, tempDir, writeWithExtension } from '../harness/clients';
import { toolPaths } from '../harness/tools';

const INSPECTOR = clientPaths().inspector.path;
// The Inspector needs Node >= 22.19 (its engines field): the cached Node 24.
const NODE24 = toolPaths().node24;
const VAR = 'APIM_MCP_KEY_PRODUCTS';

interface Entry {
  readonly url: string;
  readonly headers?: Record<string, string>;
}

async function written(dir: string, desc: Parameters<typeof serverDescription>[0]): Promise<{ file: string; entry: Entry }> {
  const file = join(dir, '.mcp.json');
  const text = await writeWithExtension(file, 'rootDotMcpJson', serverDescription(desc));
  return { file, entry: (JSON.parse(text) as { mcpServers: Record<string, Entry> }).mcpServers[desc.name]! };
}

function inspector(dir: string, args: string[]) {
  return runClient(NODE24, [INSPECTOR, '--cli', ...args], { cwd: dir, env: clientEnv(dir), timeoutMs: 60_000 });
}

/** `--header "Name: value"` for each header of the entry, with ${VAR} replaced as a shell would expand "$VAR". */
function headerArgs(entry: Entry, env: Record<string, string | undefined>): string[] {
  return Object.entries(entry.headers ?? {}).flatMap(([name, value]) => ['--header', `${name}: ${value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, v: string) => env[v] ?? '')}`]);
}

describe('MCP Inspector CLI: key server (healthy-key)', () => {
  let sandbox: Sandbox;
  let dir: ReturnType<typeof tempDir>;
  let entry: Entry;
  let file: string;
  before(async () => {
    sandbox = await startSandbox('healthy-key');
    dir = tempDir('inspector');
    ({ file, entry } = await written(dir.path, { name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }));
  });
  after(async () => {
    dir?.remove();
    await sandbox?.stop();
  });

  it('right key: tools/list is answered and the gateway saw the valid key', async () => {
    sandbox.clearRequests();
    const run = await inspector(dir.path, [entry.url, '--method', 'tools/list', ...headerArgs(entry, { [VAR]: sandbox.endpoints.subscriptionKey })]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok((JSON.parse(run.stdout) as { tools: { name: string }[] }).tools.some((t) => t.name === 'listProducts'));
    const listed = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/list');
    assert.ok(listed.length === 1 && listed[0]!.keyStatus === 'valid' && listed[0]!.status === 200, JSON.stringify(sandbox.requests()));
  });

  it('wrong key: auth_required, exit 3; the gateway refused the key', async () => {
    sandbox.clearRequests();
    const run = await inspector(dir.path, [entry.url, '--method', 'tools/list', ...headerArgs(entry, { [VAR]: 'not-the-key-0000' })]);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stdout + run.stderr, /"code":"auth_required"/);
    assert.ok(sandbox.requests().some((r) => r.keyStatus === 'invalid' && r.outcome === 'keyInvalid'));
    assert.ok(!sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list'));
  });

  it('--config .mcp.json sends ${APIM_MCP_KEY_PRODUCTS} literally even when the variable is set', async () => {
    sandbox.clearRequests();
    const env = clientEnv(dir.path, { [VAR]: sandbox.endpoints.subscriptionKey });
    const run = await runClient(NODE24, [INSPECTOR, '--cli', '--config', file, '--server', 'products', '--method', 'tools/list'], { cwd: dir.path, env, timeoutMs: 60_000 });
    assert.equal(run.code, 3, run.stdout + run.stderr);
    const keyed = sandbox.requests().filter((r) => r.keyStatus !== 'absent');
    assert.ok(keyed.length > 0 && keyed.every((r) => r.keyReference === VAR && r.keyStatus === 'invalid'), JSON.stringify(sandbox.requests()));
  });
});

describe('MCP Inspector CLI: renamed key header (key-custom-header)', () => {
  let sandbox: Sandbox;
  let dir: ReturnType<typeof tempDir>;
  let entry: Entry;
  before(async () => {
    sandbox = await startSandbox('key-custom-header');
    dir = tempDir('inspector');
    ({ entry } = await written(dir.path, { name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey', keyHeaderName: 'X-Api-Key' }));
  });
  after(async () => {
    dir?.remove();
    await sandbox?.stop();
  });

  it('sends the key in X-Api-Key and lists the tools', async () => {
    sandbox.clearRequests();
    const run = await inspector(dir.path, [entry.url, '--method', 'tools/list', ...headerArgs(entry, { [VAR]: sandbox.endpoints.subscriptionKey })]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const listed = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/list');
    assert.ok(listed.length === 1 && listed[0]!.keyHeaderName === 'X-Api-Key' && listed[0]!.keyStatus === 'valid', JSON.stringify(sandbox.requests()));
  });
});

describe('MCP Inspector CLI: Entra server (healthy-entra-cli-clients)', () => {
  let sandbox: Sandbox;
  let dir: ReturnType<typeof tempDir>;
  let entry: Entry;
  before(async () => {
    sandbox = await startSandbox('healthy-entra-cli-clients');
    dir = tempDir('inspector');
    ({ entry } = await written(dir.path, { name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'entra', clientId: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b', prmValid: true }));
  });
  after(async () => {
    dir?.remove();
    await sandbox?.stop();
  });

  it('no token: auth_required, exit 3 (it cannot sign in without a terminal)', async () => {
    sandbox.clearRequests();
    const run = await inspector(dir.path, [entry.url, '--method', 'tools/list']);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.ok(sandbox.requests().some((r) => r.outcome === 'tokenMissing' && r.status === 401));
  });

  it('a bearer token in --header: the gateway validated it and answered tools/list', async () => {
    sandbox.clearRequests();
    const token = await sandbox.mintToken({});
    const run = await inspector(dir.path, [entry.url, '--method', 'tools/list', '--header', `Authorization: Bearer ${token}`]);
    assert.equal(run.code, 0, run.stdout.slice(0, 500) + run.stderr.slice(0, 500));
    const listed = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/list');
    assert.ok(listed.length === 1 && listed[0]!.authorization === 'valid' && listed[0]!.status === 200, JSON.stringify(sandbox.requests()));
  });
});
