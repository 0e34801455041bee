import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index';

const API = '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f';

function runChild(args: unknown, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'msal-child.ts'), JSON.stringify(args)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('real MSAL (client credentials, device code, auth code + PKCE, silent refresh) against the Entra emulator', { timeout: 30_000 }, async () => {
  const log: string[] = [];
  const sb = await startSandbox('healthy-entra', { log: (l) => log.push(l) });
  try {
    const { code, stdout, stderr } = await runChild(
      {
        authority: sb.endpoints.authorityV2,
        host: sb.endpoints.entraHost,
        mcpUrl: sb.endpoints.mcpUrl,
        apiAppId: API,
        publicClientId: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
        daemonClientId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        daemonSecret: 'sbx~daemon~secret~not~real~0001',
        redirectUri: 'http://127.0.0.1:33418',
      },
      { ...process.env, NODE_EXTRA_CA_CERTS: sb.endpoints.caCertPath },
    );
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as Record<string, { ok: boolean; claims?: Record<string, unknown>; [k: string]: unknown }>;
    const issuer = `${sb.endpoints.entra}/${sb.endpoints.tenantId}/v2.0`;

    assert.equal(out.clientCredentials.ok, true, JSON.stringify(out.clientCredentials));
    assert.deepEqual(out.clientCredentials.claims, {
      aud: API,
      iss: issuer,
      ver: '2.0',
      azp: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      azpacr: '1',
      roles: ['Products.Read', 'Products.Write'],
      idtyp: 'app',
      tid: sb.endpoints.tenantId,
      oid: out.clientCredentials.claims!.oid,
    });
    assert.equal(out.clientCredentialsBadSecret.ok, false);
    assert.match(String(out.clientCredentialsBadSecret.message), /AADSTS7000215: Invalid client secret is provided\./);

    assert.equal(out.deviceCode.ok, true, JSON.stringify(out.deviceCode));
    assert.equal(out.deviceCode.claims!.scp, 'user_impersonate');
    assert.equal(out.deviceCode.claims!.azp, '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b');
    assert.equal(out.deviceCode.account, 'alex@contoso.onmicrosoft.com');
    assert.match(String(out.deviceCode.deviceMessage), /^To sign in, use a web browser to open the page https:\/\/127\.0\.0\.1:\d+\/devicelogin/);

    assert.equal(out.authCode.ok, true, JSON.stringify(out.authCode));
    assert.equal(out.authCode.state, 'state-123');
    assert.equal(out.authCode.wrongVerifier, 'invalid_grant');
    assert.deepEqual(out.authCode.claims!.roles, ['Products.Read', 'Products.Write', 'Products.Delete']);
    assert.equal(out.authCode.claims!.aud, API);
    assert.equal(out.authCode.idTokenAud, '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b');
    assert.equal((out.authCode.silent as { claims: Record<string, unknown> }).claims.aud, API);
    assert.equal(out.authCode.silentNewToken, true, 'forceRefresh went to /token with the refresh token');

    // What MSAL fetched, seen by the emulator (no instance discovery with knownAuthorities).
    const paths = log.filter((l) => l.startsWith('entra: ') && / \//.test(l)).map((l) => l.replace(/^entra: /, ''));
    const tid = sb.endpoints.tenantId;
    assert.ok(paths.includes(`GET /${tid}/v2.0/.well-known/openid-configuration`), paths.join('\n'));
    assert.ok(paths.includes(`POST /${tid}/oauth2/v2.0/devicecode`));
    assert.ok(paths.includes(`GET /${tid}/oauth2/v2.0/authorize`));
    assert.ok(paths.filter((p) => p === `POST /${tid}/oauth2/v2.0/token`).length >= 5);
    assert.ok(!log.some((l) => l.includes('sbx~daemon~secret')), 'no secret in logs');
  } finally {
    await sb.stop();
  }
});
