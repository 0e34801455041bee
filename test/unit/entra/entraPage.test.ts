import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAadstsText } from '../../../src/core/entra/aadstsText';
import { configObjectOf, readEntraPage } from '../../../src/core/entra/entraPage';
import { readPreflight } from '../../../src/core/probe/authorizePreflight';
import type { HttpExchange } from '../../../src/core/probe/probeHttpClient';
import { FUZZ_RUNS } from '../fuzzRuns';

export const REAL = join(__dirname, '..', '..', 'fixtures', 'real');
const errorPage = readFileSync(join(REAL, 'entra', 'authorize-error-50011.html'), 'utf8');
const signInPage = readFileSync(join(REAL, 'entra', 'authorize-signin.html'), 'utf8');
const CLIENT = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

function pageAnswer(body: string, status = 200): HttpExchange {
  return {
    step: 'authorize-preflight',
    method: 'GET',
    url: 'https://login.microsoftonline.com/t/oauth2/v2.0/authorize',
    sentSecretHeaders: [],
    droppedSecretHeaders: [],
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    bodyText: body,
    truncated: false,
    redirects: [],
    durationMs: 1,
  };
}

/** The fixture with another error in its $Config: the page shape stays, only the message and code change. */
function withError(code: number, message: string): string {
  const json = JSON.stringify(message).slice(1, -1).replace(/'/g, '\\u0027');
  return errorPage.replace(/"strServiceExceptionMessage":"(?:[^"\\]|\\.)*"/, `"strServiceExceptionMessage":"${json}"`).replace('"iErrorCode":50011', `"iErrorCode":${code}`);
}

test('15.1 the real-format Entra error page (HTTP 200, $Config script, \\u0027 quotes) is an AADSTS50011 with the redirect URI and app id', () => {
  const outcome = readPreflight(pageAnswer(errorPage), 'https://vscode.dev/redirect');
  assert.equal(outcome.kind, 'aadsts', JSON.stringify(outcome));
  if (outcome.kind !== 'aadsts') return;
  assert.equal(outcome.via, 'page');
  assert.deepEqual(outcome.parsed.codes, [50011]);
  assert.equal(outcome.parsed.redirectUri, 'https://vscode.dev/redirect');
  assert.equal(outcome.parsed.appId, CLIENT);
  assert.match(outcome.parsed.description ?? '', /^AADSTS50011: The redirect URI 'https:\/\/vscode\.dev\/redirect' specified/);
});

test('15.1 the page pasted whole into the explain box reads the same', () => {
  const parsed = parseAadstsText(errorPage);
  assert.deepEqual(parsed.codes, [50011]);
  assert.equal(parsed.redirectUri, 'https://vscode.dev/redirect');
  assert.equal(parsed.appId, CLIENT);
});

test('15.1 the other errors Entra shows before sign-in (500113, 700016, 90002) are read from the same page shape', () => {
  const cases: [number, string][] = [
    [500113, 'AADSTS500113: No reply address is registered for the application.'],
    [700016, `AADSTS700016: Application with identifier '0badc0de-0000-4000-8000-000000000001' was not found in the directory '11111111-2222-3333-4444-555555555555'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`],
    [90002, "AADSTS90002: Tenant '00000000-0000-0000-0000-00000000dead' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."],
  ];
  for (const [code, message] of cases) {
    const outcome = readPreflight(pageAnswer(withError(code, message)), 'http://127.0.0.1:33418');
    assert.equal(outcome.kind, 'aadsts', `${code}: ${JSON.stringify(outcome)}`);
    if (outcome.kind === 'aadsts') assert.deepEqual(outcome.parsed.codes, [code]);
  }
  const notFound = readPreflight(pageAnswer(withError(700016, cases[1]![1])), 'http://127.0.0.1:33418');
  assert.ok(notFound.kind === 'aadsts' && notFound.parsed.appId === '0badc0de-0000-4000-8000-000000000001' && notFound.parsed.tenant === '11111111-2222-3333-4444-555555555555');
});

test('15.9 the sign-in page (nobody signed in) is a pass of the pre-sign-in checks; a page that is neither is inconclusive', () => {
  assert.deepEqual(readPreflight(pageAnswer(signInPage), 'http://127.0.0.1:33418'), { kind: 'passes', via: 'signInPage' });
  const page = readEntraPage(signInPage);
  assert.equal(page?.pageId, 'ConvergedSignIn');
  assert.equal(page?.postUrl, '/11111111-2222-3333-4444-555555555555/login');
  const other = readPreflight(pageAnswer('<html><body>Welcome</body></html>'), 'http://127.0.0.1:33418');
  assert.equal(other.kind, 'inconclusive');
});

test('15.1 $Config reading: strings with braces and escapes, a string iErrorCode, no $Config, and a cut-off object', () => {
  assert.deepEqual(configObjectOf('<script>$Config={"a":"}{\\"}","b":[1,{"c":2}]};</script>'), { a: '}{"}', b: [1, { c: 2 }] });
  assert.equal(readEntraPage('<script>$Config={"pgid":"ConvergedError","iErrorCode":"50058","strServiceExceptionMessage":"x"};</script>')?.errorCode, 50058);
  assert.equal(readEntraPage('<html><body>no config</body></html>'), undefined);
  assert.equal(configObjectOf('$Config={"a":1'), undefined);
  assert.equal(configObjectOf('$Config=[1,2]'), undefined);
  // A hostile page: a huge unterminated object is given up at the cap, not scanned quadratically.
  assert.equal(configObjectOf(`$Config=${'{'.repeat(3 * 1024 * 1024)}`), undefined);
  assert.equal(configObjectOf(`$Config={"a":"${'\\\\'.repeat(500_000)}`), undefined);
});

test('15.1 any text: reading an Entra page never throws and a code comes only from the page', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 200 }), (before, inside) => {
      const page = readEntraPage(`${before}$Config={"pgid":"ConvergedError","strServiceExceptionMessage":${JSON.stringify(inside)}};`);
      assert.ok(page === undefined || typeof page === 'object');
      parseAadstsText(`${before}$Config=${inside}`);
    }),
    { numRuns: Math.min(FUZZ_RUNS, 2000) },
  );
});
