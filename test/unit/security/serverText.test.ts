import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli';
import type { TestServer } from '../probe/hostileServers';
import { jsonRpcServer, startHostileMcp } from './hostileMcp';

/**
 * Issue 16, items 5 and 7: text a server controls reaches the fix commands offered for copying (a PRM `resource`,
 * the redirect URI and app id in an Entra error page) and the CLI's terminal output and report (tool names, PRM
 * values). Run through the real CLI against a hostile server: every command parses in sh to the intended words with
 * the hostile value as one word, nothing injected runs, and no raw control character reaches the terminal or report.
 */
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const RESOURCE = "https://x.example/mcp';echo pwned > pwned-prm;'$(echo pwned > pwned-prm2)";
const REDIRECT = 'http://127.0.0.1:33418/`echo pwned > pwned-aad`;echo pwned > pwned-aad2';
const ESCAPES = '\u001b]8;;https://evil.invalid\u0007link\u001b]8;;\u0007\u001b[2J\u009b31m\u202eevil';
const TOOL = `list_orders${ESCAPES}`;
// Raw terminal controls: C0 (except tab and line feed), DEL, C1, and the bidi/line-separator characters.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('server-controlled text through the CLI (issue 16, items 5 and 7)', () => {
  let server: TestServer;
  let dir: string;
  let human = '';
  /** One JSON output per run: without --client-id (the PRM resource fix) and with it (the redirect URI fix). */
  const json: string[] = [];
  let report = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apim-mcp-server-text-'));
    const authorizationServer = () => `${server.origin}/${TENANT}/v2.0`;
    server = await startHostileMcp({
      mcp: jsonRpcServer([{ name: TOOL, annotations: { title: ESCAPES } }]),
      routes: {
        '/.well-known/oauth-protected-resource': (_req, _body, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ resource: RESOURCE, authorization_servers: [authorizationServer()], scopes_supported: [`api://${CLIENT}/${ESCAPES}`] }));
        },
        // Entra's error page for our client; for any other (VS Code's own, in the run without --client-id) a bare page.
        [`/${TENANT}/oauth2/v2.0/authorize`]: (req, _body, res) => {
          res.writeHead(200, { 'content-type': 'text/html' });
          if (new URL(req.url!, 'http://x').searchParams.get('client_id') !== CLIENT) return void res.end('<html></html>');
          res.end(`<html><body><p>AADSTS50011: The redirect URI '${REDIRECT}' specified in the request does not match the redirect URIs configured for the application '${CLIENT}'. ${ESCAPES}</p></body></html>`);
        },
      },
    });
    const roles = join(dir, 'roles.json');
    writeFileSync(roles, JSON.stringify({ [TOOL]: `Orders.Read${ESCAPES}` }));
    const io = (sink: (t: string) => void) => ({ stdout: sink, stderr: sink, env: {}, isTty: false });
    const base = ['diagnose', `${server.origin}/mcp`, '--tool-roles', roles, '--timeout', '3000'];
    for (const args of [base, [...base, '--client-id', CLIENT, '--redirect-uri', REDIRECT]]) {
      await runCli([...args, '--report', join(dir, 'report.md')], io((t) => (human += t)));
      report += readFileSync(join(dir, 'report.md'), 'utf8');
      let out = '';
      await runCli([...args, '--json'], io((t) => (out += t)));
      json.push(out);
    }
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the hostile text inert: no raw control or bidi character in the terminal output, the report or the JSON', () => {
    assert.ok(human.includes('list_orders\\u001b]8;;'), 'the tool name is shown, escaped');
    assert.ok(!RAW_CONTROL.test(human), 'terminal output');
    assert.ok(!RAW_CONTROL.test(report), 'report');
    for (const out of json) {
      assert.ok(!RAW_CONTROL.test(out), 'JSON');
      assert.equal(JSON.parse(out).server.url, `${server.origin}/mcp`);
    }
  });

  it('every command offered parses in sh to its intended words, the hostile values each one word, and nothing injected runs', () => {
    const findings = json.flatMap((out) => (JSON.parse(out) as { findings: { id: string; fix: { commands?: string[] } }[] }).findings);
    const commands = findings.flatMap((f) => f.fix.commands ?? []);
    const resourceCommand = commands.find((c) => c.includes('--identifier-uris'));
    const redirectCommand = commands.find((c) => c.includes('-redirect-uris'));
    assert.ok(resourceCommand && redirectCommand, `expected the PRM resource and redirect URI fixes, got ${findings.map((f) => f.id).join(', ')}`);
    const shellDir = mkdtempSync(join(tmpdir(), 'apim-mcp-sh-'));
    const emptyPath = mkdtempSync(join(tmpdir(), 'apim-mcp-empty-'));
    try {
      const prelude = ['az', 'openssl'].map((p) => `${p}() { printf '%s\\0' ${p} "$@"; printf '\\036\\0'; }\n`).join('');
      const result = spawnSync('/bin/sh', ['-c', prelude + commands.join('\n')], { cwd: shellDir, env: { PATH: emptyPath, HOME: shellDir }, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const argvs = result.stdout.split('\u001e\0').filter(Boolean).map((r) => r.split('\0').filter((w, i, all) => i < all.length - 1 || w !== ''));
      assert.equal(argvs.length, commands.length);
      assert.deepEqual(readdirSync(shellDir), [], 'an injected command ran');
      const resourceArgv = argvs[commands.indexOf(resourceCommand)]!;
      assert.equal(resourceArgv.at(-1), RESOURCE);
      assert.equal(argvs[commands.indexOf(redirectCommand)]!.at(-1), REDIRECT);
    } finally {
      rmSync(shellDir, { recursive: true, force: true });
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});
