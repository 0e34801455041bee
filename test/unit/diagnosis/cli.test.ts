import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index';
import { serverDescription, writeWithExtension } from '../../harness/clients';

const root = join(__dirname, '..', '..', '..');

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const CANARY_KEY = 'canary0key0never0printed0000000042';

test('diagnose --json on a healthy key server exits 0 with the documented shape and no colour, and never prints the key', async () => {
  const sb = await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] });
  try {
    const r = await runCli(['diagnose', sb.endpoints.mcpUrl, '--key-env', 'APIM_KEY', '--json'], { APIM_KEY: CANARY_KEY });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { server: { url: string }; findings: unknown[]; timeline: { step: string; status: string; durationMs: number; startedAt: string; detail: string }[] };
    assert.deepEqual(Object.keys(out).sort(), ['clients', 'findings', 'server', 'timeline']);
    assert.equal(out.server.url, sb.endpoints.mcpUrl);
    assert.deepEqual(out.findings.filter((f) => (f as { severity: string }).severity === 'error'), []);
    assert.ok(out.timeline.some((t) => t.step.includes('tools/list') && t.status === 'ok'));
    assert.ok(!r.stdout.includes(CANARY_KEY) && !r.stderr.includes(CANARY_KEY));
    assert.ok(sb.requests().some((q) => q.keyStatus === 'valid'), 'the key reached the gateway');
  } finally {
    await sb.stop();
  }
});

test('diagnose exits 1 on error findings, human output without colour when not a TTY, key never printed', async () => {
  const sb = await startSandbox('key-invalid');
  try {
    const r = await runCli(['diagnose', sb.endpoints.mcpUrl, '--key-env', 'APIM_KEY'], { APIM_KEY: CANARY_KEY });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\[apim\.key\.invalid\]/);
    assert.match(r.stdout, /Access denied due to invalid subscription key/);
    assert.ok(!r.stdout.includes('\u001b['), 'no ANSI colour on a pipe');
    assert.ok(!r.stdout.includes(CANARY_KEY));
  } finally {
    await sb.stop();
  }
});

test('15.2 diagnose --key-env K --json: a wrong key that APIM answers with its key challenge is apim.key.invalid', async () => {
  const sb = await startSandbox('healthy-key');
  try {
    const r = await runCli(['diagnose', sb.endpoints.mcpUrl, '--key-env', 'K', '--json'], { K: CANARY_KEY });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { findings: { id: string; severity: string; evidence: string[] }[] };
    assert.deepEqual(out.findings.filter((f) => f.severity === 'error').map((f) => f.id), ['apim.key.invalid']);
    assert.match(out.findings[0]!.evidence.join('\n'), /HTTP 401 · WWW-Authenticate: AzureApiManagementKey realm=.*Access denied due to invalid subscription key/);
    assert.ok(!r.stdout.includes(CANARY_KEY));
  } finally {
    await sb.stop();
  }
});

test('15.a diagnose --policy FILE judges the token against the policy\'s issuers and quotes the line', async () => {
  const sb = await startSandbox('token-v2-against-v1-issuers');
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-cli-policy-'));
  try {
    const policy = join(dir, 'api.policy.xml');
    writeFileSync(policy, sb.policyXml());
    const token = (await sb.client()).headers.Authorization!.replace(/^Bearer /, '');
    const args = ['diagnose', sb.endpoints.mcpUrl, '--token-env', 'T', '--ca-cert', sb.endpoints.caCertPath, '--json'];
    const r = await runCli([...args, '--policy', policy], { T: token });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { findings: { id: string; severity: string; evidence: string[] }[] };
    const issuer = out.findings.find((f) => f.id === 'entra.token.issuer');
    assert.equal(issuer?.severity, 'error', r.stdout);
    assert.match(issuer!.evidence.join('\n'), /api\.policy\.xml:\d+: <issuer>https:\/\/sts\.windows\.net\//);
    const bad = await runCli([...args, '--policy', join(dir, 'missing.xml')], { T: token });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--policy .*missing\.xml: cannot read the file/);
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sb.stop();
  }
});

const usageCases: { name: string; args: string[]; env?: Record<string, string>; message: RegExp }[] = [
  { name: 'no command', args: [], message: /No command given/ },
  { name: 'unknown command', args: ['doctor', 'https://x.azure-api.net/mcp'], message: /Unknown command/ },
  { name: 'no URL', args: ['diagnose'], message: /exactly one MCP URL/ },
  { name: 'http to a remote host', args: ['diagnose', 'http://contoso.azure-api.net/p/mcp'], message: /Use https/ },
  { name: 'unknown flag', args: ['diagnose', 'https://x.azure-api.net/mcp', '--key', 'abc'], message: /Unknown option/ },
  { name: 'key env var not set', args: ['diagnose', 'https://x.azure-api.net/mcp', '--key-env', 'NOPE'], message: /not set or empty/ },
  { name: 'bad timeout', args: ['diagnose', 'https://x.azure-api.net/mcp', '--timeout', '-5'], message: /--timeout/ },
];

