/**
 * Issue 15, "right on real gateways": the diagnosis against the sandbox scenarios that follow recorded real
 * behaviour. Each test names the item it proves; scenarios.test.ts checks the finding ids of every scenario, these
 * check what the findings say (evidence and fix) where the item is about words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Scenario } from '../../sandbox/index';
import { diagnose, type Diagnosis, type DiagnoseInput } from '../../../src/core/diagnosis';
import { inputFor, sandboxFetch } from './sandboxClient';

async function diagnoseScenario(scenario: string | Scenario, adjust: (input: DiagnoseInput) => DiagnoseInput = (i) => i): Promise<Diagnosis> {
  const sb = await startSandbox(scenario);
  const net = sandboxFetch(sb);
  try {
    return await diagnose(adjust(await inputFor(sb)), { fetch: net.fetch, timeoutMs: 5000 });
  } finally {
    net.close();
    await sb.stop();
  }
}

function finding(d: Diagnosis, id: string) {
  const f = d.findings.find((x) => x.id === id);
  assert.ok(f, `no ${id} in ${JSON.stringify(d.findings.map((x) => x.id))}`);
  return f;
}

const errorIds = (d: Diagnosis) => d.findings.filter((f) => f.severity === 'error').map((f) => f.id).sort();

test('15.2 a wrong key answered with APIM\'s key challenge is invalid, not missing', async () => {
  const d = await diagnoseScenario('key-invalid');
  assert.deepEqual(errorIds(d), ['apim.key.invalid']);
  assert.match(finding(d, 'apim.key.invalid').evidence.join('\n'), /WWW-Authenticate: AzureApiManagementKey/);
});

test('15.2 a key sent in the advertised header but answered "missing" was not recognised; the finding does not say none was sent', async () => {
  const d = await diagnoseScenario('key-not-recognised');
  assert.deepEqual(errorIds(d), ['apim.key.invalid']);
  const f = finding(d, 'apim.key.invalid');
  assert.match(f.title, /not recognised/);
  assert.ok(!/none was sent|no subscription key was sent/.test(`${f.title}\n${f.evidence.join('\n')}`), f.evidence.join('\n'));
  assert.match(f.evidence.join('\n'), /a key was sent in Ocp-Apim-Subscription-Key/);
});

test('15.b a token refused with failed-validation-httpcode="403" is named as a token rejection, not apim.forbidden', async () => {
  const d = await diagnoseScenario('forbidden-token-403');
  assert.deepEqual(errorIds(d), ['entra.token.expired']);
  assert.match(finding(d, 'entra.token.expired').evidence.join('\n'), /HTTP 403/);
});

for (const scenario of ['quota-exceeded', 'ip-forbidden']) {
  test(`15.7 a ${scenario} 403 says that VS Code treats 403 like 401 and starts its sign-in discovery`, async () => {
    const d = await diagnoseScenario(scenario);
    const [f] = d.findings.filter((x) => x.severity === 'error');
    assert.ok(f);
    assert.match(f.fix.summary, /VS Code treats a 403 like a 401/);
    assert.match(f.fix.summary, /sign-in/);
  });
}

test('15.3 a fast 500 to initialize is "one of" an expression error or an unreachable backend, with the checks that decide', async () => {
  const d = await diagnoseScenario('backend-down');
  assert.deepEqual(errorIds(d), ['apim.server.internalError']);
  const f = finding(d, 'apim.server.internalError');
  assert.match(f.title, /one of/i);
  for (const check of [/BackendConnectionFailure/, /ExpressionValueEvaluationFailure/, /Apim-Debug-Authorization/, /Application Insights/]) assert.match(f.fix.summary, check);
  assert.match(f.evidence.join('\n'), /HTTP 500 · body: .*Internal server error/);
  assert.ok(f.evidence.includes('initialize → HTTP 500') && f.evidence.includes('no request reached the backend this run'), f.evidence.join('\n'));
});

test('15.3 a 500 that came when the forward-request timeout passed, after tools/list worked, is named a backend timeout', async () => {
  const d = await diagnoseScenario('backend-timeout');
  assert.deepEqual(errorIds(d), ['apim.backend.timeout']);
  const evidence = finding(d, 'apim.backend.timeout').evidence.join('\n');
  assert.match(evidence, /tools\/call listProducts.* → HTTP 500/);
  assert.match(evidence, /took [\d.]+ s/);
  assert.match(evidence, /initialize and tools\/list worked this run/);
});

test('15.c without a tool → role map, one read-only tool call is made, and a policy that fails every tools/call with 500 is not healthy', async () => {
  const d = await diagnoseScenario('tool-call-expression-error', (input) => ({ ...input, toolRoles: undefined }));
  assert.deepEqual(errorIds(d), ['apim.policy.expressionError']);
  assert.match(finding(d, 'apim.policy.expressionError').evidence.join('\n'), /tools\/call listProducts.*HTTP 500/);
  assert.ok(d.timeline.some((t) => /tools\/call/.test(t.step)), 'a tools/call was made');
});

test('15.a a v2 token against a v1-only issuer list is an issuer error, with the policy line as evidence', async () => {
  const d = await diagnoseScenario('token-v2-against-v1-issuers');
  assert.deepEqual(errorIds(d), ['entra.token.issuer']);
  const evidence = finding(d, 'entra.token.issuer').evidence.join('\n');
  assert.match(evidence, /iss = ".*\/v2\.0"/);
  assert.match(evidence, /policy\.xml:\d+: <issuer>https:\/\/sts\.windows\.net\/[0-9a-f-]+\/<\/issuer>/);
});

test('15.a a GUID audience against an api://-only audience list is an audience error, with the policy line as evidence', async () => {
  const d = await diagnoseScenario('token-audience-uri-only');
  assert.deepEqual(errorIds(d), ['entra.token.audience']);
  assert.match(finding(d, 'entra.token.audience').evidence.join('\n'), /accepted audiences = "api:\/\/[0-9a-f-]+" \(policy\.xml:\d+: <audience>api:\/\/[0-9a-f-]+<\/audience>\)/);
});

test('15.a without the policy the same v2-vs-v1 case can only say the token was rejected', async () => {
  const d = await diagnoseScenario('token-v2-against-v1-issuers', (input) => ({ ...input, expect: undefined }));
  assert.deepEqual(errorIds(d), ['entra.token.rejected']);
});

test('15.6 an on-error Bearer rewrite of a missing-key 401 is still named as the key problem, comparing the attempts', async () => {
  const d = await diagnoseScenario('key-masked-by-on-error');
  assert.deepEqual(errorIds(d), ['apim.key.maskedByOnError']);
  const f = finding(d, 'apim.key.maskedByOnError');
  const evidence = f.evidence.join('\n');
  assert.match(evidence, /WWW-Authenticate: Bearer .*body: \{"error":"unauthorized"/);
  assert.match(evidence, /the request without credentials and the one with the token got the same answer/);
  assert.match(evidence, /no subscription key was sent/);
  assert.match(evidence, /the token's claims match what the gateway expects/);
  for (const check of [/subscriptionRequired/, /LastError\.Reason/, /SubscriptionKeyNotFound/]) assert.match(f.fix.summary + (f.fix.commands ?? []).join('\n'), check);
});
