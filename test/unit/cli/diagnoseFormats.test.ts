import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { cli, sarifErrors } from './cliHarness';

const CANARY_KEY = 'canary0key0never0printed0000000077';

describe('apim-mcp diagnose --format and --fail-on, against the sandbox gateway', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox('key-invalid');
  });
  after(async () => {
    await sandbox?.stop();
  });
  const diagnoseArgs = (...extra: string[]): string[] => ['diagnose', sandbox.endpoints.mcpUrl, '--key-env', 'APIM_KEY', ...extra];
  const env = { APIM_KEY: CANARY_KEY };

  it('--format sarif is SARIF 2.1.0 that validates, one result per finding, exit 1 on the error', async () => {
    const r = await cli(diagnoseArgs('--format', 'sarif'), { env });
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    assert.deepEqual(sarifErrors(log), []);
    const invalid = log.runs[0]!.results.find((x) => x.ruleId === 'apim.key.invalid');
    assert.ok(invalid, JSON.stringify(log.runs[0]!.results.map((x) => x.ruleId)));
    assert.equal(invalid.level, 'error');
    assert.equal(invalid.locations[0]!.physicalLocation.artifactLocation.uri, sandbox.endpoints.mcpUrl);
    assert.ok(!r.stdout.includes(CANARY_KEY));
  });

  it('--format markdown prints the redacted report', async () => {
    const r = await cli(diagnoseArgs('--format', 'markdown'), { env });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^# APIM MCP diagnosis/);
    assert.match(r.stdout, /apim\.key\.invalid/);
    assert.ok(!r.stdout.includes(CANARY_KEY));
  });

  it('--json is --format json; giving both with different formats is a usage error', async () => {
    const alias = JSON.parse((await cli(diagnoseArgs('--json'), { env })).stdout) as object;
    const format = JSON.parse((await cli(diagnoseArgs('--format', 'json'), { env })).stdout) as object;
    assert.deepEqual(Object.keys(alias).sort(), ['clients', 'findings', 'server', 'timeline']);
    assert.deepEqual(Object.keys(format).sort(), Object.keys(alias).sort());
    const both = await cli(diagnoseArgs('--json', '--format', 'sarif'), { env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--json is --format json/);
  });

  it('--fail-on sets the threshold: an error always reaches it, a bad level is a usage error', async () => {
    assert.equal((await cli(diagnoseArgs('--fail-on', 'warning', '--format', 'json'), { env })).code, 1);
    const bad = await cli(diagnoseArgs('--fail-on', 'critical'), { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on must be error, warning or info/);
  });
});

describe('apim-mcp diagnose on a healthy gateway', () => {
  it('exits 0 with --fail-on error, and 1 with --fail-on info when there is any finding', async () => {
    const sandbox = await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] });
    try {
      const args = ['diagnose', sandbox.endpoints.mcpUrl, '--key-env', 'APIM_KEY', '--format', 'json'];
      const healthy = await cli([...args, '--fail-on', 'error'], { env: { APIM_KEY: CANARY_KEY } });
      assert.equal(healthy.code, 0, healthy.stdout);
      const findings = (JSON.parse(healthy.stdout) as { findings: unknown[] }).findings;
      const strict = await cli([...args, '--fail-on', 'info'], { env: { APIM_KEY: CANARY_KEY } });
      assert.equal(strict.code, findings.length > 0 ? 1 : 0);
    } finally {
      await sandbox.stop();
    }
  });
});
