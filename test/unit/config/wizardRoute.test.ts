import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIdProblem, entraProblem } from '../../../src/core/config/addServerPlan';
import { keyDetectedWarning, stepNumber, suggestedSignInMethod, urlStepFinding, wizardRoute, type RouteFacts, type WizardStep } from '../../../src/core/config/wizardRoute';
import type { AuthDetection } from '../../../src/core/probe/detectAuth';
import { analyzeServerUrl, type UrlAnalysis } from '../../../src/core/url/serverUrl';

function url(raw: string): UrlAnalysis {
  const analysis = analyzeServerUrl(raw);
  assert.ok(analysis.ok);
  return analysis.value;
}

const KEY_ONLY: AuthDetection = { reached: true, status: 401, outcome: { kind: 'keyMissing' }, keyChallenge: { headerName: 'Ocp-Apim-Subscription-Key' }, suggestedAuth: 'subscriptionKey' };
const KEY_AND_BEARER: AuthDetection = { ...KEY_ONLY, bearer: {}, suggestedAuth: 'subscriptionKeyAndEntra' };
const ENTRA_ONLY: AuthDetection = { reached: true, status: 401, outcome: { kind: 'bearerChallenge' }, bearer: {}, suggestedAuth: 'entra' };
const NOT_FOUND: AuthDetection = { reached: true, status: 404, outcome: { kind: 'notFound' }, suggestedAuth: 'subscriptionKey' };

/** The numbers a person sees, "n/total", step by step along a route. */
function counter(facts: RouteFacts): string[] {
  const route = wizardRoute(facts);
  return route.map((step) => {
    const n = stepNumber(route, step)!;
    return `${n.step}/${n.totalSteps}`;
  });
}

describe('wizard route: the step counter (18.6)', () => {
  const routes: [string, RouteFacts, WizardStep[]][] = [
    ['nothing known yet: the key route to the extension', { browserWindow: false }, ['url', 'name', 'auth', 'target', 'key']],
    ['key to the extension', { auth: 'subscriptionKey', target: 'extension', browserWindow: false }, ['url', 'name', 'auth', 'target', 'key']],
    ['key to the user mcp.json: VS Code asks for the key', { auth: 'subscriptionKey', target: 'userMcpJson', browserWindow: false }, ['url', 'name', 'auth', 'target']],
    ['key to .mcp.json: the key goes to secret storage for the terminal', { auth: 'subscriptionKey', target: 'rootDotMcpJson', browserWindow: false }, ['url', 'name', 'auth', 'target', 'key']],
    ['Entra suggested by detection, desktop', { suggestedAuth: 'entra', browserWindow: false }, ['url', 'name', 'auth', 'target', 'tenant', 'scopes', 'clientId']],
    ['Entra to the extension in VS Code for the browser', { auth: 'entra', target: 'extension', browserWindow: true }, ['url', 'name', 'auth', 'target', 'tenant', 'scopes', 'signInMethod', 'clientId']],
    ['Entra to an mcp.json in the browser: VS Code signs in', { auth: 'entra', target: 'workspaceMcpJson', browserWindow: true }, ['url', 'name', 'auth', 'target', 'tenant', 'scopes', 'clientId']],
    ['key and Entra to the extension in the browser', { auth: 'subscriptionKeyAndEntra', browserWindow: true }, ['url', 'name', 'auth', 'target', 'key', 'tenant', 'scopes', 'signInMethod', 'clientId']],
    ['no auth', { auth: 'none', browserWindow: true }, ['url', 'name', 'auth', 'target']],
    ['the choice wins over the suggestion', { auth: 'none', suggestedAuth: 'entra', browserWindow: false }, ['url', 'name', 'auth', 'target']],
  ];
  for (const [name, facts, expected] of routes) it(name, () => assert.deepEqual(wizardRoute(facts), expected));

  it('numbers every step of a route once, in order, with one total: no jumps', () => {
    assert.deepEqual(counter({ auth: 'subscriptionKey', browserWindow: false }), ['1/5', '2/5', '3/5', '4/5', '5/5']);
    assert.deepEqual(counter({ auth: 'entra', browserWindow: true }), ['1/8', '2/8', '3/8', '4/8', '5/8', '6/8', '7/8', '8/8']);
  });

  it('the key route keeps its total from the first step to the key step (it was 1/4 then 4/5 then 5/5)', () => {
    const before = wizardRoute({ browserWindow: false });
    const afterDetection = wizardRoute({ suggestedAuth: 'subscriptionKey', browserWindow: false });
    const afterChoices = wizardRoute({ auth: 'subscriptionKey', target: 'extension', browserWindow: false });
    assert.equal(stepNumber(before, 'url')?.totalSteps, 5);
    assert.deepEqual(stepNumber(afterDetection, 'target'), { step: 4, totalSteps: 5 });
    assert.deepEqual(stepNumber(afterChoices, 'key'), { step: 5, totalSteps: 5 });
  });

  it('a step the route passes by has no number', () => {
    assert.equal(stepNumber(wizardRoute({ auth: 'subscriptionKey', target: 'userMcpJson', browserWindow: false }), 'key'), undefined);
    assert.equal(stepNumber(wizardRoute({ auth: 'entra', browserWindow: false }), 'signInMethod'), undefined);
  });
});

