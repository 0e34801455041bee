import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { startSandbox, type Sandbox } from '../sandbox/index';
import healthyKey from '../sandbox/scenarios/healthy-key.json';
import { extensionSuite } from './extensionSuite';
import { pollUntil, type ListedServer } from './helpers';

interface PanelStateLike {
  server: { id: string; name: string; source: string; actions: string[] };
  run: { kind: string; message?: string };
  diagnosis?: { findings: { id: string; title: string }[]; report: string; timeline: unknown[]; notes: string[] };
}

const listServers = () => vscode.commands.executeCommand<ListedServer[]>('apimMcpTest.servers.list');
const panelStates = () => vscode.commands.executeCommand<PanelStateLike[]>('apimMcp.diagnostics.state');

const SERVER = 'Products (panel)';
const CANARY_KEY = `canary-panel-${randomUUID()}`;

describe('Diagnostics panel: runs from a command, keeps secrets out of its state and report', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  extensionSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox(healthyKey as never, { subscriptionKeys: [CANARY_KEY] }));
    return { servers: [{ name: SERVER, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }] };
  });

  it('opens nothing and sends nothing until asked', async () => {
    sandbox.clearRequests();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sandbox.requests().length, 0);
    assert.equal((await panelStates()).length, 0);
  });

  it('says a missing key is the problem, then finds the server healthy once the key is set', async () => {
    await vscode.commands.executeCommand('apimMcp.diagnose', SERVER);
    let state = await pollUntil('the first diagnosis', 60_000, async () => (await panelStates()).find((s) => s.server.name === SERVER && s.diagnosis));
    assert.deepEqual(state.diagnosis!.findings.map((f) => f.id), ['apim.key.missing']);
    assert.ok(state.diagnosis!.notes.some((n) => /No subscription key is stored/.test(n)));
    assert.deepEqual(state.server.actions, ['openConfig', 'setKey']);

    await vscode.commands.executeCommand('apimMcp.setSubscriptionKey', SERVER, CANARY_KEY);
    sandbox.clearRequests();
    await vscode.commands.executeCommand('apimMcp.diagnose', SERVER);
    state = await pollUntil('the second diagnosis', 60_000, async () => (await panelStates()).find((s) => s.server.name === SERVER && s.diagnosis?.findings.length === 0));
    assert.ok(sandbox.requests().some((r) => r.keyStatus === 'valid'), 'the stored key reached the gateway');
    const serialized = JSON.stringify(state);
    assert.ok(!serialized.includes(CANARY_KEY), 'the panel state (persisted by VS Code) must not contain the key');
    assert.match(state.diagnosis!.report, /^# APIM MCP diagnosis/);
    assert.match(state.diagnosis!.report, /healthy \(no error findings\)/);
    assert.ok(!state.diagnosis!.report.includes(CANARY_KEY), 'the report must not contain the key');
    const listed = (await listServers()).find((s) => s.name === SERVER)!;
    assert.equal(listed.status, 'healthy');
  });

  it('reuses one panel per server', async () => {
    await vscode.commands.executeCommand('apimMcp.diagnose', SERVER);
    await pollUntil('the run to finish', 60_000, async () => ((await panelStates()).every((s) => s.run.kind !== 'running') ? true : undefined));
    assert.equal((await panelStates()).filter((s) => s.server.name === SERVER).length, 1);
  });
});

