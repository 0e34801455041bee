import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FUZZ_RUNS } from '../fuzzRuns';
import { isPanelState, parseHostMessage, parseWebviewMessage, MAX_PASTE_LENGTH, type PanelState } from '../../../src/shared/protocol';

const STATE: PanelState = {
  version: 1,
  server: { id: 'extension::Products', name: 'Products', url: 'https://contoso.azure-api.net/products/mcp', auth: 'subscription key', source: 'APIM MCP', actions: ['openConfig', 'setKey'] },
  run: { kind: 'idle' },
  diagnosis: {
    finishedAt: '2026-01-01T00:00:00.000Z',
    notes: [],
    report: '# APIM MCP diagnosis',
    findings: [
      {
        id: 'apim.key.invalid',
        severity: 'error',
        title: 'The subscription key is not valid for this API',
        evidence: ['<img src=x onerror=alert(1)>'],
        fix: 'Use a valid key.',
        commands: ['az rest …'],
        links: [{ label: 'Portal', url: 'https://portal.azure.com/' }],
        actions: [{ kind: 'copyCommand', index: 0, label: 'Copy command' }],
      },
    ],
    timeline: [{ step: 'mcp initialize', status: 'warning', durationMs: 12, detail: 'POST → 401' }],
    claims: [{ claim: 'aud', value: 'api://x', check: 'mismatch', note: 'wrong audience' }],
    matrix: { roles: ['Products.Read'], userRoles: ['Products.Read'], user: 'megan', rows: [{ tool: 'listProducts', allowedBy: ['Products.Read'], userAllowed: true }] },
  },
  paste: { lines: [{ label: 'AADSTS50011', value: 'redirect URI mismatch' }] },
};

describe('webview → host messages', () => {
  const valid: [string, unknown][] = [
    ['ready', { type: 'ready' }],
    ['rerun', { type: 'rerun' }],
    ['cancel', { type: 'cancel' }],
    ['finding action', { type: 'findingAction', findingId: 'apim.key.invalid', action: 'copyCommand', index: 0 }],
    ['open policy', { type: 'openPolicyForTool', tool: 'deleteProduct' }],
    ['export save', { type: 'export', mode: 'save' }],
    ['export copy', { type: 'export', mode: 'copy' }],
    ['paste', { type: 'parseError', text: 'AADSTS50011: …' }],
    ['server action', { type: 'serverAction', action: 'diagnoseWithToken' }],
  ];
  for (const [name, message] of valid) {
    it(`accepts ${name}`, () => assert.deepEqual(parseWebviewMessage(message), message));
  }

  const invalid: [string, unknown][] = [
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['an unknown type', { type: 'runCommand', command: 'workbench.action.terminal.new' }],
    ['extra fields', { type: 'ready', html: '<b>' }],
    ['an unknown action', { type: 'findingAction', findingId: 'x', action: 'openAnyUrl', index: 0 }],
    ['a negative index', { type: 'findingAction', findingId: 'x', action: 'copyCommand', index: -1 }],
    ['a fractional index', { type: 'findingAction', findingId: 'x', action: 'copyCommand', index: 0.5 }],
    ['a string index', { type: 'findingAction', findingId: 'x', action: 'copyCommand', index: '0' }],
    ['an empty finding id', { type: 'findingAction', findingId: '', action: 'copyCommand', index: 0 }],
    ['an unknown export mode', { type: 'export', mode: 'upload' }],
    ['an empty paste', { type: 'parseError', text: '' }],
    ['an oversized paste', { type: 'parseError', text: 'x'.repeat(MAX_PASTE_LENGTH + 1) }],
    ['an unknown server action', { type: 'serverAction', action: 'deleteEverything' }],
    ['a prototype-polluting key', JSON.parse('{"type":"ready","__proto__":{"x":1}}')],
  ];
  for (const [name, message] of invalid) {
    it(`rejects ${name}`, () => assert.equal(parseWebviewMessage(message), undefined));
  }

  it('never throws and never returns extra fields, for any input', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const parsed = parseWebviewMessage(value);
        if (parsed) assert.deepEqual(Object.keys(parsed).sort(), Object.keys(value as object).sort());
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('host → webview messages and restored state', () => {
  it('accepts a full state and a notice', () => {
    assert.deepEqual(parseHostMessage({ type: 'state', state: STATE }), { type: 'state', state: STATE });
    assert.deepEqual(parseHostMessage({ type: 'notice', text: 'Copied.' }), { type: 'notice', text: 'Copied.' });
  });

  const broken: [string, (s: any) => unknown][] = [
    ['another version', (s) => ({ ...s, version: 2 })],
    ['no server', (s) => ({ ...s, server: undefined })],
    ['an unknown server action', (s) => ({ ...s, server: { ...s.server, actions: ['format'] } })],
    ['an unknown run state', (s) => ({ ...s, run: { kind: 'exploded' } })],
    ['a finding with a numeric title', (s) => ({ ...s, diagnosis: { ...s.diagnosis, findings: [{ ...s.diagnosis.findings[0], title: 1 }] } })],
    ['a finding with an unknown severity', (s) => ({ ...s, diagnosis: { ...s.diagnosis, findings: [{ ...s.diagnosis.findings[0], severity: 'fatal' }] } })],
    ['a claim with an unknown check', (s) => ({ ...s, diagnosis: { ...s.diagnosis, claims: [{ claim: 'aud', value: 'x', check: 'maybe' }] } })],
    ['a matrix row without allowedBy', (s) => ({ ...s, diagnosis: { ...s.diagnosis, matrix: { ...s.diagnosis.matrix, rows: [{ tool: 'x' }] } } })],
    ['no report', (s) => ({ ...s, diagnosis: { ...s.diagnosis, report: undefined } })],
  ];
  for (const [name, mutate] of broken) {
    it(`refuses a state with ${name}`, () => {
      const state = mutate(structuredClone(STATE));
      assert.equal(isPanelState(state), false);
      assert.equal(parseHostMessage({ type: 'state', state }), undefined);
    });
  }

  it('survives the JSON round trip VS Code uses to persist webview state', () => {
    assert.equal(isPanelState(JSON.parse(JSON.stringify(STATE))), true);
  });
});
