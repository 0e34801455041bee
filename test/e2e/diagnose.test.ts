import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { generateMcpPolicy } from '../../src/core/apim/policy';
import { startForwardingProxy } from '../harness/forwardingProxy';
import { listenOnLoopback, waitFor } from '../harness/processes';
import { caBundleOf } from '../harness/trust';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { choose, diagnoseFromTree, diagnosticsPanel, QUICK_INPUT, quickInputFor, readClipboard, runCommand, serverRow, setKeyThroughPasswordBox } from './workbench';

const KEY_SERVER = 'Products (key)';
const ROLES_SERVER = 'Products (roles)';
const CLIENT_SERVER = 'Products (custom client)';
const HOSTILE_SERVER = 'Hostile gateway';
const ENTRA_ON_KEY_SERVER = 'Products (Entra on a key gateway)';
const WRONG_KEY = `canary-wrong-${randomUUID()}`;
const VALID_KEY = `canary-valid-${randomUUID()}`;
const CUSTOM_CLIENT_ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const HOSTILE = '<img src=x onerror=alert(1)><script>window.__pwned=1;document.title="pwned"</script>';

/** Label in the color theme picker, and the class VS Code gives the webview's body for that kind of theme. */
const THEMES = [
  ['light', 'Light Modern', 'vscode-light'],
  ['dark', 'Dark Modern', 'vscode-dark'],
  ['hc', 'Dark High Contrast', 'vscode-high-contrast'],
] as const;

function findingTitle(frame: FrameLocator, text: string | RegExp) {
  return frame.locator('article.finding .finding-title', { hasText: text });
}

