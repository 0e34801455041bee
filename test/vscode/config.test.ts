import * as assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { startSandbox, type Sandbox } from '../sandbox/index';
import healthyKey from '../sandbox/scenarios/healthy-key.json';
import { extensionSuite } from './extensionSuite';
import { activateExtension, mcpServerId, pollUntil } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';
const CANARY = `canary-config-${randomUUID()}`;

type AddResult = { ok: true; name: string; target: string; path?: string } | { ok: false; message: string };

function add(spec: Record<string, unknown>): Promise<AddResult> {
  return Promise.resolve(vscode.commands.executeCommand<AddResult>('apimMcp.addServer', spec));
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('config targets: the writers, Remove Server and Forget Secrets through real VS Code', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let workspace: string;
  let userMcpJson: string;
  let copilotHome: string;
  const previousCopilotHome = process.env.COPILOT_HOME;

  const suite = extensionSuite(async ({ stopAfter, atTeardown }) => {
    const driver = await vscode.extensions.getExtension<{ globalStorageUri: vscode.Uri }>(DRIVER_ID)!.activate();
    userMcpJson = join(dirname(dirname(driver.globalStorageUri.fsPath)), 'mcp.json');
    workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    atTeardown(() => {
      for (const f of [join(workspace, '.vscode', 'mcp.json'), join(workspace, '.mcp.json'), userMcpJson]) rmSync(f, { force: true });
    });
    copilotHome = mkdtempSync(join(tmpdir(), 'apim-mcp-copilot-'));
    process.env.COPILOT_HOME = copilotHome;
    atTeardown(() => {
      if (previousCopilotHome === undefined) delete process.env.COPILOT_HOME;
      else process.env.COPILOT_HOME = previousCopilotHome;
      rmSync(copilotHome, { recursive: true, force: true });
    });
    sandbox = stopAfter(await startSandbox(healthyKey as never, { subscriptionKeys: [CANARY] }));
  });

  const files = () => ({
    workspaceMcpJson: {
      path: join(workspace, '.vscode', 'mcp.json'),
      before: '{\r\n\t// Team servers; keep this comment\r\n\t"servers": {\r\n\t\t"other": { "type": "http", "url": "https://example.com/mcp", },\r\n\t},\r\n}\r\n',
      expect: /"password": true/,
    },
    userMcpJson: {
      path: userMcpJson,
      before: '{\n\t"servers": {\n\t\t// mine\n\t\t"local": { "type": "stdio", "command": "node", "args": ["server.js"], "env": { "TOKEN": "${input:local-token}" } }\n\t},\n\t"inputs": [\n\t\t{ "type": "promptString", "id": "local-token", "password": true },\n\t]\n}\n',
      expect: /"password": true/,
    },
    rootDotMcpJson: {
      path: join(workspace, '.mcp.json'),
      before: '{\n  /* portable servers */\n  "mcpServers": {\n    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "tools": ["*"] },\n  },\n}\n',
      expect: /\$\{APIM_MCP_KEY_/,
    },
    copilotCli: {
      path: join(copilotHome, 'mcp-config.json'),
      before: '{\r\n    "mcpServers": {\r\n        // CLI only\r\n        "context7": { "type": "http", "url": "https://mcp.context7.com/mcp", "tools": ["*"] }\r\n    }\r\n}\r\n',
      expect: /\$\{APIM_MCP_KEY_/,
    },
  });

  for (const target of ['workspaceMcpJson', 'userMcpJson', 'rootDotMcpJson', 'copilotCli'] as const) {
    it(`${target}: add writes a reference (never the key), Remove Server gives the original bytes back`, async () => {
      const file = files()[target];
      write(file.path, file.before);
      const name = `products-${target}`;
      const result = await add({ url: sandbox.endpoints.mcpUrl, target, name, auth: 'subscriptionKey', key: CANARY });
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.path, file.path);
      const added = read(file.path);
      assert.match(added, new RegExp(`"${name}"`));
      assert.match(added, file.expect);
      assert.ok(!added.includes(CANARY), 'the key must never be written to a config file');
      assert.ok(added.startsWith(file.before.slice(0, 20)), 'the head of the file, comments included, is kept');
      const removed = await vscode.commands.executeCommand<string[]>('apimMcp.removeServer', name);
      assert.deepEqual(removed, [target]);
      assert.equal(read(file.path), file.before);
    });
  }

  it('a new Copilot CLI config is created with the server and a terminal variable filled from secret storage', async () => {
    const path = join(copilotHome, 'mcp-config.json');
    rmSync(path, { force: true });
    const name = 'terminal products';
    const result = await add({ url: sandbox.endpoints.mcpUrl, target: 'copilotCli', name, auth: 'subscriptionKey', key: CANARY });
    assert.ok(result.ok, JSON.stringify(result));
    const config = JSON.parse(read(path)) as { mcpServers: Record<string, { headers: Record<string, string>; tools: string[] }> };
    assert.deepEqual(config.mcpServers[name]!.headers, { 'Ocp-Apim-Subscription-Key': '${APIM_MCP_KEY_TERMINAL_PRODUCTS}' });
    assert.deepEqual(config.mcpServers[name]!.tools, ['*']);
    // A real terminal sees the variable; only its hash leaves the shell.
    const expected = createHash('sha256').update(CANARY).digest('hex');
    const out = join(copilotHome, 'env-hash');
    await pollUntil('the key variable in a new terminal', 30_000, async () => {
      rmSync(out, { force: true });
      const terminal = vscode.window.createTerminal({ name: 'env check', shellPath: '/bin/sh', shellArgs: ['-c', `printf %s "$APIM_MCP_KEY_TERMINAL_PRODUCTS" | sha256sum > "${out}"`] });
      try {
        const hash = await pollUntil('the terminal to write', 10_000, () => (existsSync(out) && read(out).includes(' ') ? read(out).split(' ')[0] : undefined));
        return hash === expected ? true : undefined;
      } finally {
        terminal.dispose();
      }
    });
    assert.equal(await vscode.commands.executeCommand('apimMcp.forgetSecrets', name), true);
    assert.equal(await vscode.commands.executeCommand('apimMcp.forgetSecrets', name), false);
    await vscode.commands.executeCommand('apimMcp.removeServer', name);
  });

  it('the extension target keeps the key in secret storage, starts the server, and Remove Server takes both away', async () => {
    const name = 'Products (wizard)';
    sandbox.clearRequests();
    const result = await add({ url: sandbox.endpoints.mcpUrl, target: 'extension', name, key: CANARY, start: true });
    assert.ok(result.ok, JSON.stringify(result));
    const settings = vscode.workspace.getConfiguration('apimMcp').inspect<unknown[]>('servers')?.globalValue;
    assert.deepEqual(settings, [{ name, url: sandbox.endpoints.mcpUrl, auth: 'subscriptionKey' }]);
    await pollUntil('tools/list with the stored key', 30_000, () =>
      sandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid') ? true : undefined);
    assert.equal(suite.api.getServerStatus(name).health, 'healthy');
    await vscode.commands.executeCommand('workbench.mcp.stopServer', mcpServerId(name));
    assert.deepEqual(await vscode.commands.executeCommand('apimMcp.removeServer', name), ['extension']);
    await pollUntil('the server to leave the provider', 10_000, () => (suite.api.serverNames().includes(name) ? undefined : true));
    assert.equal(await vscode.commands.executeCommand('apimMcp.forgetSecrets', name), false, 'the key went with the server');
  });

  it('a wrong key is refused by APIM and nothing is written', async () => {
    const path = join(workspace, '.mcp.json');
    rmSync(path, { force: true });
    const result = await add({ url: sandbox.endpoints.mcpUrl, target: 'rootDotMcpJson', name: 'wrong-key', auth: 'subscriptionKey', key: `wrong-${CANARY}` });
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /APIM rejected this key/);
    assert.equal(existsSync(path), false);
  });

  it('16.4 a key with a NUL is refused before it is sent or written, and the refusal does not quote it', async () => {
    const path = join(workspace, '.mcp.json');
    rmSync(path, { force: true });
    sandbox.clearRequests();
    const result = await add({ url: sandbox.endpoints.mcpUrl, target: 'rootDotMcpJson', name: 'broken-key', auth: 'subscriptionKey', key: `${CANARY}\u0000X-Injected:1` });
    assert.equal(result.ok, false);
    const message = (result as { message: string }).message;
    assert.match(message, /control character/);
    assert.ok(!message.includes(CANARY), 'the refusal quotes the key');
    assert.ok(sandbox.requests().every((r) => r.keyStatus === 'absent' && !r.headerNames.some((h) => /injected/i.test(h))), 'a key or an injected header was sent');
    assert.equal(existsSync(path), false);
  });

  it('a malformed file is refused with line and column and left byte-identical', async () => {
    const path = join(workspace, '.vscode', 'mcp.json');
    const broken = '{\n  "servers": {\n    "a": { "type": "http" "url": "https://x.example/mcp" }\n  }\n}\n';
    write(path, broken);
    const result = await add({ url: sandbox.endpoints.mcpUrl, target: 'workspaceMcpJson', name: 'broken', auth: 'subscriptionKey', key: CANARY });
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /line 3, column \d+/);
    assert.equal(read(path), broken);
    rmSync(path);
  });

  it('a name taken in the target is refused', async () => {
    const file = files().rootDotMcpJson;
    write(file.path, file.before);
    const result = await add({ url: sandbox.endpoints.mcpUrl, target: 'rootDotMcpJson', name: 'GitHub', auth: 'none' });
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /already has a server named "github"/);
    assert.equal(read(file.path), file.before);
  });
});

