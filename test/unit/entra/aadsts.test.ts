import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AADSTS_CATALOGUE, lookupAadsts } from '../../../src/core/entra/aadstsCatalogue';
import { parseAadstsText } from '../../../src/core/entra/aadstsText';
import { identifyRedirectUri, redirectUrisFor } from '../../../src/core/entra/redirectUris';
import { FUZZ_RUNS } from '../fuzzRuns';

const RESEARCH = join(__dirname, '..', '..', '..', '..', 'shared', 'research', 'apim-entra-diagnostics.md');

test('the catalogue holds every AADSTS code of the research table (§3.2)', () => {
  assert.ok(existsSync(RESEARCH), `research file not found at ${RESEARCH}`);
  const text = readFileSync(RESEARCH, 'utf8');
  const table = text.slice(text.indexOf('### 3.2 Code table'), text.indexOf('## 4. Entra token facts'));
  const codes = [...new Set([...table.matchAll(/^\| \*{0,2}AADSTS(\d+)/gm)].map((m) => Number(m[1])))];
  assert.ok(codes.length >= 35, `only ${codes.length} codes read from the research`);
  const missing = codes.filter((c) => !lookupAadsts(c));
  assert.deepEqual(missing, []);
  for (const e of AADSTS_CATALOGUE) {
    assert.match(e.findingId, /^entra\.[a-zA-Z]+\.[a-zA-Z]+$/, `${e.code} finding id`);
    assert.ok(e.fix.length > 20 && e.meaning.length > 20, `${e.code} needs a meaning and a fix`);
  }
});

test('lookup is by number: the same code maps the same way whatever the message says', () => {
  const a = parseAadstsText('AADSTS65001: something entirely different');
  const b = parseAadstsText('error_codes: [65001]');
  assert.deepEqual(a.codes, [65001]);
  assert.deepEqual(b.codes, [65001]);
  assert.equal(lookupAadsts(65001)?.findingId, 'entra.consent.required');
  assert.equal(lookupAadsts(50011)?.findingId, 'entra.redirectUri.mismatch');
  assert.equal(lookupAadsts(7000218)?.findingId, 'entra.redirectUri.platform');
  assert.equal(lookupAadsts(9010010)?.findingId, 'entra.resource.mismatch');
  assert.equal(lookupAadsts(50105)?.findingId, 'entra.assignment.required');
  assert.equal(lookupAadsts(501051)?.findingId, 'entra.assignment.required');
});

const pasted: { name: string; text: string; expect: Partial<ReturnType<typeof parseAadstsText>> }[] = [
  {
    name: 'error page text (50011)',
    text: "Sorry, but we're having trouble signing you in.\nAADSTS50011: The redirect URI 'http://localhost:64577' specified in the request does not match the redirect URIs configured for the application 'aebc6443-996d-45c2-90f0-388ff96faa56'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.\nTrace ID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\nCorrelation ID: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\nTimestamp: 2026-01-09 02:02:12Z",
    expect: { codes: [50011], redirectUri: 'http://localhost:64577', appId: 'aebc6443-996d-45c2-90f0-388ff96faa56', traceId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', correlationId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', timestamp: '2026-01-09 02:02:12Z' },
  },
  {
    name: 'redirect URL with error_description',
    text: 'http://127.0.0.1:33418/?error=consent_required&error_description=AADSTS65001%3A+The+user+or+administrator+hasn%27t+consented+to+use+the+application+with+ID+%277e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918%27.%0D%0ATrace+ID%3A+0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0%0D%0ACorrelation+ID%3A+9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d%0D%0ATimestamp%3A+2026-01-09+02%3A02%3A12Z&state=x',
    expect: { codes: [65001], error: 'consent_required', traceId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', correlationId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', timestamp: '2026-01-09 02:02:12Z' },
  },
  {
    name: 'token endpoint JSON',
    text: JSON.stringify({ error: 'invalid_client', error_description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.\r\nTrace ID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\r\nCorrelation ID: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\r\nTimestamp: 2026-01-09 02:02:12Z", error_codes: [7000218], trace_id: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' }),
    expect: { codes: [7000218], error: 'invalid_client', traceId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' },
  },
  {
    name: 'HTML-escaped error page',
    text: '<div>AADSTS700016: Application with identifier &#39;0badc0de-0000-4000-8000-000000000001&#39; was not found in the directory &#39;11111111-2222-3333-4444-555555555555&#39;.</div>',
    expect: { codes: [700016], appId: '0badc0de-0000-4000-8000-000000000001', tenant: '11111111-2222-3333-4444-555555555555' },
  },
  { name: 'no code', text: 'Something went wrong', expect: { codes: [] } },
];

for (const c of pasted) {
  test(`parse pasted Entra error: ${c.name}`, () => {
    const parsed = parseAadstsText(c.text);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(parsed[k as keyof typeof parsed], v, k);
  });
}

/** Pieces of the things people paste: error pages, redirect URLs with `?error=`, token-endpoint JSON, entities. */
const aadstsPiece = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'AADSTS', 'AADSTS50011', 'AADSTS65001: ', 'AADSTS99999999999', 'error_codes: [', 'error_codes: [7000218, 50011]', ']', '\\r\\n', '\r\n',
    "redirect URI '", "application '", "Application with identifier '", "'", 'Trace ID: ', 'Correlation ID: ', 'Timestamp: ',
    '&#39;', '&#x27;', '&#99999999999;', '&#x110000;', '&quot;', '&amp;', '&lt;script&gt;', 'error?code=50011',
    'https://vscode.dev/redirect?', 'http://127.0.0.1:33418/?', '#', '?', '&', '=', '%', '%ZZ', '%0D%0A', '+',
    'error=', 'error_description=', 'redirect_uri=', 'client_id=', 'state=x', '{"error":', '"error_codes":[', '"trace_id":', '}', '"', ',',
    '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'aebc6443-996d-45c2-90f0-388ff96faa56', ' ', '\n', '\u0000', '\ud800',
  ),
);
const aadstsPaste = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(aadstsPiece, { maxLength: 40 }).map((p) => p.join('')));

