import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type DiagnoseInput, type Diagnosis } from '../../../src/core/diagnosis';
import { observe } from '../../../src/core/diagnosis/observe';
import { VSCODE_ENTRA_REDIRECT_URIS } from '../../../src/core/entra/redirectUris';
import { loadScenario, startSandbox, type Sandbox, type ScenarioInput } from '../../sandbox/index';
import { inputFor, sandboxFetch } from './sandboxClient';

async function run(scenario: string | ScenarioInput, adjust: (input: DiagnoseInput) => DiagnoseInput = (i) => i): Promise<{ diagnosis: Diagnosis; sb: Sandbox }> {
  const sb = await startSandbox(scenario as never);
  const net = sandboxFetch(sb);
  try {
    const diagnosis = await diagnose(adjust(await inputFor(sb)), { fetch: net.fetch, timeoutMs: 5000 });
    return { diagnosis, sb };
  } finally {
    net.close();
    await sb.stop();
  }
}

const ids = (d: Diagnosis, severity?: string) => d.findings.filter((f) => !severity || f.severity === severity).map((f) => f.id);
const finding = (d: Diagnosis, id: string) => d.findings.find((f) => f.id === id);

test('15.1 diagnosis against the real-format Entra error page: entra.redirectUri.mismatch with the redirect URI and the app id', async () => {
  const { diagnosis } = await run('redirect-uri-not-registered');
  const f = finding(diagnosis, 'entra.redirectUri.mismatch');
  assert.ok(f, JSON.stringify(ids(diagnosis)));
  const evidence = f.evidence.join('\n');
  assert.match(evidence, /HTTP 200 error page/);
  assert.match(evidence, /AADSTS50011: The redirect URI 'https:\/\/vscode\.dev\/redirect' specified in the request does not match the redirect URIs configured for the application '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b'/);
  assert.match(f.fix.summary, /On app registration 3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b → Authentication, add the redirect URI https:\/\/vscode\.dev\/redirect/);
});

test('15.5 the challenge names resource_metadata: only that URL counts, a document at the well-known path does not rescue it', async () => {
  const { diagnosis } = await run('prm-challenge-elsewhere');
  assert.deepEqual(ids(diagnosis, 'error'), ['mcp.prm.missing']);
  const evidence = finding(diagnosis, 'mcp.prm.missing')!.evidence.join('\n');
  assert.match(evidence, /clients fetch only this URL: no well-known fallback/);
  assert.match(evidence, /a PRM document exists at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/products\/mcp, but clients do not fetch it here/);
});

test('15.5 a PRM operation inside the key-protected API is found with the key, which goes to that origin only', async () => {
  const sb = await startSandbox('healthy-prm-behind-key');
  const net = sandboxFetch(sb);
  try {
    const input = await inputFor(sb);
    const obs = await observe(input, { fetch: net.fetch, timeoutMs: 5000 });
    assert.ok(obs.prm, 'no PRM found');
    assert.equal(obs.prm.source, 'challenge');
    assert.ok(obs.prm.exchange.sentSecretHeaders.includes('Ocp-Apim-Subscription-Key'), 'the key was not sent to the same-origin PRM');
    const gateway = new URL(sb.endpoints.gateway).origin;
    for (const e of obs.exchanges.filter((x) => new URL(x.url).origin !== gateway)) assert.deepEqual(e.sentSecretHeaders, [], `a secret went to ${e.url}`);
    const diagnosis = await diagnose(input, { fetch: net.fetch, timeoutMs: 5000 });
    assert.deepEqual(ids(diagnosis, 'error'), []);
    // Without the key the same PRM is behind APIM's 401: the finding says where it is and what to configure.
    const keyless = await diagnose({ ...input, subscriptionKey: undefined, auth: 'entra' }, { fetch: net.fetch, timeoutMs: 5000 });
    assert.ok(ids(keyless, 'error').includes('apim.key.missing'), JSON.stringify(ids(keyless)));
  } finally {
    net.close();
    await sb.stop();
  }
});

test('15.5 the PRM resource with a trailing slash is a mismatch, as VS Code compares it', async () => {
  const { diagnosis } = await run('prm-resource-trailing-slash');
  assert.deepEqual(ids(diagnosis, 'error'), ['mcp.prm.resourceMismatch']);
});

test('15.8 authorization-server metadata: RFC 8414 (path-inserted) is tried before OpenID configuration', async () => {
  const entra = await startSandbox('healthy-entra');
  const net = sandboxFetch(entra);
  try {
    const obs = await observe({ ...(await inputFor(entra)), accessToken: undefined }, { fetch: net.fetch, timeoutMs: 5000 });
    const kinds = obs.authServer!.attempts.map((a) => a.kind);
    assert.deepEqual(kinds.filter((k) => k !== 'oidcV1'), ['oauthInsert', 'oidcInsert', 'oidcAppend']);
    assert.match(obs.authServer!.attempts[0]!.url, /\/\.well-known\/oauth-authorization-server\/11111111-2222-3333-4444-555555555555\/v2\.0$/);
    assert.ok(obs.authServer!.metadata?.authorization_endpoint);
  } finally {
    net.close();
    await entra.stop();
  }
});

test('15.8 APIM as the authorization server (RFC 8414 metadata only) is not reported as entra.metadata.unreachable', async () => {
  const { diagnosis } = await run('healthy-apim-authorization-server');
  assert.ok(!ids(diagnosis).includes('entra.metadata.unreachable'), JSON.stringify(ids(diagnosis)));
  assert.deepEqual(ids(diagnosis, 'error'), [], JSON.stringify(diagnosis.findings, null, 1));
});