for (const c of usageCases) {
  test(`usage error exits 2: ${c.name}`, async () => {
    const r = await runCli(c.args, c.env);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, c.message);
    assert.match(r.stderr, /Usage:/);
  });
}

test('explain reads a pasted AADSTS50011 error page and names the platform for a known redirect URI', async () => {
  const text = "AADSTS50011: The redirect URI 'https://vscode.dev/redirect' specified in the request does not match the redirect URIs configured for the application '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b'. Trace ID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 Correlation ID: 11111111-2222-3333-4444-555555555555 Timestamp: 2026-01-09 02:02:12Z";
  const r = await runCli(['explain', text]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /AADSTS50011 → entra\.redirectUri\.mismatch/);
  assert.match(r.stdout, /Redirect URI: https:\/\/vscode\.dev\/redirect \(VS Code: register under "Mobile and desktop applications/);
  assert.match(r.stdout, /App id: 3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b/);
  assert.match(r.stdout, /Trace ID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/);
});

const VAR = 'APIM_MCP_KEY_PRODUCTS';

interface Out {
  findings: { id: string; title: string; evidence: string[]; fix: { summary: string; commands?: string[] } }[];
  clients: { client: string; source: string; outcome: string; text: string }[];
}

test('diagnose --config: a server in .vscode/mcp.json and .mcp.json gets a verdict per client; an unset variable is named', async () => {
  const sb = await startSandbox('healthy-key');
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-cli-clients-'));
  try {
    const desc = serverDescription({ name: 'products', url: sb.endpoints.mcpUrl, auth: 'subscriptionKey' });
    mkdirSync(join(dir, '.vscode'));
    await writeWithExtension(join(dir, '.vscode', 'mcp.json'), 'workspaceMcpJson', desc);
    await writeWithExtension(join(dir, '.mcp.json'), 'rootDotMcpJson', desc);
    const configs = ['--config', join(dir, '.vscode', 'mcp.json'), '--config', join(dir, '.mcp.json')];

    sb.clearRequests();
    const unset = await runCli(['diagnose', sb.endpoints.mcpUrl, ...configs, '--json']);
    assert.equal(unset.code, 1, unset.stderr);
    const out = JSON.parse(unset.stdout) as Out;
    const finding = out.findings.find((f) => f.id === 'apim.key.variableUnset');
    assert.ok(finding, unset.stdout);
    assert.equal(finding.title, `Environment variable ${VAR} is not set where this client runs`);
    assert.deepEqual(finding.fix.commands, [`read -rs ${VAR} && export ${VAR}`, `read --silent --export ${VAR}`, `$env:${VAR} = Read-Host -MaskInput '${VAR}'`]);
    assert.ok(!out.findings.some((f) => f.id === 'apim.key.invalid' || f.id === 'apim.key.missing'));
    assert.ok(sb.requests().some((r) => r.keyReference === VAR), 'the literal reference was sent, as the clients send it');
    assert.deepEqual(
      out.clients.map((c) => [c.source, c.outcome, c.text.split(':')[0]]),
      [
        ['workspaceMcpJson', 'connects', 'VS Code'],
        ['rootDotMcpJson', 'actionNeeded', 'Claude Code'],
        ['rootDotMcpJson', 'actionNeeded', 'Copilot CLI'],
        ['rootDotMcpJson', 'actionNeeded', 'MCP Inspector'],
        // K2: VS Code 1.139 lists the .mcp.json server too and sends the ${VAR} text as the key.
        ['rootDotMcpJson', 'fails', 'VS Code'],
      ],
    );
    assert.match(out.clients[1]!.text, new RegExp(`^Claude Code: will connect once ${VAR} is set`));

    const set = await runCli(['diagnose', sb.endpoints.mcpUrl, ...configs, '--json'], { [VAR]: sb.endpoints.subscriptionKey! });
    assert.equal(set.code, 0, set.stdout);
    const ok = JSON.parse(set.stdout) as Out;
    assert.deepEqual(ok.clients.map((c) => c.outcome), ['connects', 'connects', 'connects', 'actionNeeded', 'fails']);
    assert.ok(!set.stdout.includes(sb.endpoints.subscriptionKey!), 'the key is never printed');

    const human = await runCli(['diagnose', sb.endpoints.mcpUrl, ...configs]);
    assert.match(human.stdout, /^Clients$/m);
    assert.match(human.stdout, /! Claude Code: will connect once APIM_MCP_KEY_PRODUCTS is set.*\[rootDotMcpJson\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sb.stop();
  }
});
