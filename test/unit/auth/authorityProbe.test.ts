import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeAuthorityMetadata } from '../../../src/auth/msal/authorityProbe';
import { MsalTokenSource } from '../../../src/auth/msal/msalTokenSource';
import type { AuthLog, SecretStore } from '../../../src/auth/tokenSource';
import { listenOnLoopback } from '../../harness/processes';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { API_SCOPE, entraScenario, PUBLIC_CLIENT_ID } from './entraScenario';
import { msalCacheSecretId } from '../../../src/core/secrets/secretBinding';

/**
 * This process does not trust the sandbox's throwaway CA (msalFlows.test.ts runs its child with it), which is what
 * a machine whose certificate store lacks the authority's CA sees. The wrong-tenant case, which needs trust, is in
 * msalFlows.child.ts.
 */
const store: SecretStore = { get: async () => undefined, store: async () => undefined, delete: async () => undefined };
const log: AuthLog = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('an authority MSAL cannot read is explained, not reported as "endpoints_resolution_error"', () => {
  let sandbox: Sandbox;
  let silent: Server;
  let silentPort = 0;

  before(async () => {
    sandbox = await startSandbox(entraScenario() as never);
    // Accepts connections and never answers, not even the TLS handshake.
    silent = createServer(() => undefined);
    silentPort = await listenOnLoopback(silent);
  });

  after(async () => {
    silent.close();
    await sandbox?.stop();
  });

  it('device code against an authority whose certificate is not trusted names the URL, the TLS error and what to check', async () => {
    const shown: string[] = [];
    const msal = await MsalTokenSource.create({ flow: 'deviceCode', authorityHost: sandbox.endpoints.entra, clientId: PUBLIC_CLIENT_ID, store, cacheKey: (kind) => msalCacheSecretId('products', kind), log, showDeviceCode: (p) => shown.push(p.userCode) });
    const error = await msal.getToken({ scopes: [API_SCOPE], tenant: sandbox.endpoints.tenantId }, 'interactive').then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, 'MSAL got a token from an authority this process does not trust');
    const metadataUrl = `${sandbox.endpoints.entra}/${sandbox.endpoints.tenantId}/v2.0/.well-known/openid-configuration`;
    assert.ok(error.message.startsWith(`Could not read the sign-in authority's OpenID configuration at ${metadataUrl}: `), error.message);
    assert.match(error.message, /certificate/i);
    assert.match(error.message, /\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    assert.match(error.message, /apimMcp\.entra\.authorityHost/);
    assert.doesNotMatch(error.message, /endpoints_resolution_error/);
    assert.deepEqual(shown, [], 'no device code can have been issued');
  });

  it('probe: a server that never answers times out; a host that is not https is named', async () => {
    assert.equal(await probeAuthorityMetadata(`https://127.0.0.1:${silentPort}/common/v2.0/.well-known/openid-configuration`, 300), 'no answer within 0.3 s');
    assert.match((await probeAuthorityMetadata('http://127.0.0.1:1/x')) ?? '', /Protocol "http:" not supported/);
  });
});
