import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { startSandbox, type GatewayRequestRecord, type Sandbox } from '../sandbox/index';
import healthyKey from '../sandbox/scenarios/healthy-key.json';
import { extensionSuite } from './extensionSuite';
import { mcpServerId, pollUntil, type ApimMcpApi } from './helpers';

const SERVER = 'Products (walking skeleton)';
const CANARY_KEY = `canary-key-${randomUUID()}`;
const mcpExchange = (records: GatewayRequestRecord[]) => records.filter((r) => r.path.endsWith('/mcp') && r.jsonrpcMethod);

/**
 * Stores the key, starts the server as Start does (a refused start rejects, which is what these suites expect) and
 * waits until the extension reports it failing; the sandbox's record then holds only what this start sent.
 */
async function startUntilFailing(api: ApimMcpApi, sandbox: Sandbox, name: string, what: string) {
  await vscode.commands.executeCommand('apimMcp.setSubscriptionKey', name, CANARY_KEY);
  sandbox.clearRequests();
  await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', name)).catch(() => undefined);
  return pollUntil(what, 30_000, () => {
    const s = api.getServerStatus(name);
    return s.health === 'failing' ? s : undefined;
  });
}

describe('walking skeleton: a SecretStorage key reaches the gateway through VS Code\'s own MCP client', () => {
  let sandbox: Sandbox;
  const suite = extensionSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox(healthyKey as never, { subscriptionKeys: [CANARY_KEY] }));
    return { servers: [{ name: SERVER, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }] };
  });


  it('lists the tools with the injected key', async () => {
    await vscode.commands.executeCommand('apimMcp.setSubscriptionKey', SERVER, CANARY_KEY);
    sandbox.clearRequests();
    await vscode.commands.executeCommand('apimMcp.startServer', SERVER);
    const records = await pollUntil(() => `tools/list to reach the gateway; seen: ${JSON.stringify(sandbox.requests())}; status: ${JSON.stringify(suite.api.getServerStatus(SERVER))}`, 30_000, () => {
      const seen = mcpExchange(sandbox.requests());
      return seen.some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200) ? seen : undefined;
    });
    const methods = records.map((r) => r.jsonrpcMethod);
    // The extension's own startup check, then VS Code's client.
    assert.deepEqual(methods.slice(0, 1), ['initialize']);
    for (const method of ['initialize', 'notifications/initialized', 'tools/list']) assert.ok(methods.includes(method), `${method} missing from ${methods.join(', ')}`);
    for (const record of records) {
      assert.equal(record.keyStatus, 'valid', `${record.jsonrpcMethod} arrived with key ${record.keyStatus}`);
      assert.equal(record.keyHeaderName?.toLowerCase(), 'ocp-apim-subscription-key');
      assert.equal(record.status < 300, true, `${record.jsonrpcMethod} answered ${record.status}`);
    }
    assert.equal(suite.api.getServerStatus(SERVER).health, 'healthy');
  });

  it('15.2 reports a wrong key as rejected (not as missing) although APIM sends its key challenge with it', async () => {
    await vscode.commands.executeCommand('workbench.mcp.stopServer', mcpServerId(SERVER));
    await vscode.commands.executeCommand('apimMcp.setSubscriptionKey', SERVER, `wrong-${CANARY_KEY}`);
    sandbox.clearRequests();
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', SERVER)).catch(() => undefined);
    const status = await pollUntil('the extension to report the failure', 30_000, () => {
      const s = suite.api.getServerStatus(SERVER);
      return s.health === 'failing' ? s : undefined;
    });
    assert.match(status.detail ?? '', /APIM rejected the subscription key \(401 "Access denied due to invalid subscription key/);
    assert.ok(!(status.detail ?? '').includes(CANARY_KEY), 'the status detail must not contain the key');
    const records = mcpExchange(sandbox.requests());
    assert.ok(records.length > 0, 'the gateway saw no request');
    assert.ok(records.every((r) => r.keyStatus === 'invalid' && r.status === 401), JSON.stringify(records));
    assert.ok(!records.some((r) => r.jsonrpcMethod === 'tools/list'), 'VS Code must not have listed tools with a rejected key');
  });
});

describe('15.7 a quota 403 is reported before VS Code turns it into a sign-in', () => {
  const QUOTA_SERVER = 'Products (quota used up)';
  let sandbox: Sandbox;
  const suite = extensionSuite(async ({ stopAfter }) => {
    // quota-exceeded.json, spelled out: scenario files that extend another are resolved from disk, which the extension host cannot see.
    const quotaExceeded = { ...healthyKey, name: 'quota-exceeded', gateway: { ...healthyKey.gateway, faults: { quota: { calls: 0 } } } };
    sandbox = stopAfter(await startSandbox(quotaExceeded as never, { subscriptionKeys: [CANARY_KEY] }));
    return { servers: [{ name: QUOTA_SERVER, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }] };
  });

  it('15.7 the startup check stops at the 403 and says VS Code would treat it like a 401', async () => {
    const status = await startUntilFailing(suite.api, sandbox, QUOTA_SERVER, 'the extension to report the 403');
    assert.match(status.detail ?? '', /APIM refused access \(403 "Out of call volume quota/);
    assert.match(status.detail ?? '', /VS Code treats a 403 like a 401/);
    const records = mcpExchange(sandbox.requests());
    assert.deepEqual(records.map((r) => r.jsonrpcMethod), ['initialize'], 'only the startup check reached the gateway: VS Code was not started into a sign-in');
  });
});

describe('16.6 a gateway that redirects to another origin gets no start, so the key does not follow the redirect', () => {
  const REDIRECTED = 'Products (redirected)';
  let sandbox: Sandbox;
  const suite = extensionSuite(async ({ stopAfter, atTeardown }) => {
    sandbox = stopAfter(await startSandbox(healthyKey as never, { subscriptionKeys: [CANARY_KEY] }));
    // Another port is another origin: a 307 there keeps method, body and (in Node's fetch) the key header.
    const redirector = createServer((req, res) => res.writeHead(307, { location: `${sandbox.endpoints.mcpUrl}` }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    atTeardown(() => new Promise((resolve) => redirector.close(resolve)));
    const { port } = redirector.address() as AddressInfo;
    return { servers: [{ name: REDIRECTED, url: `http://127.0.0.1:${port}/mcp`, auth: 'subscriptionKey' }] };
  });

  it('16.6 the startup check stops at the 307 to another origin and says where it points', async () => {
    const status = await startUntilFailing(suite.api, sandbox, REDIRECTED, 'the extension to report the redirect');
    assert.match(status.detail ?? '', /redirects \(307\) to http:\/\/127\.0\.0\.1:\d+\/.*another origin/);
    // Give VS Code's client the time it would need to follow the redirect, if it had been started.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(sandbox.requests().filter((r) => r.keyStatus !== 'absent'), [], 'no key reached the other origin');
  });
});
