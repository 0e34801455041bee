import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CORPUS_DIR } from '../policy/realPatternCorpus';
import { cli, sarifErrors } from './cliHarness';

const BODY_READ = '<set-variable name="b" value="@(context.Request.Body.As<JObject>())" />';
const policy = (inbound: string): string => `<policies>\n<inbound>\n<base />\n${inbound}\n</inbound>\n</policies>\n`;

describe('apim-mcp lint', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'apim-mcp-lint-'));
    mkdirSync(join(dir, 'infra', 'policy'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'infra', 'policy', 'orders-policy.xml.tpl'), policy(BODY_READ));
    writeFileSync(join(dir, 'infra', 'warn only.xml'), policy('<rate-limit calls="5" renewal-period="60" /><validate-jwt header-name="Authorization"><openid-config url="https://login.microsoftonline.com/{{t}}/v2.0/.well-known/openid-configuration" /><audiences><audience>{{a}}</audience></audiences></validate-jwt>'));
    writeFileSync(join(dir, 'infra', 'settings.xml'), '<settings><policies /></settings>\n');
    writeFileSync(join(dir, 'node_modules', 'x', 'policy.xml'), policy(BODY_READ));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lints a folder by content (any name, not node_modules) and exits 1 on an error', async () => {
    const r = await cli(['lint', 'infra'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^infra\/policy\/orders-policy\.xml\.tpl:4:54: error The request body is read without preserveContent/m);
    assert.match(r.stdout, /^infra\/warn only\.xml:4:2: warning rate-limit is only applied/m);
    assert.doesNotMatch(r.stdout, /settings\.xml|node_modules/);
    assert.match(r.stdout, /2 policies checked: 1 error\(s\), 1 warning\(s\), 0 info\./);
    assert.ok(!r.stdout.includes('\u001b['), 'no colour on a pipe');
  });

  it('--fail-on decides the exit code: warning fails on a warning, error does not', async () => {
    assert.equal((await cli(['lint', 'infra/warn only.xml'], { cwd: dir })).code, 0);
    assert.equal((await cli(['lint', 'infra/warn only.xml', '--fail-on', 'warning'], { cwd: dir })).code, 1);
    assert.equal((await cli(['lint', 'infra/warn only.xml', '--fail-on', 'info'], { cwd: dir })).code, 1);
  });

  it('--format json lists every file with its findings, 1-based', async () => {
    const r = await cli(['lint', 'infra', '--format', 'json'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { files: { path: string; findings: { ruleId: string; line: number; column: number; docs: string }[] }[] };
    assert.deepEqual(out.files.map((f) => f.path), ['infra/policy/orders-policy.xml.tpl', 'infra/warn only.xml']);
    const first = out.files[0]!.findings[0]!;
    assert.deepEqual([first.ruleId, first.line, first.column], ['apim.policy.bodyWithoutPreserveContent', 4, 54]);
    assert.equal(first.docs, 'docs/policy-rules.md#apim.policy.bodyWithoutPreserveContent');
  });

  it('--format sarif writes SARIF 2.1.0 that validates against the schema, with relative locations', async () => {
    const r = await cli(['lint', 'infra', '--format', 'sarif'], { cwd: dir });
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }[] }[] }[] };
    assert.deepEqual(sarifErrors(log), []);
    assert.equal(log.version, '2.1.0');
    const locations = log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation);
    assert.deepEqual(locations.map((l) => [l.artifactLocation.uri, l.artifactLocation.uriBaseId, l.region.startLine]), [
      ['infra/policy/orders-policy.xml.tpl', 'SRCROOT', 4],
      ['infra/warn%20only.xml', 'SRCROOT', 4],
    ]);
  });

  it('the whole real-pattern corpus as SARIF validates too', async () => {
    const r = await cli(['lint', '.', '--format', 'sarif'], { cwd: CORPUS_DIR });
    const log = JSON.parse(r.stdout) as { runs: { results: unknown[] }[] };
    assert.deepEqual(sarifErrors(log), []);
    assert.equal(log.runs[0]!.results.length, 48);
  });

  it('says which named files are not policies, and exits 2 on usage errors', async () => {
    const skipped = await cli(['lint', 'infra/settings.xml'], { cwd: dir });
    assert.equal(skipped.code, 0);
    assert.match(skipped.stderr, /infra\/settings\.xml: not an APIM policy/);
    for (const args of [['lint'], ['lint', 'missing-folder'], ['lint', 'infra', '--format', 'xml'], ['lint', 'infra', '--fail-on', 'fatal'], ['lint', 'infra', '--bogus']]) {
      const r = await cli(args, { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage:/);
    }
  });
});

describe('apim-mcp lint on hostile files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'apim-mcp-lint-hostile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('strips control characters from file text and names before they reach the terminal', async () => {
    const hostile = `evil\u001b[2J\u0007name.xml`;
    writeFileSync(join(dir, hostile), policy('<validate-azure-ad-token tenant-id="t" require-scheme="Bearer\u001b]0;pwned\u0007"><audiences><audience>x</audience></audiences></validate-azure-ad-token>'));
    try {
      const r = await cli(['lint', hostile, '--fail-on', 'warning'], { cwd: dir, isTty: true });
      assert.equal(r.code, 1);
      const withoutOurColours = r.stdout.replace(/\u001b\[(?:\d+)m/g, '');
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(withoutOurColours), JSON.stringify(r.stdout));
      assert.match(r.stdout, /evil\\u001b\[2J\\u0007name\.xml:4:/);
      assert.match(r.stdout, /\u001b\[33mwarning\u001b\[0m/, 'our own colour is kept on a terminal');
    } finally {
      rmSync(join(dir, hostile));
    }
  });
});
