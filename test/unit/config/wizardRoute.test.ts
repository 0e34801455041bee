import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIdProblem, entraProblem } from '../../../src/core/config/addServerPlan';
import { TARGET_KINDS, type ConfigTargetKind } from '../../../src/core/config/targets';
import { keyDetectedWarning, stepCount, suggestedSignInMethod, urlStepFinding, wizardRoute, type RouteFacts, type WizardFlow, type WizardStep } from '../../../src/core/config/wizardRoute';
import type { AuthDetection } from '../../../src/core/probe/detectAuth';
import { AUTH_KINDS, type AuthKind } from '../../../src/core/serverRecord';
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

const FLOWS: WizardFlow[] = ['full', 'fromAzure'];

/**
 * The counters a person sees walking a flow forward: at each step, what is decided is what the steps before it
 * decided (the auth kind at its step in the full wizard, given from the start from Azure; the target at its step).
 */
function walk(flow: WizardFlow, auth: AuthKind, target: ConfigTargetKind, browserWindow: boolean): string[] {
  const final: RouteFacts = { auth, target, browserWindow };
  return wizardRoute(flow, final).map((step, index, route) => {
    const decided = (decider: WizardStep) => !route.includes(decider) || route.indexOf(decider) < index;
    const facts: RouteFacts = { auth: flow === 'fromAzure' || decided('auth') ? auth : undefined, target: decided('target') ? target : undefined, browserWindow };
    const count = stepCount(flow, facts, step)!;
    return count.totalSteps === undefined ? `${count.step}` : `${count.step}/${count.totalSteps}`;
  });
}

describe('wizard route: the steps (18.5, 18.6)', () => {
  const routes: [string, WizardFlow, RouteFacts, WizardStep[]][] = [
    ['key to the extension', 'full', { auth: 'subscriptionKey', target: 'extension', browserWindow: false }, ['url', 'name', 'auth', 'target', 'key']],
    ['key to the user mcp.json: VS Code asks for the key', 'full', { auth: 'subscriptionKey', target: 'userMcpJson', browserWindow: false }, ['url', 'name', 'auth', 'target']],
    ['key to .mcp.json: the key goes to secret storage for the terminal', 'full', { auth: 'subscriptionKey', target: 'rootDotMcpJson', browserWindow: false }, ['url', 'name', 'auth', 'target', 'key']],
    ['Entra, desktop', 'full', { auth: 'entra', browserWindow: false }, ['url', 'name', 'auth', 'target', 'tenant', 'scopes', 'clientId']],
    ['Entra to the extension in VS Code for the browser', 'full', { auth: 'entra', target: 'extension', browserWindow: true }, ['url', 'name', 'auth', 'target', 'tenant', 'scopes', 'signInMethod', 'clientId']],
    ['Entra to an mcp.json in the browser: VS Code signs in', 'full', { auth: 'entra', target: 'workspaceMcpJson', browserWindow: true }, ['url', 'name', 'auth', 'target', 'tenant', 'scopes', 'clientId']],
    ['key and Entra to the extension in the browser', 'full', { auth: 'subscriptionKeyAndEntra', browserWindow: true }, ['url', 'name', 'auth', 'target', 'key', 'tenant', 'scopes', 'signInMethod', 'clientId']],
    ['no auth', 'full', { auth: 'none', browserWindow: true }, ['url', 'name', 'auth', 'target']],
    ['from Azure, a key API: the key came from Azure', 'fromAzure', { auth: 'subscriptionKey', browserWindow: true }, ['name', 'target']],
    ['from Azure, an Entra API to the extension in the browser: the sign-in method is asked', 'fromAzure', { auth: 'entra', target: 'extension', browserWindow: true }, ['name', 'target', 'tenant', 'scopes', 'signInMethod', 'clientId']],
    ['from Azure, an Entra API to an mcp.json: VS Code signs in', 'fromAzure', { auth: 'entra', target: 'userMcpJson', browserWindow: true }, ['name', 'target', 'tenant', 'scopes', 'clientId']],
    ['from Azure, an Entra API on the desktop', 'fromAzure', { auth: 'entra', target: 'extension', browserWindow: false }, ['name', 'target', 'tenant', 'scopes', 'clientId']],
  ];
  for (const [name, flow, facts, expected] of routes) it(name, () => assert.deepEqual(wizardRoute(flow, facts), expected));

  it('a step the route passes by has no number', () => {
    assert.equal(stepCount('full', { auth: 'subscriptionKey', target: 'userMcpJson', browserWindow: false }, 'key'), undefined);
    assert.equal(stepCount('full', { auth: 'entra', target: 'extension', browserWindow: false }, 'signInMethod'), undefined);
    assert.equal(stepCount('fromAzure', { auth: 'entra', target: 'extension', browserWindow: true }, 'key'), undefined);
  });
});

describe('wizard route: the step counter never changes a total it has shown (18.6)', () => {
  it('the key route in the browser: numbers alone until the target settles the route, then 5/5 (it was 1/5, then 2/8 for Entra)', () => {
    assert.deepEqual(walk('full', 'subscriptionKey', 'extension', true), ['1', '2', '3', '4', '5/5']);
    assert.deepEqual(walk('full', 'entra', 'extension', true), ['1', '2', '3', '4', '5/8', '6/8', '7/8', '8/8']);
  });

  it('the total shows as soon as every open answer leads to the same length', () => {
    // On the desktop an Entra server has the same steps wherever it goes: the target step knows the total.
    assert.deepEqual(walk('full', 'entra', 'userMcpJson', false), ['1', '2', '3', '4/7', '5/7', '6/7', '7/7']);
    assert.deepEqual(walk('full', 'none', 'workspaceMcpJson', true), ['1', '2', '3', '4/4']);
    assert.deepEqual(walk('fromAzure', 'subscriptionKey', 'extension', true), ['1/2', '2/2']);
    assert.deepEqual(walk('fromAzure', 'entra', 'extension', true), ['1', '2', '3/6', '4/6', '5/6', '6/6']);
  });

  it('for every auth kind, target and window: numbers 1..n in order, and at most one total, which is n', () => {
    for (const flow of FLOWS) {
      for (const auth of AUTH_KINDS) {
        for (const target of TARGET_KINDS) {
          for (const browserWindow of [false, true]) {
            const seen = walk(flow, auth, target, browserWindow);
            const where = `${flow} ${auth} ${target} ${browserWindow ? 'web' : 'desktop'}: ${seen.join(' ')}`;
            assert.deepEqual(seen.map((s) => Number(s.split('/')[0])), seen.map((_, i) => i + 1), where);
            const totals = new Set(seen.filter((s) => s.includes('/')).map((s) => s.split('/')[1]));
            assert.ok(totals.size <= 1 && [...totals].every((t) => Number(t) === seen.length), where);
            // Once shown, the total stays: no step after the first with a total is without one.
            const first = seen.findIndex((s) => s.includes('/'));
            if (first >= 0) assert.ok(seen.slice(first).every((s) => s.includes('/')), where);
          }
        }
      }
    }
  });

  it('a choice shown again after Back is open again: its step shows no total', () => {
    const chosen: RouteFacts = { auth: 'subscriptionKey', target: 'extension', browserWindow: true };
    assert.deepEqual(stepCount('full', chosen, 'key'), { step: 5, totalSteps: 5 });
    assert.deepEqual(stepCount('full', chosen, 'target'), { step: 4 });
    assert.deepEqual(stepCount('full', chosen, 'auth'), { step: 3 });
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
