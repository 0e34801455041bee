import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnosis } from '../../../src/core/diagnosis';
import { isPanelState } from '../../../src/shared/protocol';
import { CHECKED_CLAIMS, toDiagnosisView, type ViewLabels } from '../../../src/core/diagnosis/diagnosisView';

const DIAGNOSIS: Diagnosis = {
  server: { url: 'https://contoso.azure-api.net/products/mcp', origin: 'https://contoso.azure-api.net' },
  findings: [
    {
      id: 'entra.token.roleMissing',
      severity: 'error',
      title: 'The token lacks the roles Products.Delete needed for 1 tool',
      evidence: ['roles = ["Products.Read"]', '<img src=x onerror=alert(1)>'],
      fix: { summary: 'Assign the role.', commands: ['az rest --method POST …'], links: [{ label: 'Enterprise applications', url: 'https://portal.azure.com/#x' }] },
    },
  ],
  timeline: [{ step: 'mcp (access token) initialize', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 7, status: 'ok', detail: 'POST → 200' }],
  tokenClaims: { aud: 'api://6c8f', iss: 'https://login.microsoftonline.com/t/v2.0', exp: 1_900_000_000, name: 'Megan Bowen', preferred_username: 'megan@contoso.onmicrosoft.com', roles: ['Products.Read'] },
  tools: ['listProducts', 'deleteProduct', 'ping'],
  roleMatrix: [
    { tool: 'listProducts', requiredRole: 'Products.Read', granted: true },
    { tool: 'deleteProduct', requiredRole: 'Products.Delete', granted: false },
    { tool: 'ping', granted: true },
  ],
};

/** The host passes these localised; here they are marked so the test sees where each one lands. */
const LABELS: ViewLabels = {
  copyCommand: '[copy]',
  copyNumberedCommand: (n) => `[copy ${n}]`,
  copySnippet: '[snippet]',
  openPolicy: '[policy]',
  expectation: Object.fromEntries(CHECKED_CLAIMS.map((c) => [c, `[expect ${c}]`])) as ViewLabels['expectation'],
};

describe('diagnosis → panel view', () => {
  const view = toDiagnosisView(DIAGNOSIS, {
    labels: LABELS,
    notes: ['Tool roles read from policies/products.mcp.policy.xml.'],
    applicableFix: (f) => (f.id === 'entra.token.roleMissing' ? 'Apply fix: sign in again' : undefined),
    policyTools: new Set(['deleteProduct']),
    now: new Date('2026-01-01T00:00:01.000Z'),
  });

  it('marks the claim a finding is about as a mismatch, the other checked claims as matching, and lists checked claims first', () => {
    assert.deepEqual(
      view.claims!.map((c) => [c.claim, c.check]),
      [['aud', 'match'], ['iss', 'match'], ['exp', 'match'], ['roles', 'mismatch'], ['name', 'info'], ['preferred_username', 'info']],
    );
    assert.equal(view.claims!.find((c) => c.claim === 'roles')!.note, DIAGNOSIS.findings[0]!.title);
    assert.equal(view.claims!.find((c) => c.claim === 'aud')!.note, '[expect aud]');
    assert.equal(view.claims!.find((c) => c.claim === 'name')!.note, undefined);
    assert.match(view.claims!.find((c) => c.claim === 'exp')!.value, /^1900000000 \(2030-/);
  });

  it('builds tools × roles with the user\'s roles and column', () => {
    assert.deepEqual(view.matrix, {
      roles: ['Products.Delete', 'Products.Read'],
      userRoles: ['Products.Read'],
      user: 'megan@contoso.onmicrosoft.com',
      rows: [
        { tool: 'listProducts', allowedBy: ['Products.Read'], userAllowed: true, hasPolicy: undefined },
        { tool: 'deleteProduct', allowedBy: ['Products.Delete'], userAllowed: false, hasPolicy: true },
        { tool: 'ping', allowedBy: [], userAllowed: true, hasPolicy: undefined },
      ],
    });
  });

  it('offers the fix first, then a copy button per command, the links and the policy', () => {
    assert.deepEqual(view.findings[0]!.actions.map((a) => `${a.kind}:${a.label}`), [
      'applyFix:Apply fix: sign in again',
      'copyCommand:[copy]',
      'openLink:Enterprise applications',
      'openPolicy:[policy]',
    ]);
  });

  it('numbers the copy buttons when a finding has several commands, and offers the snippet', () => {
    const finding = { ...DIAGNOSIS.findings[0]!, id: 'apim.policy.x', fix: { summary: 's', commands: ['a', 'b'], snippet: { language: 'xml' as const, code: '<x/>' } } };
    const several = toDiagnosisView({ ...DIAGNOSIS, findings: [finding] }, { labels: LABELS, notes: [] });
    assert.deepEqual(several.findings[0]!.actions.map((a) => a.label), ['[copy 1]', '[copy 2]', '[snippet]']);
  });

  it('18.8 carries how many tools the server listed, for the healthy verdict, in the view and the report', () => {
    assert.equal(view.toolCount, 3);
    const healthy = toDiagnosisView({ ...DIAGNOSIS, findings: [] }, { labels: LABELS, notes: [] });
    assert.equal(healthy.toolCount, 3);
    assert.match(healthy.report, /^- Result: healthy \(no error findings\), 3 tools listed$/m);
    assert.equal(toDiagnosisView({ ...DIAGNOSIS, tools: undefined }, { labels: LABELS, notes: [] }).toolCount, undefined);
    const state = (toolCount: unknown) => ({ version: 1, server: { id: 'x', name: 'x', url: 'u', auth: 'a', source: 's', actions: [] }, run: { kind: 'idle' }, diagnosis: { ...healthy, toolCount } });
    assert.ok(isPanelState(state(3)));
    assert.ok(!isPanelState(state('3')), 'a tool count that is not a number is refused');
  });

  it('keeps server text as data and carries the redacted report, in a state the webview accepts', () => {
    assert.equal(view.findings[0]!.evidence[1], '<img src=x onerror=alert(1)>');
    assert.match(view.report, /^# APIM MCP diagnosis/);
    assert.ok(isPanelState({ version: 1, server: { id: 'x', name: 'x', url: 'u', auth: 'a', source: 's', actions: [] }, run: { kind: 'idle' }, diagnosis: view }));
  });
});