/** A gateway that answers every request with markup in its error body. */
async function startHostileGateway(): Promise<{ url: string; requests: () => number; stop: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    req.resume();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 401, message: HOSTILE }));
  });
  const port = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}/evil/mcp`, requests: () => count, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A gateway address whose upstream can be switched: the key a person saved was valid at the first upstream, and
 * then the subscription's keys were regenerated (the second upstream knows only the new key).
 */
async function startSwitchingProxy(upstream: string): Promise<{ origin: string; switchTo: (origin: string) => void; stop: () => Promise<void> }> {
  let target = upstream;
  const proxy = await startForwardingProxy(() => target);
  return { origin: proxy.origin, switchTo: (origin) => (target = origin), stop: () => proxy.stop() };
}

describe('Diagnostics panel: a person diagnoses failing servers from the Servers view', () => {
  const sandboxes: Record<string, Sandbox> = {};
  let hostile: Awaited<ReturnType<typeof startHostileGateway>>;
  let proxy: Awaited<ReturnType<typeof startSwitchingProxy>>;
  let settings: Record<string, unknown>;
  const suite = workbenchSuite(async ({ stopAfter, atTeardown }) => {
    const [beforeRotation, keyInvalid, roleMissing, redirect] = await Promise.all([
      startSandbox('healthy-key', { subscriptionKeys: [WRONG_KEY] }),
      startSandbox('key-invalid', { subscriptionKeys: [VALID_KEY] }),
      startSandbox('role-missing-for-tool'),
      startSandbox('redirect-uri-not-registered'),
    ]);
    Object.assign(sandboxes, { beforeRotation, keyInvalid, roleMissing, redirect });
    Object.values(sandboxes).forEach(stopAfter);
    hostile = stopAfter(await startHostileGateway());
    proxy = stopAfter(await startSwitchingProxy(beforeRotation.endpoints.gateway));
    // The Entra emulators use throwaway CAs; the extension host trusts them the way a corporate CA is trusted.
    const caBundle = caBundleOf(Object.values(sandboxes));
    atTeardown(() => caBundle.dispose());
    const roles = roleMissing.scenario.gateway.toolRoles!.map;
    const policy = generateMcpPolicy({
      tenantId: roleMissing.endpoints.tenantId,
      api: roleMissing.endpoints.apiAppId!,
      tools: Object.keys(roles),
      roles: Object.fromEntries(Object.entries(roles).map(([tool, role]) => [tool, Array.isArray(role) ? role : [role]])),
      prmUrl: roleMissing.endpoints.prmUrl!,
    });
    assert.ok(policy.ok);
    settings = {
      'workbench.colorTheme': 'Default Dark Modern',
      'apimMcp.servers': [
        { name: KEY_SERVER, url: `${proxy.origin}/products/mcp`, auth: 'subscriptionKey' },
        { name: ROLES_SERVER, url: roleMissing.endpoints.mcpUrl, auth: 'entra', tenant: roleMissing.endpoints.tenantId, scopes: [`${roleMissing.endpoints.mcpUrl}/user_impersonate`] },
        { name: CLIENT_SERVER, url: redirect.endpoints.mcpUrl, auth: 'entra', tenant: redirect.endpoints.tenantId, clientId: CUSTOM_CLIENT_ID },
        { name: HOSTILE_SERVER, url: hostile.url, auth: 'none' },
        { name: ENTRA_ON_KEY_SERVER, url: keyInvalid.endpoints.mcpUrl, auth: 'entra', tenant: roleMissing.endpoints.tenantId, scopes: [`api://${roleMissing.endpoints.apiAppId}/user_impersonate`] },
      ],
    };
    return {
      label: 'e2e-diagnose',
      clipboard: true,
      userSettings: settings,
      workspaceFiles: { 'policies/products.mcp.policy.xml': policy.policy },
      env: { NODE_EXTRA_CA_CERTS: caBundle.path },
    };
  });

  const setTheme = async (label: string, bodyClass: string) => {
    const { page } = suite;
    await runCommand(page, 'Preferences: Color Theme');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(label);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    // The webview re-themes through the --vscode-* variables and body class VS Code pushes into it.
    await diagnosticsPanel(page).locator(`body.${bodyClass}`).waitFor({ state: 'attached', timeout: 20_000 });
  };

  const screenshotsInAllThemes = async (name: string) => {
    for (const [label, theme, bodyClass] of THEMES) {
      await setTheme(theme, bodyClass);
      await suite.workbench.screenshot(`e2e-diagnose-${name}-${label}`);
    }
  };

  const assertNoSecretsOnScreen = async (secrets: string[]) => {
    const { page } = suite;
    const frameText = await diagnosticsPanel(page).locator('html').innerHTML();
    const pageText = await page.content();
    for (const secret of secrets) {
      assert.ok(!frameText.includes(secret), 'a secret is in the panel DOM');
      assert.ok(!pageText.includes(secret), 'a secret is in the workbench DOM');
    }
  };

  it('key-invalid: explains the rejected key, applies the fix through a password box, and keeps both keys off the screen', async () => {
    const { page } = suite;
    await setKeyThroughPasswordBox(page, KEY_SERVER, WRONG_KEY);
    // Then someone regenerates the subscription's keys: the saved key is now invalid.
    proxy.switchTo(sandboxes.keyInvalid!.endpoints.gateway);

    const frame = await diagnoseFromTree(suite.workbench, KEY_SERVER);
    const titles = await frame.locator('article.finding .finding-title > span').allInnerTexts();
    assert.ok(titles.includes('The subscription key is not valid for this API'), titles.join(' | '));
    await frame.locator('section.timeline li.step').first().waitFor({ state: 'visible' });
    await screenshotsInAllThemes('key-invalid');

    await frame.getByRole('button', { name: 'Copy Report' }).click();
    await frame.locator('#notice', { hasText: 'Report copied' }).waitFor({ state: 'visible', timeout: 10_000 });
    const report = await readClipboard(suite.page);
    assert.match(report, /^# APIM MCP diagnosis/);
    assert.match(report, /apim\.key\.invalid/);
    assert.ok(!report.includes(WRONG_KEY) && !report.includes(VALID_KEY), 'the exported report must not contain the key');
    await assertNoSecretsOnScreen([WRONG_KEY, VALID_KEY]);

    await frame.getByRole('button', { name: /Apply fix: set the subscription key/ }).click();
    const keyBox = await quickInputFor(page, `Subscription key for ${KEY_SERVER}`);
    assert.equal(await keyBox.getAttribute('type'), 'password');
    await keyBox.fill(VALID_KEY);
    await page.keyboard.press('Enter');
    await frame.locator('p.healthy').waitFor({ state: 'visible', timeout: 60_000 });
    // 18.8: the healthy verdict says how many tools the server listed (the sandbox's six).
    assert.equal(await frame.locator('p.healthy').innerText(), 'Healthy: no findings. The server listed 6 tools.');
    await serverRow(page, KEY_SERVER).locator('.codicon-pass').waitFor({ state: 'visible', timeout: 15_000 });
    await suite.workbench.screenshot('e2e-diagnose-key-fixed');
    // 18.8: the keyless 401 and the discovery 404s are drawn as expected, not as warnings; streamed replies have a size.
    const steps = frame.locator('section.timeline li.step');
    assert.equal(await frame.locator('section.timeline li.step-warning').count(), 0, (await steps.allInnerTexts()).join('\n'));
    assert.ok((await frame.locator('section.timeline li.step-expected').count()) >= 2, 'the 401 and 404 probes are marked expected');
    assert.match(await steps.filter({ hasText: 'tools/list' }).first().innerText(), /→ 200 · [1-9]\d* B/);
    await frame.locator('section.timeline').scrollIntoViewIfNeeded();
    await suite.workbench.screenshot('e2e-diagnose-timeline-expected');
    // 18.8: Save Report offers a clean file name.
    await frame.getByRole('button', { name: 'Save Report…' }).click();
    const saveAs = page.locator('.quick-input-widget .quick-input-box input');
    await saveAs.waitFor({ state: 'visible', timeout: 15_000 });
    await waitFor('the suggested file name', 10_000, async () => ((await saveAs.inputValue()).endsWith('.md') ? true : undefined));
    assert.match(await saveAs.inputValue(), /\/apim-mcp-diagnosis-products-key\.md$/);
    await suite.workbench.screenshot('e2e-diagnose-save-report-name');
    await page.keyboard.press('Escape');
    await assertNoSecretsOnScreen([WRONG_KEY, VALID_KEY]);

    // A slow gateway: the run shows progress and Cancel stops it at once.
    sandboxes.keyInvalid!.setLatency(20_000);
    try {
      await frame.getByRole('button', { name: 'Re-run' }).first().click();
      await frame.locator('.run.running').waitFor({ state: 'visible', timeout: 10_000 });
      await suite.workbench.screenshot('e2e-diagnose-running');
      const started = Date.now();
      await frame.locator('.run.running').getByRole('button', { name: 'Cancel' }).click();
      await frame.locator('.run.cancelled').waitFor({ state: 'visible', timeout: 5_000 });
      assert.ok(Date.now() - started < 5_000, 'cancel must not wait for the slow gateway');
    } finally {
      sandboxes.keyInvalid!.setLatency(0);
    }
  });

  it('role-missing-for-tool: with a pasted token, shows the roles matrix with the user\'s column and copies the az command', async () => {
    const { page } = suite;
    const frame = await diagnoseFromTree(suite.workbench, ROLES_SERVER);
    // Not signed in: the first run checks discovery only and says how to go further.
    await frame.locator('section.notes', { hasText: /Not signed in|No Entra ID token/ }).waitFor({ state: 'visible' });
    const token = await sandboxes.roleMissing!.mintToken({ user: 'megan@contoso.onmicrosoft.com' });
    await frame.getByRole('button', { name: 'Diagnose with a Pasted Token…' }).click();
    const tokenBox = await quickInputFor(page, `Access token for ${ROLES_SERVER}`);
    assert.equal(await tokenBox.getAttribute('type'), 'password');
    // Issue 16: the box says which origin the pasted token goes to, before anything is typed.
    const origin = new URL(sandboxes.roleMissing!.endpoints.mcpUrl).origin;
    assert.ok((await page.locator(QUICK_INPUT, { hasText: `Access token for ${ROLES_SERVER}` }).innerText()).includes(`sent as the Authorization header to ${origin} only`));
    await tokenBox.fill(token);
    await page.keyboard.press('Enter');

    await findingTitle(frame, /The token lacks the roles Products\.Write, Products\.Delete/).waitFor({ state: 'visible', timeout: 60_000 });
    const matrix = frame.locator('section.matrix');
    await matrix.waitFor({ state: 'visible' });
    assert.match(await matrix.locator('thead th.you').innerText(), /megan@contoso\.onmicrosoft\.com/);
    assert.deepEqual(await matrix.locator('thead th.mine').allInnerTexts(), ['Products.Read']);
    assert.match(await matrix.locator('tbody tr', { hasText: 'deleteProduct' }).locator('td.you').innerText(), /denied/);
    assert.match(await matrix.locator('tbody tr', { hasText: 'listProducts' }).locator('td.you').innerText(), /allowed/);
    const roles = frame.locator('section.claims tr.claim-mismatch', { hasText: 'roles' });
    await roles.waitFor({ state: 'visible' });

    await frame.locator('article.finding[data-finding="entra.token.roleMissing"]').getByRole('button', { name: 'Copy command' }).click();
    await frame.locator('#notice', { hasText: 'Command copied' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await readClipboard(suite.page), /^az rest --method POST --uri 'https:\/\/graph\.microsoft\.com\/v1\.0\/users\/<user-object-id>\/appRoleAssignments'/);

    await screenshotsInAllThemes('role-missing-for-tool');
    const roleFinding = frame.locator('article.finding[data-finding="entra.token.roleMissing"]');
    await roleFinding.scrollIntoViewIfNeeded();
    await suite.workbench.crop('diagnose-role-missing', roleFinding);
    await matrix.scrollIntoViewIfNeeded();
    await suite.workbench.screenshot('e2e-diagnose-role-matrix');
    // The claims are shown; the token itself and its signature never are.
    await assertNoSecretsOnScreen([token, token.split('.')[2]!]);

    // Open policy: the tool's rule in the workspace policy, at its line.
    await matrix.locator('tbody tr', { hasText: 'deleteProduct' }).getByRole('button', { name: /Open policy/ }).click();
    await page.locator('.tabs-container .tab', { hasText: 'products.mcp.policy.xml' }).waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'case "deleteProduct":' }).waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('redirect-uri-not-registered: finds AADSTS50011 by preflight, explains a pasted error, and copies the az command', async () => {
    const frame = await diagnoseFromTree(suite.workbench, CLIENT_SERVER);
    await findingTitle(frame, 'Entra refuses the sign-in: AADSTS50011').waitFor({ state: 'visible', timeout: 30_000 });
    const finding = frame.locator('article.finding[data-finding="entra.redirectUri.mismatch"]');
    assert.match(await finding.locator('ul.evidence').innerText(), /https:\/\/vscode\.dev\/redirect/);
    await finding.getByRole('button', { name: 'Copy command 1' }).click();
    await frame.locator('#notice', { hasText: 'Command copied' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await readClipboard(suite.page), `az ad app show --id ${CUSTOM_CLIENT_ID} --query '{publicClient:publicClient.redirectUris, web:web.redirectUris, spa:spa.redirectUris}'`);

    await frame.locator('#paste').fill(
      `https://vscode.dev/redirect?error=invalid_request&error_description=AADSTS50011%3A+The+redirect+URI+%27https%3A%2F%2Fvscode.dev%2Fredirect%27+specified+in+the+request+does+not+match+the+redirect+URIs+configured+for+the+application+%27${CUSTOM_CLIENT_ID}%27.&redirect_uri=https%3A%2F%2Fvscode.dev%2Fredirect`,
    );
    await frame.getByRole('button', { name: 'Explain' }).click();
    const result = frame.locator('dl.paste-result');
    await result.waitFor({ state: 'visible', timeout: 10_000 });
    const explained = await result.innerText();
    assert.match(explained, /AADSTS50011/);
    assert.match(explained, /VS Code, register it under "Mobile and desktop applications \(public client\)"/);
    await result.scrollIntoViewIfNeeded();
    await suite.workbench.screenshot('e2e-diagnose-paste-an-error');
    await finding.scrollIntoViewIfNeeded();
    await screenshotsInAllThemes('redirect-uri-not-registered');
  });

  it('18.5 an Entra ID server on a gateway that wants a key: the fix is the auth kind, never "Set Subscription Key"', async () => {
    const frame = await diagnoseFromTree(suite.workbench, ENTRA_ON_KEY_SERVER);
    const finding = frame.locator('article.finding[data-finding="apim.key.missing"]');
    await finding.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await finding.innerText();
    assert.match(text, /which this Entra ID server does not send/);
    assert.doesNotMatch(text, /Set Subscription Key/);
    await finding.getByRole('button', { name: 'Apply fix: send a key and the token' }).waitFor({ state: 'visible' });
    assert.equal(await frame.getByRole('button', { name: 'Set/Rotate Key' }).count(), 0, 'an Entra ID server offers no key to set');
    await finding.scrollIntoViewIfNeeded();
    await suite.workbench.screenshot('e2e-diagnose-entra-on-key-gateway');
  });

  it('18.8 the Remove dialog of an Entra ID server speaks of its sign-in, not of a subscription key', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Remove Server');
    await choose(page, 'Choose a server', ROLES_SERVER);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await dialog.locator('.dialog-message-container').innerText();
    await suite.workbench.screenshot('e2e-remove-dialog-entra');
    assert.match(text, new RegExp(`Remove ${ROLES_SERVER.replace(/[()]/g, '\\$&')} from .*Entra ID sign-in stays under Accounts`));
    assert.doesNotMatch(text, /subscription key/i);
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    await serverRow(page, ROLES_SERVER).waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('hostile text: markup in a gateway\'s error body is shown as text and runs nothing', async () => {
    const { page } = suite;
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const frame = await diagnoseFromTree(suite.workbench, HOSTILE_SERVER);
    const evidence = frame.locator('ul.evidence code', { hasText: '<img src=x onerror=' });
    await evidence.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await frame.locator('img').count(), 0, 'no <img> element may exist in the panel');
    assert.equal(await frame.locator('section.findings').evaluate('typeof window.__pwned'), 'undefined');
    assert.notEqual(await frame.locator('html').evaluate('document.title'), 'pwned');
    assert.equal(dialogs, 0);
    await suite.workbench.screenshot('e2e-diagnose-hostile-text');
  });

  it('restores the panel after a window reload from its saved state, without probing again', async () => {
    const { page } = suite;
    const before = hostile.requests();
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const frame = diagnosticsPanel(page);
    await frame.locator('ul.evidence code', { hasText: '<img src=x onerror=' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(hostile.requests(), before, 'a restored panel must not run the diagnosis again');
    await suite.workbench.screenshot('e2e-diagnose-restored');
    // The restored panel is live: re-run works.
    await frame.getByRole('button', { name: 'Re-run' }).first().click();
    await waitFor('the re-run to reach the server', 30_000, () => (hostile.requests() > before ? true : undefined));
  });
});