describe('plaintext-key lint: Problems panel and quick fix', function () {
  this.timeout(60_000);
  const LITERAL = `literal${randomUUID().replace(/-/g, '')}`;
  let workspace: string;

  before(async () => {
    await activateExtension();
    workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  });

  after(() => {
    for (const f of [join(workspace, '.mcp.json'), join(workspace, '.vscode', 'mcp.json')]) rmSync(f, { force: true });
  });

  async function fixFirst(uri: vscode.Uri): Promise<vscode.Diagnostic> {
    // Quick fixes are offered in an editor, as a person would see them.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diagnostic = await pollUntil('the plaintext-key warning', 20_000, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.code === 'apimMcp.plaintextKey'));
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(!diagnostic.message.includes(LITERAL), 'the message must not quote the key');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
    const fix = actions.find((a) => a.command?.command === 'apimMcp.fixPlaintextKey');
    assert.ok(fix?.command, `no quick fix among ${actions.map((a) => a.title).join(', ')}`);
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await pollUntil('the warning to go away', 10_000, () => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'apimMcp.plaintextKey') ? undefined : true));
    return diagnostic;
  }

  it('.mcp.json: the key moves to secret storage and the header to ${APIM_MCP_KEY_…}; comments stay', async () => {
    const path = join(workspace, '.mcp.json');
    const text = `{\n  // shared with the team\n  "mcpServers": {\n    "lint-dotmcp": {\n      "type": "http",\n      "url": "https://contoso.azure-api.net/products/mcp", // prod\n      "headers": { "Ocp-Apim-Subscription-Key": "${LITERAL}" },\n      "tools": ["*"],\n    },\n  },\n}\n`;
    write(path, text);
    const diagnostic = await fixFirst(vscode.Uri.file(path));
    assert.equal(diagnostic.range.start.line, 6);
    const after = read(path);
    assert.equal(after, text.replace(`"${LITERAL}"`, '"${APIM_MCP_KEY_LINT_DOTMCP}"'));
    assert.equal(await vscode.commands.executeCommand('apimMcp.forgetSecrets', 'lint-dotmcp'), true, 'the key is in secret storage');
  });

  it('.vscode/mcp.json: the key becomes a password input', async () => {
    const path = join(workspace, '.vscode', 'mcp.json');
    const text = `{\n\t"servers": {\n\t\t// APIM\n\t\t"lint-mcpjson": { "type": "http", "url": "https://contoso.azure-api.net/x/mcp", "headers": { "Ocp-Apim-Subscription-Key": "${LITERAL}" } }\n\t}\n}\n`;
    write(path, text);
    await fixFirst(vscode.Uri.file(path));
    const after = read(path);
    assert.ok(!after.includes(LITERAL));
    assert.match(after, /"Ocp-Apim-Subscription-Key": "\$\{input:apim-mcp-key-lint-mcpjson\}"/);
    assert.match(after, /"password": true/);
    assert.match(after, /\/\/ APIM/);
  });
  it('a key in the URL query string is a warning on the url, without the key and without a quick fix (issue 16)', async () => {
    const path = join(workspace, '.vscode', 'mcp.json');
    const text = `{\n\t"servers": {\n\t\t"lint-query": { "type": "http", "url": "https://contoso.azure-api.net/q/mcp?subscription-key=${LITERAL}" }\n\t}\n}\n`;
    write(path, text);
    const uri = vscode.Uri.file(path);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diagnostic = await pollUntil('the query-key warning', 20_000, () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.code === 'apimMcp.plaintextKey'));
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.range.start.line, 2);
    assert.match(diagnostic.message, /"subscription-key" query parameter of the url of server "lint-query"/);
    assert.ok(!diagnostic.message.includes(LITERAL), 'the message must not quote the key');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
    assert.deepEqual(actions.filter((a) => a.command?.command === 'apimMcp.fixPlaintextKey'), [], 'no quick fix guesses the header');
    assert.equal(read(path), text, 'the file is left as it was');
  });
});
