// The MCP TypeScript SDK's own client (StreamableHTTPClientTransport), as a program using a server entry from the
// .mcp.json the extension writes: URL and header names from the file, ${VAR} expanded from its environment.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandbox, type Sandbox } from '../sandbox';
import { serverDescription, tempDir, writeWithExtension } from '../harness/clients';

const VAR = 'APIM_MCP_KEY_PRODUCTS';

interface Entry {
  readonly url: string;
  readonly headers?: Record<string, string>;
}

async function written(desc: Parameters<typeof serverDescription>[0]): Promise<Entry> {
  const dir = tempDir('sdk');
  try {
    const text = await writeWithExtension(join(dir.path, '.mcp.json'), 'rootDotMcpJson', serverDescription(desc));
    return (JSON.parse(text) as { mcpServers: Record<string, Entry> }).mcpServers[desc.name]!;
  } finally {
    dir.remove();
  }
}

/** Connects with the entry's headers (${VAR} expanded from `env`, left as it is when unset), lists and calls a tool. */
async function useServer(entry: Entry, env: Record<string, string | undefined>, extraHeaders: Record<string, string> = {}): Promise<{ tools: string[]; called: boolean }> {
  const headers: Record<string, string> = { ...extraHeaders };
  for (const [name, value] of Object.entries(entry.headers ?? {})) headers[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, v: string) => env[v] ?? m);
  const client = new Client({ name: 'apim-mcp-clients-tier', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers } }));
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const result = await client.callTool({ name: 'getProduct', arguments: { id: 'P-1001' } });
    return { tools, called: !result.isError };
  } finally {
    await client.close();
  }
}

describe('MCP SDK client: key server (healthy-key)', () => {
  let sandbox: Sandbox;
  let entry: Entry;
  before(async () => {
    sandbox = await startSandbox('healthy-key');
    entry = await written({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' });
  });
  after(async () => sandbox?.stop());

  it('right key: lists and calls tools; the gateway saw the valid key on tools/call', async () => {
    sandbox.clearRequests();
    const used = await useServer(entry, { [VAR]: sandbox.endpoints.subscriptionKey });
    assert.ok(used.tools.includes('getProduct') && used.called);
    const call = sandbox.requests().find((r) => r.jsonrpcMethod === 'tools/call');
    assert.deepEqual([call?.toolName, call?.keyStatus, call?.status], ['getProduct', 'valid', 200]);
  });

  it('unset: the unexpanded reference is refused at initialize', async () => {
    sandbox.clearRequests();
    await assert.rejects(useServer(entry, {}), /401/);
    const init = sandbox.requests().find((r) => r.jsonrpcMethod === 'initialize');
    assert.deepEqual([init?.keyStatus, init?.keyReference, init?.outcome], ['invalid', VAR, 'keyInvalid']);
  });

  it('wrong key: refused at initialize', async () => {
    sandbox.clearRequests();
    await assert.rejects(useServer(entry, { [VAR]: 'not-the-key-0000' }), /401/);
    assert.equal(sandbox.requests().find((r) => r.jsonrpcMethod === 'initialize')?.outcome, 'keyInvalid');
  });
});

describe('MCP SDK client: renamed key header (key-custom-header)', () => {
  let sandbox: Sandbox;
  before(async () => (sandbox = await startSandbox('key-custom-header')));
  after(async () => sandbox?.stop());

  it('the entry sends X-Api-Key and works; the default header name would not', async () => {
    const renamed = await written({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey', keyHeaderName: 'X-Api-Key' });
    sandbox.clearRequests();
    assert.ok((await useServer(renamed, { [VAR]: sandbox.endpoints.subscriptionKey })).called);
    assert.ok(sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/call' && r.keyHeaderName === 'X-Api-Key' && r.keyStatus === 'valid'));
    const defaultName = await written({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' });
    sandbox.clearRequests();
    await assert.rejects(useServer(defaultName, { [VAR]: sandbox.endpoints.subscriptionKey }), /401/);
    assert.equal(sandbox.requests()[0]?.outcome, 'keyMissing');
  });
});

describe('MCP SDK client: Entra server (healthy-entra-cli-clients)', () => {
  let sandbox: Sandbox;
  let entry: Entry;
  before(async () => {
    sandbox = await startSandbox('healthy-entra-cli-clients');
    entry = await written({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'entra', clientId: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b', prmValid: true });
    assert.equal(entry.headers, undefined, 'an Entra entry carries no secret header');
  });
  after(async () => sandbox?.stop());

  it('with a token for the API the gateway validates it and the tool call goes through', async () => {
    sandbox.clearRequests();
    const used = await useServer(entry, {}, { Authorization: `Bearer ${await sandbox.mintToken({})}` });
    assert.ok(used.called);
    assert.ok(sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/call' && r.authorization === 'valid' && r.status === 200));
  });

  it('without one the gateway answers the bearer challenge', async () => {
    sandbox.clearRequests();
    await assert.rejects(useServer(entry, {}), /401|Unauthorized/);
    assert.equal(sandbox.requests()[0]?.outcome, 'tokenMissing');
  });
});