test('15.8 no PRM, but the MCP origin is its own authorization server (plain Bearer challenge): VS Code\'s fallback works', async () => {
  const base = loadScenario('healthy-apim-authorization-server');
  const scenario = { ...base, name: 'apim-as-no-prm', gateway: { ...base.gateway, bearerChallenge: 'plain', prm: { ...base.gateway.prm, mode: 'missing' } } } as ScenarioInput;
  const { diagnosis } = await run(scenario);
  assert.deepEqual(ids(diagnosis, 'error'), [], JSON.stringify(diagnosis.findings, null, 1));
  assert.ok(ids(diagnosis).includes('mcp.auth.originAuthorizationServer'));
  const noRegistration = { ...scenario, gateway: { ...scenario.gateway, authorizationServer: { dynamicRegistration: false } } } as ScenarioInput;
  // Without registration the client needs a static client id; this client configured one, so only the bare client fails.
  assert.deepEqual(ids((await run(noRegistration)).diagnosis, 'error'), []);
  assert.deepEqual(ids((await run(noRegistration, (i) => ({ ...i, signIn: undefined }))).diagnosis, 'error'), ['mcp.auth.noClientRegistration']);
});

test('15.9 consent is checked only after sign-in: no error, and a finding saying what the preflight did and did not check', async () => {
  for (const name of ['consent-required', 'assignment-required', 'redirect-uri-web-platform']) {
    const { diagnosis } = await run(name);
    assert.deepEqual(ids(diagnosis, 'error'), [], name);
    const f = finding(diagnosis, 'entra.preflight.beforeSignIn');
    assert.ok(f, `${name}: ${JSON.stringify(ids(diagnosis))}`);
    assert.equal(f.severity, 'info');
    const text = `${f.evidence.join('\n')}\n${f.fix.summary}`;
    assert.match(text, /Entra sign-in page \(nobody signed in\)/);
    for (const code of ['90002', '700016', '500113', '50011', '65001', '50105', '70011', '9010010', '7000218']) assert.ok(text.includes(code), `${name}: ${code} not named`);
  }
});

test('15.d an /sse URL is tried with the legacy SSE transport before "nothing is published there"', async () => {
  const sse = await run('healthy-sse');
  assert.deepEqual(ids(sse.diagnosis, 'error'), []);
  assert.ok(ids(sse.diagnosis).includes('mcp.transport.legacySse'));
  assert.deepEqual([...(sse.diagnosis.tools ?? [])].sort(), ['createProduct', 'deleteProduct', 'getProduct', 'listProducts', 'searchProducts', 'updateProduct']);
  const off = await run('sse-transport-off');
  assert.deepEqual(ids(off.diagnosis, 'error'), ['apim.path.notFound']);
  assert.match(finding(off.diagnosis, 'apim.path.notFound')!.evidence.join('\n'), /legacy SSE transport tried too: GET http:\/\/127\.0\.0\.1:\d+\/products\/sse → HTTP 404/);
});

test('15.10 https://vscode.dev/redirect goes under "Mobile and desktop applications", and the fix cites VS Code\'s source and Microsoft\'s docs', async () => {
  const { diagnosis } = await run('redirect-uri-not-registered');
  const f = finding(diagnosis, 'entra.redirectUri.mismatch')!;
  assert.match(f.fix.summary, /under the "Mobile and desktop applications \(public client\)" platform/);
  assert.match(f.fix.summary, /"Web" wants a client secret \(AADSTS7000218\), "Single-page application" a browser redemption \(AADSTS9002327\)/);
  const urls = (f.fix.links ?? []).map((l) => l.url);
  assert.ok(urls.some((u) => u.startsWith('https://github.com/microsoft/vscode/blob/') && u.endsWith('/extensions/microsoft-authentication/src/node/flows.ts')), `no link to VS Code's flows.ts in ${JSON.stringify(urls)}`);
  assert.ok(urls.includes('https://learn.microsoft.com/entra/identity-platform/how-to-add-redirect-uri'), `no link to Microsoft's redirect URI doc in ${JSON.stringify(urls)}`);
  assert.ok(f.fix.commands?.some((c) => c.includes('--public-client-redirect-uris') && c.includes('https://vscode.dev/redirect')));
});

test('15.10 VS Code\'s Entra sign-in with a custom client uses http://localhost (MSAL) and https://vscode.dev/redirect, not 127.0.0.1:33418', async () => {
  const base = loadScenario('redirect-uri-not-registered');
  const client = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
  const apps = base.entra.apps.map((a) => (a.appId === client ? { ...a, redirectUris: { publicClient: ['http://localhost', 'https://vscode.dev/redirect'], web: [], spa: [] } } : a));
  const scenario = { ...base, name: 'vscode-custom-client', entra: { ...base.entra, apps } } as ScenarioInput;
  const asVsCode = (input: DiagnoseInput, redirectUris: readonly string[]) => ({ ...input, signIn: { ...input.signIn!, redirectUris } });
  const right = await run(scenario, (i) => asVsCode(i, VSCODE_ENTRA_REDIRECT_URIS));
  assert.deepEqual(ids(right.diagnosis, 'error'), []);
  const old = await run(scenario, (i) => asVsCode(i, ['http://127.0.0.1:33418', 'https://vscode.dev/redirect']));
  assert.deepEqual(ids(old.diagnosis, 'error'), ['entra.redirectUri.mismatch'], 'the old list reported a redirect URI VS Code never sends to Entra');
});