describe('wizard route: what the probe found, at the step where it arises', () => {
  it('the legacy /sse URL is flagged before anything is sent, with the /mcp URL to use', () => {
    assert.deepEqual(urlStepFinding(url('https://contoso.azure-api.net/products/sse'), undefined), {
      kind: 'pathMistake',
      mistake: 'sse',
      suggestedUrl: 'https://contoso.azure-api.net/products/mcp',
      notFound: false,
    });
  });

  it('the probe\'s 404 is reported at the URL step, with the path mistake when there is one (18.6)', () => {
    assert.equal((urlStepFinding(url('https://contoso.azure-api.net/products/sse'), NOT_FOUND) as { notFound: boolean }).notFound, true);
    assert.deepEqual(urlStepFinding(url('https://contoso.azure-api.net/nothing/mcp'), NOT_FOUND), { kind: 'notFound', status: 404 });
  });

  it('an unreachable server is a finding; an answer other than 404 is none', () => {
    assert.deepEqual(urlStepFinding(url('https://contoso.azure-api.net/products/mcp'), { reached: false, error: 'timeout: 10 s' }), { kind: 'unreachable', error: 'timeout: 10 s' });
    assert.equal(urlStepFinding(url('https://contoso.azure-api.net/products/mcp'), KEY_ONLY), undefined);
    assert.equal(urlStepFinding(url('https://contoso.azure-api.net/products/mcp'), undefined), undefined);
  });

  it('a key challenge with Entra ID chosen is a warning that points to the key route (18.5)', () => {
    assert.deepEqual(keyDetectedWarning(KEY_ONLY, 'entra'), { headerName: 'Ocp-Apim-Subscription-Key', suggested: 'subscriptionKey' });
    assert.deepEqual(keyDetectedWarning(KEY_ONLY, 'none'), { headerName: 'Ocp-Apim-Subscription-Key', suggested: 'subscriptionKey' });
    assert.deepEqual(keyDetectedWarning(KEY_AND_BEARER, 'entra'), { headerName: 'Ocp-Apim-Subscription-Key', suggested: 'subscriptionKeyAndEntra' });
  });

  it('no warning when the chosen auth sends the key, or when no key was asked for', () => {
    assert.equal(keyDetectedWarning(KEY_ONLY, 'subscriptionKey'), undefined);
    assert.equal(keyDetectedWarning(KEY_AND_BEARER, 'subscriptionKeyAndEntra'), undefined);
    assert.equal(keyDetectedWarning(ENTRA_ONLY, 'entra'), undefined);
    assert.equal(keyDetectedWarning({ reached: false, error: 'x' }, 'entra'), undefined);
    assert.equal(keyDetectedWarning(undefined, 'entra'), undefined);
  });
});

describe('wizard route: the Entra sign-in method (18.5)', () => {
  it('device code is suggested in VS Code for the browser, VS Code\'s sign-in elsewhere', () => {
    assert.equal(suggestedSignInMethod(true), 'deviceCode');
    assert.equal(suggestedSignInMethod(false), 'vscode');
  });

  it('device code needs the person\'s own client id; VS Code\'s sign-in does not', () => {
    assert.deepEqual(clientIdProblem('', true), { kind: 'clientIdRequired' });
    assert.equal(clientIdProblem('', false), undefined);
    const fields = { tenant: 'contoso.onmicrosoft.com', scopes: 'api://products/.default', clientId: '' };
    assert.deepEqual(entraProblem({ ...fields, signInMethod: 'deviceCode' }), { kind: 'clientIdRequired' });
    assert.equal(entraProblem({ ...fields, signInMethod: 'vscode' }), undefined);
    assert.equal(entraProblem({ ...fields, clientId: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b', signInMethod: 'deviceCode' }), undefined);
  });
});