describe('15.a the panel judges a server against the workspace policy that belongs to it', function () {
  this.timeout(120_000);
  const TIMEOUT_SERVER = 'Products (slow tool)';
  extensionSuite(async ({ stopAfter, atTeardown }) => {
    // backend-timeout.json, spelled out: scenario files that extend another are resolved from disk, which the extension host cannot see.
    const slowTool = {
      ...healthyKey,
      name: 'backend-timeout',
      gateway: { ...healthyKey.gateway, forwardRequestTimeoutSeconds: 2, faults: { slowBackend: { delayMs: 4000, methods: ['tools/call'] } } },
    };
    const sandbox = stopAfter(await startSandbox(slowTool as never, { subscriptionKeys: [CANARY_KEY] }));
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const policyFile = vscode.Uri.joinPath(folder, 'infra', 'products.policy.xml');
    await vscode.workspace.fs.writeFile(policyFile, new TextEncoder().encode(sandbox.policyXml()));
    atTeardown(() => vscode.workspace.fs.delete(policyFile).then(undefined, () => undefined));
    return { servers: [{ name: TIMEOUT_SERVER, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }] };
  });
  before(() => vscode.commands.executeCommand('apimMcp.setSubscriptionKey', TIMEOUT_SERVER, CANARY_KEY));

  it('15.a reads the forward-request timeout from the workspace policy and names the 500 a backend timeout, quoting it', async () => {
    await vscode.commands.executeCommand('apimMcp.diagnose', TIMEOUT_SERVER);
    const state = await pollUntil('the diagnosis', 60_000, async () => (await panelStates()).find((s) => s.server.name === TIMEOUT_SERVER && s.diagnosis));
    assert.deepEqual(state.diagnosis!.findings.map((f) => f.id), ['apim.backend.timeout'], state.diagnosis!.report);
    assert.ok(state.diagnosis!.notes.some((n) => /^Judged against the policy in infra\/products\.policy\.xml\.$/.test(n)), state.diagnosis!.notes.join('\n'));
    assert.match(state.diagnosis!.report, /the policy's forward-request timeout is 2 s/);
  });
});

describe('16.1 a config file cannot turn the extension host\'s environment into a key for its URL', function () {
  this.timeout(120_000);
  const FOREIGN = 'Weather (foreign variable)';
  const OURS = 'Weather (our variable)';
  const QUERY_KEY = 'Weather (key in the query)';
  // A variable that is not ours, holding a value the gateway accepts: if it were read, the sandbox would see a valid key.
  const FOREIGN_VAR = 'APIM_MCP_TEST_GITHUB_TOKEN';
  const OUR_VAR = 'APIM_MCP_KEY_WEATHER_OUR_VARIABLE';
  let sandbox: Sandbox;
  extensionSuite(async ({ stopAfter, atTeardown }) => {
    sandbox = stopAfter(await startSandbox(healthyKey as never, { subscriptionKeys: [CANARY_KEY] }));
    process.env[FOREIGN_VAR] = CANARY_KEY;
    process.env[OUR_VAR] = CANARY_KEY;
    atTeardown(() => {
      delete process.env[FOREIGN_VAR];
      delete process.env[OUR_VAR];
    });
    const dotMcp = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.mcp.json');
    const server = (variable: string) => ({ type: 'http', url: sandbox.endpoints.mcpUrl, headers: { 'Ocp-Apim-Subscription-Key': `\${${variable}}` } });
    const inQuery = { ...server(OUR_VAR), url: `${sandbox.endpoints.mcpUrl}?subscription-key=${CANARY_KEY}` };
    const text = JSON.stringify({ mcpServers: { [FOREIGN]: server(FOREIGN_VAR), [OURS]: server(OUR_VAR), [QUERY_KEY]: inQuery } }, null, 2);
    await vscode.workspace.fs.writeFile(dotMcp, new TextEncoder().encode(text));
    atTeardown(() => vscode.workspace.fs.delete(dotMcp).then(undefined, () => undefined));
    await pollUntil('the file servers to be listed', 20_000, async () => ((await listServers()).filter((s) => [FOREIGN, OURS, QUERY_KEY].includes(s.name)).length === 3 ? true : undefined));
  });

  it('16.1 a header ${SOME_VAR} that is not APIM_MCP_KEY_* is not read: nothing from it reaches the URL, and the note says why', async () => {
    sandbox.clearRequests();
    await vscode.commands.executeCommand('apimMcp.diagnose', FOREIGN);
    const state = await pollUntil('the diagnosis', 60_000, async () => (await panelStates()).find((s) => s.server.name === FOREIGN && s.diagnosis));
    assert.ok(sandbox.requests().length > 0, 'the diagnosis ran against the gateway');
    assert.ok(sandbox.requests().every((r) => r.keyStatus !== 'valid'), 'the value of the foreign variable reached the gateway');
    assert.ok(state.diagnosis!.notes.some((n) => n.includes(FOREIGN_VAR) && /only APIM_MCP_KEY_\* variables are/.test(n)), state.diagnosis!.notes.join('\n'));
    assert.ok(!JSON.stringify(state).includes(CANARY_KEY));
  });

  it('16.1 APIM_MCP_KEY_* is still read in a trusted folder', async () => {
    sandbox.clearRequests();
    await vscode.commands.executeCommand('apimMcp.diagnose', OURS);
    const state = await pollUntil('the diagnosis', 60_000, async () => (await panelStates()).find((s) => s.server.name === OURS && s.diagnosis));
    assert.ok(sandbox.requests().some((r) => r.keyStatus === 'valid'), 'the key from APIM_MCP_KEY_* reached the gateway');
    assert.ok(state.diagnosis!.notes.some((n) => n.includes(OUR_VAR)), state.diagnosis!.notes.join('\n'));
  });

  it('16 a key in the URL\'s query (?subscription-key=) is shown as *** in the panel header and the API\'s server list', async () => {
    await vscode.commands.executeCommand('apimMcp.diagnose', QUERY_KEY);
    const state = await pollUntil('the diagnosis', 60_000, async () => (await panelStates()).find((s) => s.server.name === QUERY_KEY && s.diagnosis));
    assert.ok(!JSON.stringify(state).includes(CANARY_KEY), 'the panel state (persisted by VS Code) holds the query key');
    assert.match((state.server as { url?: string }).url ?? '', /subscription-key=\*\*\*/);
    const listed = (await listServers()).find((s) => s.name === QUERY_KEY)!;
    assert.ok(!listed.url.includes(CANARY_KEY), 'the public API lists the query key');
  });
});