test(`the pasted-error and error-URL parser never throws, never hangs, and returns well-formed parts (${FUZZ_RUNS} runs)`, () => {
  fc.assert(
    fc.property(aadstsPaste, (s) => {
      const started = performance.now();
      const r = parseAadstsText(s);
      assert.ok(performance.now() - started < 1000, 'parser took over a second');
      assert.ok(Array.isArray(r.codes));
      for (const c of r.codes) assert.ok(Number.isInteger(c) && c >= 0, `code ${c}`);
      for (const k of ['error', 'appId', 'redirectUri', 'traceId', 'correlationId', 'timestamp', 'tenant', 'description'] as const) {
        assert.ok(r[k] === undefined || typeof r[k] === 'string', k);
      }
      for (const c of r.codes) lookupAadsts(c);
    }),
    { numRuns: FUZZ_RUNS },
  );
});

const redirects: { uri: string; client: string; platform: string }[] = [
  { uri: 'http://127.0.0.1:33418', client: 'VS Code', platform: 'publicClient' },
  { uri: 'http://localhost:64577', client: 'VS Code', platform: 'publicClient' },
  { uri: 'https://vscode.dev/redirect', client: 'VS Code', platform: 'publicClient' },
  { uri: 'ms-appx-web://Microsoft.AAD.BrokerPlugin/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b', client: 'VS Code', platform: 'publicClient' },
  { uri: 'msauth.com.microsoft.VSCode.helper://auth', client: 'VS Code', platform: 'publicClient' },
  { uri: 'https://global.consent.azure-apim.net/redirect/abc-connector', client: 'Copilot Studio', platform: 'web' },
  { uri: 'http://localhost:6274/oauth/callback', client: 'MCP Inspector', platform: 'spa' },
  { uri: 'http://127.0.0.1:6276/oauth/callback', client: 'MCP Inspector', platform: 'publicClient' },
  { uri: 'https://oauth.pstmn.io/v1/callback', client: 'Postman', platform: 'web' },
];

for (const r of redirects) {
  test(`redirect URI catalogue knows ${r.uri}`, () => {
    const entry = identifyRedirectUri(r.uri);
    assert.equal(entry?.client, r.client);
    assert.equal(entry?.platform, r.platform);
  });
}

test('redirectUrisFor fills in the client id for the WAM broker URI', () => {
  const uris = redirectUrisFor('VS Code', '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b').map((e) => e.uri);
  assert.ok(uris.includes('ms-appx-web://Microsoft.AAD.BrokerPlugin/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b'));
  assert.ok(uris.includes('http://127.0.0.1:33418'));
});

test('15.4 AADSTS9002313 ("Invalid request. Request is malformed or invalid.", invalid_grant) is matched by its code, whatever the text', () => {
  const pasted = parseAadstsText(JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS9002313: Invalid request. Request is malformed or invalid.\r\nTrace ID: 0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0', error_codes: [9002313] }));
  assert.deepEqual(pasted.codes, [9002313]);
  assert.equal(lookupAadsts(9002313)?.findingId, 'entra.signIn.failed');
  assert.equal(lookupAadsts(parseAadstsText('AADSTS9002313: some other wording').codes[0]!)?.code, 9002313);
});

test('15.1 the errors Entra shows before sign-in each have their own finding: 90002 tenant, 700016 client, 500113 and 50011 redirect URI', () => {
  assert.equal(lookupAadsts(90002)?.findingId, 'entra.tenant.notFound');
  assert.equal(lookupAadsts(700016)?.findingId, 'entra.client.notFound');
  assert.equal(lookupAadsts(500113)?.findingId, 'entra.redirectUri.none');
  assert.equal(lookupAadsts(50011)?.findingId, 'entra.redirectUri.mismatch');
  assert.equal(lookupAadsts(9002327)?.findingId, 'entra.redirectUri.platform');
});
