import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { caBundleOf } from '../../harness/trust';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { entraScenario } from './entraScenario';

/**
 * MSAL needs https, and Node reads NODE_EXTRA_CA_CERTS only at start, so the flows run in a child node:test
 * process that trusts this sandbox's throwaway CA. The child drives real @azure/msal-node against the emulator.
 */
/** node:test marks its children; the child must run its own tests rather than report to this process. */
function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _ignored, ...rest } = env;
  return rest;
}

describe('msal-node flows against the sandbox Entra emulator', () => {
  let sandbox: Sandbox;
  /** Never approves a device code, for the sign-out-while-waiting case. */
  let pending: Sandbox;
  let trustedCas: ReturnType<typeof caBundleOf>;

  before(async () => {
    sandbox = await startSandbox(entraScenario() as never);
    const scenario = entraScenario();
    pending = await startSandbox({ ...scenario, entra: { ...scenario.entra, deviceCode: { approval: 'pending', approveAfterMs: 0, intervalSeconds: 1 } } } as never);
    trustedCas = caBundleOf([sandbox, pending]);
  });

  after(async () => {
    await sandbox?.stop();
    await pending?.stop();
    trustedCas?.dispose();
  });

  it('pass in a child process that trusts the sandbox CA', async () => {
    // Asynchronous: the sandbox lives in this process and must keep answering while the child runs.
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', join(__dirname, 'msalFlows.child.ts')], {
      cwd: join(__dirname, '..', '..', '..'),
      env: {
        ...withoutTestContext(process.env),
        NODE_EXTRA_CA_CERTS: trustedCas.path,
        APIM_MCP_SANDBOX: JSON.stringify(sandbox.endpoints),
        APIM_MCP_SANDBOX_PENDING: JSON.stringify(pending.endpoints),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const timer = setTimeout(() => child.kill(), 120_000);
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    console.log(output.split('\n').map((l) => `    ${l}`).join('\n'));
    assert.equal(status, 0, 'the msal flows failed (output above)');
    assert.match(output, /pass [1-9]/);
    assert.match(output, /fail 0/);
  });
});
