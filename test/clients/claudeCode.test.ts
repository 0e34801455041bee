// Claude Code 2.1.328 against the root .mcp.json the extension writes: `claude mcp list` / `claude mcp get` with a
// temporary HOME whose settings approve project servers, the key variable set, unset and wrong. Each test asserts on
// what reached the sandbox gateway, not only on what Claude Code printed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fetchTrusting, SandboxBrowser } from '../sandbox/browserSignIn';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox';
import { clientEnv, clientPaths, runClient, serverDescription, tempDir, writeWithExtension } from '../harness/clients';
import { waitFor } from '../harness/processes';

const CLAUDE = clientPaths().claudeCode.path;
const VAR = 'APIM_MCP_KEY_PRODUCTS';
const CLIENT_ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

/** A project folder and a HOME whose Claude Code settings approve the project's .mcp.json servers. */
function claudeWorkspace() {
  const home = tempDir('claude-home');
  const project = tempDir('claude-project');
  mkdirSync(join(home.path, '.claude'), { recursive: true });
  writeFileSync(join(home.path, '.claude', 'settings.json'), JSON.stringify({ enableAllProjectMcpServers: true }));
  return { home: home.path, project: project.path, remove: () => (home.remove(), project.remove()) };
}

function claude(ws: { home: string; project: string }, args: string[], extra: Record<string, string | undefined> = {}) {
  // Documented switch for updater, telemetry, error reporting and bug command: nothing but the gateway is contacted.
  const env = clientEnv(ws.home, { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', ...extra });
  return runClient(CLAUDE, args, { cwd: ws.project, env, timeoutMs: 60_000 });
}

function dotMcpJson(ws: { project: string }): string {
  return join(ws.project, '.mcp.json');
}

describe('Claude Code: key server (healthy-key)', () => {
  let sandbox: Sandbox;
  let ws: ReturnType<typeof claudeWorkspace>;
  let key: string;
  before(async () => {
    sandbox = await startSandbox('healthy-key');
    key = sandbox.endpoints.subscriptionKey!;
    ws = claudeWorkspace();
    const written = await writeWithExtension(dotMcpJson(ws), 'rootDotMcpJson', serverDescription({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }));
    assert.equal(JSON.parse(written).mcpServers.products.headers['Ocp-Apim-Subscription-Key'], '${' + VAR + '}');
  });
  after(async () => {
    ws?.remove();
    await sandbox?.stop();
  });

  it('variable set: mcp list connects and the gateway answered tools/list to the valid key', async () => {
    sandbox.clearRequests();
    const run = await claude(ws, ['mcp', 'list'], { [VAR]: key });
    assert.match(run.stdout, /products: .* - ✔ Connected/, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, /Skipped/);
    const calls = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/list');
    assert.ok(calls.length > 0 && calls.every((r) => r.keyStatus === 'valid' && r.status === 200), JSON.stringify(sandbox.requests()));
  });

  it('variable set: mcp get shows it connected, the header still a reference in the file', async () => {
    sandbox.clearRequests();
    const run = await claude(ws, ['mcp', 'get', 'products'], { [VAR]: key });
    assert.match(run.stdout, /Status: ✔ Connected/, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`Ocp-Apim-Subscription-Key: \\$\\{${VAR}\\}`));
    assert.ok(!run.stdout.includes(key), 'mcp get prints the reference, not the key');
    assert.ok(sandbox.requests().some((r) => r.jsonrpcMethod === 'initialize' && r.keyStatus === 'valid' && r.status === 200));
  });

  it('variable unset: the literal ${APIM_MCP_KEY_PRODUCTS} reaches the gateway, APIM answers invalid key', async () => {
    sandbox.clearRequests();
    const run = await claude(ws, ['mcp', 'list']);
    assert.match(run.stdout, /products: .* - ✘ Failed to connect/, run.stdout);
    assert.match(run.stdout, new RegExp(`Missing environment variables: ${VAR}`));
    const keyed = sandbox.requests().filter((r) => r.path === '/products/mcp' && r.keyStatus !== 'absent');
    assert.ok(keyed.length > 0, JSON.stringify(sandbox.requests()));
    for (const r of keyed) {
      assert.equal(r.keyStatus, 'invalid');
      assert.equal(r.keyReference, VAR, 'the unexpanded reference was sent as the key');
      assert.equal(r.outcome, 'keyInvalid');
    }
    assert.ok(!sandbox.requests().some((r) => r.status === 200 && r.path === '/products/mcp'));
  });

  it('variable wrong: the gateway refuses the key; no tools/list is answered', async () => {
    sandbox.clearRequests();
    const run = await claude(ws, ['mcp', 'list'], { [VAR]: 'not-the-key-0000' });
    assert.match(run.stdout, /products: .* - ✘ Failed to connect/, run.stdout);
    const keyed = sandbox.requests().filter((r) => r.path === '/products/mcp' && r.keyStatus !== 'absent');
    assert.ok(keyed.length > 0 && keyed.every((r) => r.keyStatus === 'invalid' && r.keyReference === undefined), JSON.stringify(keyed));
    assert.ok(!sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list'));
  });

  it('an entry earlier versions wrote (tools ["*"]) is skipped; the extension\'s update makes it load', async () => {
    const old = tempDir('claude-old');
    const oldWs = { home: ws.home, project: old.path };
    try {
      const entry = { type: 'http', url: sandbox.endpoints.mcpUrl, headers: { 'Ocp-Apim-Subscription-Key': '${' + VAR + '}' }, tools: ['*'] };
      writeFileSync(dotMcpJson(oldWs), JSON.stringify({ mcpServers: { products: entry } }, null, 2) + '\n');
      sandbox.clearRequests();
      const skipped = await claude(oldWs, ['mcp', 'list'], { [VAR]: key });
      assert.match(skipped.stdout + skipped.stderr, /Skipped .*tools\.0: expected object, received string/);
      assert.equal(sandbox.requests().length, 0, 'a skipped server is never contacted');
      const migrated = await writeWithExtension(dotMcpJson(oldWs), 'rootDotMcpJson', serverDescription({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }), { replace: true });
      assert.equal(JSON.parse(migrated).mcpServers.products.tools, undefined);
      const run = await claude(oldWs, ['mcp', 'list'], { [VAR]: key });
      assert.match(run.stdout, /products: .* - ✔ Connected/, run.stdout + run.stderr);
      assert.ok(sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.keyStatus === 'valid'));
    } finally {
      old.remove();
    }
  });
});

describe('Claude Code: renamed key header (key-custom-header)', () => {
  let sandbox: Sandbox;
  let ws: ReturnType<typeof claudeWorkspace>;
  before(async () => {
    sandbox = await startSandbox('key-custom-header');
    ws = claudeWorkspace();
    await writeWithExtension(dotMcpJson(ws), 'rootDotMcpJson', serverDescription({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey', keyHeaderName: 'X-Api-Key' }));
  });
  after(async () => {
    ws?.remove();
    await sandbox?.stop();
  });

  it('sends the key in X-Api-Key and connects', async () => {
    sandbox.clearRequests();
    const run = await claude(ws, ['mcp', 'list'], { [VAR]: sandbox.endpoints.subscriptionKey });
    assert.match(run.stdout, /products: .* - ✔ Connected/, run.stdout + run.stderr);
    const listed = sandbox.requests().filter((r) => r.jsonrpcMethod === 'tools/list');
    assert.ok(listed.length > 0 && listed.every((r) => r.keyHeaderName === 'X-Api-Key' && r.keyStatus === 'valid'), JSON.stringify(listed));
  });

  it('unset: the reference goes out in X-Api-Key and is refused', async () => {
    sandbox.clearRequests();
    await claude(ws, ['mcp', 'list']);
    const keyed = sandbox.requests().filter((r) => r.keyStatus !== 'absent');
    assert.ok(keyed.length > 0 && keyed.every((r) => r.keyHeaderName === 'X-Api-Key' && r.keyReference === VAR), JSON.stringify(keyed));
  });
});

describe('Claude Code: Entra server (healthy-entra-cli-clients)', () => {
  let sandbox: Sandbox;
  let ws: ReturnType<typeof claudeWorkspace>;
  before(async () => {
    sandbox = await startSandbox('healthy-entra-cli-clients');
    ws = claudeWorkspace();
    const written = await writeWithExtension(dotMcpJson(ws), 'rootDotMcpJson', serverDescription({ name: 'products', url: sandbox.endpoints.mcpUrl, auth: 'entra', clientId: CLIENT_ID, prmValid: true }));
    assert.deepEqual(JSON.parse(written).mcpServers.products.oauth, { clientId: CLIENT_ID });
  });
  after(async () => {
    ws?.remove();
    await sandbox?.stop();
  });

  it('mcp list: needs authentication, found through the challenge\'s resource_metadata (no DCR error)', async () => {
    sandbox.clearRequests();
    const run = await claude(ws, ['mcp', 'list'], { NODE_EXTRA_CA_CERTS: sandbox.endpoints.caCertPath });
    assert.match(run.stdout, /products: .* - ! Needs authentication/, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /Dynamic Client Registration/);
    const requests = sandbox.requests();
    assert.ok(requests.some((r) => r.path === '/products/mcp' && r.authorization === 'absent' && r.status === 401), JSON.stringify(requests));
    assert.ok(requests.some((r) => r.outcome === 'prm' && r.status === 200), 'the protected-resource metadata was fetched');
  });

  it('mcp login signs in with the client id from oauth.clientId and the exact MCP URL as resource', async () => {
    const { authorize, callbackStatus } = await loginThroughEmulator(ws, sandbox);
    assert.equal(authorize.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(authorize.searchParams.get('resource'), sandbox.endpoints.mcpUrl);
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+\/callback$/);
    assert.equal(callbackStatus, 200, 'Entra redirected the code back to Claude Code\'s loopback listener');
  });
});

/**
 * `claude mcp login` wants a terminal: run it under `script` (a pseudo-terminal), read the authorize URL it prints,
 * and play the browser: sign in on the Entra emulator's sign-in page, which redirects to Claude Code's callback.
 */
async function loginThroughEmulator(ws: { home: string; project: string }, sandbox: Sandbox): Promise<{ authorize: URL; callbackStatus: number }> {
  const env = clientEnv(ws.home, { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', NODE_EXTRA_CA_CERTS: sandbox.endpoints.caCertPath });
  const child = spawn('script', ['-qec', `'${CLAUDE}' mcp login products`, '/dev/null'], { cwd: ws.project, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  try {
    const href = await waitFor('the authorize URL from claude mcp login', 30_000, () => {
      const plain = out.replace(/\u001b\]8;;[^\u0007\u001b]*(\u0007|\u001b\\)/g, '');
      return /(https:\/\/127\.0\.0\.1:\d+\/\S+\/oauth2\/v2\.0\/authorize\?\S+)/.exec(plain)?.[1];
    });
    const authorize = new URL(href);
    // Nobody is signed in: Entra shows its sign-in page, where the person signs in as the scenario's user.
    const browser = new SandboxBrowser(fetchTrusting(readFileSync(sandbox.endpoints.caCertPath)));
    const { location, status } = await browser.authorize(authorize.href, sandbox.scenario.entra.defaultUser ?? sandbox.scenario.entra.users[0]!.upn);
    if (!location) throw new Error(`authorize answered ${status} without a redirect`);
    const callback = await fetch(location);
    await callback.text();
    return { authorize, callbackStatus: callback.status };
  } finally {
    // Ctrl-C through the terminal ends the login; `script` exits once Claude Code has, so its HOME is free to remove.
    const closed = new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('close', resolve)));
    child.stdin.write('\u0003');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await closed;
    clearTimeout(timer);
  }
}
