import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { filesHolding, recentFilesUnder, startHostileGateway, startOtherOrigin } from './canaryServers';
import { expectEntraSignIn } from './entraSignIn';
import { choose, clickServerAction, diagnoseFromTree, editUserSettings, filesUnder, findNotification, notification, quickInputFor, readClipboard, runCommand, serverRow, setTraceLogLevel, setKeyThroughPasswordBox } from './workbench';

/**
 * The secret canary suite (issue 8): one real VS Code at trace log level goes through the paths that handle
 * secrets (subscription key, Entra sign-in, client secret, diagnosis and report export, policy lint, a server
 * moved to another origin), then every file it could have written, its captured logs, the exported report and
 * the DOM of every frame are searched for every canary value.
 */
const unique = () => randomBytes(12).toString('hex');
const CANARY_KEY = `canaryK${unique()}`;
const CANARY_CLIENT_SECRET = `canaryS${unique()}`;
const KEY_SERVER = 'Canary key';
const ENTRA_SERVER = 'Canary Entra';
const CONFIDENTIAL_SERVER = 'Canary confidential client';
const CONFIDENTIAL_CLIENT_ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
/** Issue 16: a gateway that echoes the key (item 3), with a copy cut at the 300-character quote limit (item 4). */
const ECHO_SERVER = 'Canary echoing gateway';
/** Issue 16, item 6: a gateway that answers 307 to another origin. */
const REDIRECT_SERVER = 'Canary 307 elsewhere';
/** Issue 16, item 1: a workspace .mcp.json server whose key header names a variable that is not ours. */
const ENV_SERVER = 'Canary env header';
const ENV_VAR = 'CANARY_DEPLOY_TOKEN';
const CANARY_ENV = `canaryE${unique()}`;
/** The healthy-entra scenario's user, typed on the Entra emulator's sign-in page. */
const USER = 'alex@contoso.onmicrosoft.com';
/** What the diagnostics panel shows when done: the findings, or the healthy line. */
const HEALTHY_OR_FINDINGS = 'section.findings, p.healthy';
const POLICY = 'policies/canary.mcp.policy.xml';
const FIXTURES = join(__dirname, '..', 'fixtures', 'policies');

describe('secret canaries: no key, token or client secret leaves secret storage or reaches another origin', () => {
  let keySandbox: Sandbox;
  let entraSandbox: Sandbox;
  let other: Awaited<ReturnType<typeof startOtherOrigin>>;
  let hostile: Awaited<ReturnType<typeof startHostileGateway>>;
  let settings: Record<string, unknown>;
  const consoleLines: string[] = [];
  const suite = workbenchSuite(async ({ stopAfter }) => {
    keySandbox = stopAfter(await startSandbox('healthy-key', { subscriptionKeys: [CANARY_KEY] }));
    entraSandbox = stopAfter(await startSandbox('healthy-entra'));
    other = stopAfter(await startOtherOrigin());
    hostile = stopAfter(await startHostileGateway(() => `${other.origin}/products/mcp`));
    const { mcpUrl, tenantId, entra, caCertPath } = entraSandbox.endpoints;
    settings = {
      'apimMcp.authProviderId': 'apimMcpTest.sandboxEntra',
      'apimMcp.servers': [
        { name: KEY_SERVER, url: keySandbox.endpoints.mcpUrl, auth: 'subscriptionKey' },
        { name: ENTRA_SERVER, url: mcpUrl, auth: 'entra', tenant: tenantId, scopes: [`${mcpUrl}/user_impersonate`] },
        { name: CONFIDENTIAL_SERVER, url: mcpUrl, auth: 'entra', tenant: tenantId, clientId: CONFIDENTIAL_CLIENT_ID },
      ],
    };
    return {
      label: 'e2e-canary',
      testDriver: true,
      clipboard: true,
      userSettings: settings,
      workspaceFiles: {
        [POLICY]: readFileSync(join(FIXTURES, 'gotchas.mcp.policy.xml'), 'utf8'),
        '.mcp.json': JSON.stringify({ mcpServers: { [ENV_SERVER]: { type: 'http', url: `${other.origin}/env/mcp`, headers: { 'Ocp-Apim-Subscription-Key': `\${${ENV_VAR}}` } } } }),
      },
      // The extension host trusts the Entra emulator's throwaway CA (diagnosis reads its metadata over https), and
      // has a secret under a name that is not ours, as GITHUB_TOKEN would be.
      env: { APIM_MCP_SANDBOX_ENTRA: JSON.stringify({ entra, caCertPath }), NODE_EXTRA_CA_CERTS: caCertPath, [ENV_VAR]: CANARY_ENV },
    };
  });
  before(async () => {
    suite.page.on('console', (m) => consoleLines.push(m.text()));
    // Trace level for every log, so the canary check reads the most talkative logs VS Code writes.
    await setTraceLogLevel(suite.page, suite.server.userDataDir);
  });

  let savedReport: string | undefined;
  const copiedReports: string[] = [];
  const domSnapshots: string[] = [];
  const startedAt = Date.now() - 1000;

  const settingsFile = () => join(suite.server.userDataDir, 'User', 'settings.json');

  /** Every frame's DOM (the workbench and the webview's nested frames), kept for the final check. */
  const snapshotDom = async () => {
    for (const frame of suite.page.frames()) domSnapshots.push(await frame.content().catch(() => ''));
  };

  const copyReport = async (frame: FrameLocator) => {
    await frame.getByRole('button', { name: 'Copy Report' }).click();
    await frame.locator('#notice', { hasText: 'Report copied' }).waitFor({ state: 'visible', timeout: 10_000 });
    const report = await readClipboard(suite.page);
    assert.match(report, /^# APIM MCP diagnosis/);
    copiedReports.push(report);
    return report;
  };

  /** Every value that must not leak: the key, the client secret, and every token the Entra emulator issued with its signature. */
  const canaries = (): string[] => {
    const tokens = entraSandbox.issuedTokens();
    const signatures = tokens.map((t) => t.split('.')).filter((p) => p.length === 3 && p[2]!.length >= 16).map((p) => p[2]!);
    // A secret cut at a quote limit leaves its beginning: 16 characters of the key are searched for too (item 4).
    return [CANARY_KEY, CANARY_KEY.slice(0, 16), CANARY_CLIENT_SECRET, CANARY_ENV, ...tokens, ...signatures];
  };

  it('key: set through a password box, used by VS Code to connect, and diagnosed with the report copied and saved', async () => {
    const { page } = suite;
    await setKeyThroughPasswordBox(page, KEY_SERVER, CANARY_KEY);

    await clickServerAction(page, KEY_SERVER, 'play');
    await waitFor('tools/list with the canary key', 60_000, () =>
      keySandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.keyStatus === 'valid') ? true : undefined);

    const frame = await diagnoseFromTree(suite.workbench, KEY_SERVER, HEALTHY_OR_FINDINGS);
    await frame.locator('p.healthy').waitFor({ state: 'visible', timeout: 60_000 });
    await copyReport(frame);
    // Save Report: VS Code's save dialog (the simple one in the browser) with the default path in the workspace.
    await frame.getByRole('button', { name: 'Save Report' }).click();
    const saveBox = await quickInputFor(page, /Save the redacted diagnosis report/);
    // The default: the workspace folder and a name from the server's. Typing over the browser's save dialog races
    // the completion it keeps doing while it loads, so the test accepts the default once the box shows it.
    const path = join(suite.server.workspace, 'apim-mcp-diagnosis-canary-key.md');
    await waitFor('the saved report', 40_000, async () => {
      if (existsSync(path) && readFileSync(path, 'utf8').startsWith('# APIM MCP diagnosis')) return true;
      if ((await saveBox.isVisible()) && (await saveBox.inputValue()).endsWith('/apim-mcp-diagnosis-canary-key.md')) {
        await saveBox.focus();
        await page.keyboard.press('Enter');
      }
      return undefined;
    }, 1000);
    savedReport = readFileSync(path, 'utf8');
    await snapshotDom();
  });

  it('Entra: signs in through the auth provider, connects with the token, and diagnoses with the token decoded', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Sign In to Microsoft Entra ID');
    await choose(page, undefined, ENTRA_SERVER);
    const allow = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Allow$/ });
    await allow.waitFor({ state: 'visible', timeout: 30_000 });
    const entraSignIn = expectEntraSignIn(suite.workbench, entraSandbox.endpoints.entra, suite.server.url, 'e2e-canary-entra-sign-in-page');
    await allow.click();
    await entraSignIn.signIn(USER);
    await notification(page, `signed in to ${ENTRA_SERVER}`).waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(entraSandbox.issuedTokens().length > 0, 'the Entra emulator issued no token');

    // 16.2: before the first token goes to the gateway's origin, a modal question names that origin. No is not kept.
    const origin = new URL(entraSandbox.endpoints.mcpUrl).origin;
    const question = page.locator('.monaco-dialog-box', { hasText: `Send your Microsoft Entra ID tokens to ${origin}?` });
    const askedAt = Date.now();
    await clickServerAction(page, ENTRA_SERVER, 'play');
    await question.waitFor({ state: 'visible', timeout: 30_000 });
    await suite.workbench.screenshot('e2e-canary-token-origin-question');
    await question.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await waitFor('the refusal in the extension log', 20_000, () => (/\[tokenOrigin\] .* not allowed by the user/.test(suite.extensionLog()) ? true : undefined));
    await waitFor('the status to say why', 20_000, () => (/\[resolve\] Canary Entra: Entra ID tokens may not go to/.test(suite.extensionLog()) ? true : undefined));
    assert.deepEqual(entraSandbox.requests().filter((r) => r.at >= askedAt).map((r) => r.authorization).filter((a) => a !== 'absent'), [], 'a token was sent after No');

    await clickServerAction(page, ENTRA_SERVER, 'play');
    await question.waitFor({ state: 'visible', timeout: 30_000 });
    await question.locator('.monaco-button', { hasText: /^Send Tokens$/ }).click();
    await waitFor('tools/list with a valid token', 60_000, () =>
      entraSandbox.requests().some((r) => r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);

    const frame = await diagnoseFromTree(suite.workbench, ENTRA_SERVER, HEALTHY_OR_FINDINGS);
    // The diagnosis used the token: its claims are shown (the token itself never is). It was not asked about again.
    await frame.locator('section.claims').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(suite.extensionLog().match(/\[tokenOrigin\]/g)?.length, 2, 'asked once more after the yes');
    await copyReport(frame);
    await snapshotDom();
  });

  it('Entra: Switch Account asks through VS Code, signs in again and the server reconnects with the new token', async () => {
    const { page } = suite;
    const since = Date.now();
    const issuedBefore = entraSandbox.issuedTokens().length;
    await runCommand(page, 'APIM MCP: Switch Entra ID Account');
    await choose(page, undefined, ENTRA_SERVER);
    // VS Code asks before an extension starts a new sign-in (forceNewSession).
    const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^(Allow|Sign [Ii]n|Continue)$/ }).first();
    await confirm.waitFor({ state: 'visible', timeout: 30_000 });
    await suite.workbench.screenshot('e2e-switch-account-confirm');
    const entraSignIn = expectEntraSignIn(suite.workbench, entraSandbox.endpoints.entra, suite.server.url);
    await confirm.click();
    await entraSignIn.signIn(USER);
    await findNotification(page, `${ENTRA_SERVER} now uses`);
    assert.ok(entraSandbox.issuedTokens().length > issuedBefore, 'no new token was issued');
    await waitFor('tools/list with the new token', 60_000, () =>
      entraSandbox.requests().some((r) => r.at >= since && r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);
    assert.equal(suite.extensionLog().match(/\[tokenOrigin\]/g)?.length, 2, 'the new account\'s token was asked about again');
    await snapshotDom();
  });

  it('client secret: stored through a password box', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Set Entra ID Client Secret');
    await choose(page, undefined, CONFIDENTIAL_SERVER);
    const input = await quickInputFor(page, `Client secret for ${CONFIDENTIAL_CLIENT_ID}`);
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill(CANARY_CLIENT_SECRET);
    await page.keyboard.press('Enter');
    await waitFor('the client secret stored (extension log)', 20_000, () =>
      filesUnder(join(suite.server.userDataDir, 'logs'))
        .filter((f) => /APIM MCP/.test(f))
        .some((f) => readFileSync(f, 'utf8').includes(`[clientSecret] ${CONFIDENTIAL_SERVER}: client secret stored`)) ? true : undefined);
  });

  it('policy lint: the linter runs on an opened policy file', async () => {
    const { page } = suite;
    await runCommand(page, 'Go to File...');
    await page.keyboard.type('canary.mcp.policy.xml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'canary.mcp.policy.xml' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await runCommand(page, 'Problems: Focus on Problems View');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'preserveContent' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('another origin: after the key server\'s URL moves there, diagnose and start never send it the key', async () => {
    const { page } = suite;
    const moved = {
      ...settings,
      'apimMcp.servers': (settings['apimMcp.servers'] as { name: string }[]).map((s) => (s.name === KEY_SERVER ? { ...s, url: `${other.origin}/products/mcp` } : s)),
    };
    await editUserSettings(page, suite.server.userDataDir, moved);
    // Diagnose until the run goes to the new URL (the registry follows the configuration change).
    let frame: FrameLocator | undefined;
    await waitFor('a diagnosis of the moved server', 60_000, async () => {
      frame = await diagnoseFromTree(suite.workbench, KEY_SERVER, HEALTHY_OR_FINDINGS);
      return other.received.length > 0 ? true : undefined;
    }).catch(async (error: unknown) => {
      await suite.workbench.screenshot('e2e-canary-moved-failed');
      const log = filesUnder(join(suite.server.userDataDir, 'logs')).filter((f) => /APIM MCP/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
      throw new Error(`${String(error)}\n--- settings ---\n${readFileSync(settingsFile(), 'utf8')}\n--- extension log ---\n${log.slice(-3000)}`);
    });
    await frame!.locator('section.findings').waitFor({ state: 'visible', timeout: 60_000 });
    await copyReport(frame!);
    await snapshotDom();
    const diagnosed = other.received.length;
    assert.ok(diagnosed > 0, 'the diagnosis never reached the other origin');

    // Start: the key bound to the old origin is not used; VS Code connects (or the person is asked for a key).
    await clickServerAction(page, KEY_SERVER, 'play');
    const askedAgain = page.locator('.quick-input-widget', { hasText: `Subscription key for ${KEY_SERVER}` });
    await waitFor('the start to reach the other origin or ask for a key', 30_000, async () =>
      other.received.length > diagnosed || (await askedAgain.isVisible()) ? true : undefined);
    if (await askedAgain.isVisible()) await page.keyboard.press('Escape');
    await snapshotDom();

    for (const r of other.received) {
      const everything = `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
      for (const canary of canaries()) assert.ok(!everything.includes(canary), `a canary reached the other origin in ${r.method} ${r.url}`);
      assert.equal(r.headers['ocp-apim-subscription-key'], undefined);
      assert.equal(r.headers['authorization'], undefined);
    }
    // Every request with the key went to the gateway it was entered for.
    assert.ok(keySandbox.requests().every((r) => r.keyStatus !== 'invalid'));
  });

  it('16.3/16.4/16.6/16.1: an echoing gateway, a key cut at the quote limit, a 307 elsewhere and a workspace header naming another variable', async () => {
    const { page } = suite;
    const current = JSON.parse(readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>;
    const servers = current['apimMcp.servers'] as Record<string, unknown>[];
    await editUserSettings(page, suite.server.userDataDir, {
      'apimMcp.servers': [...servers, { name: ECHO_SERVER, url: `${hostile.origin}/echo/mcp`, auth: 'subscriptionKey' }, { name: REDIRECT_SERVER, url: `${hostile.origin}/moved/mcp`, auth: 'subscriptionKey' }],
    });

    // Echo: the key box's check is answered with the key echoed; the box quotes the answer, redacted.
    await clickServerAction(page, ECHO_SERVER, 'play');
    const echoBox = await quickInputFor(page, `Subscription key for ${ECHO_SERVER}`);
    await echoBox.fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'APIM rejected this key' }).waitFor({ state: 'visible', timeout: 20_000 });
    await snapshotDom();
    // Again: now a 404 with the key twice; the key is kept and the start refused with the answer quoted, redacted.
    await page.keyboard.press('Enter');
    await findNotification(page, `${ECHO_SERVER} cannot connect`);
    await serverRow(page, ECHO_SERVER).hover();
    await page.locator('.monaco-hover', { hasText: 'APIM has no API at this path' }).first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
    await snapshotDom();
    const echoFrame = await diagnoseFromTree(suite.workbench, ECHO_SERVER);
    await echoFrame.locator('section.findings', { hasText: 'Resource not found.' }).waitFor({ state: 'visible', timeout: 60_000 });
    await copyReport(echoFrame);
    await snapshotDom();
    assert.ok(hostile.received.filter((h) => h['ocp-apim-subscription-key'] === CANARY_KEY).length >= 3, 'the key went to the echoing gateway (its own origin)');

    // 307 elsewhere: the key is stored for the gateway, the start is refused and names the other address.
    await clickServerAction(page, REDIRECT_SERVER, 'play');
    const movedBox = await quickInputFor(page, `Subscription key for ${REDIRECT_SERVER}`);
    await movedBox.fill(CANARY_KEY);
    await page.keyboard.press('Enter');
    await findNotification(page, `${REDIRECT_SERVER} cannot connect`);
    const movedFrame = await diagnoseFromTree(suite.workbench, REDIRECT_SERVER);
    await copyReport(movedFrame);
    await snapshotDom();

    // A workspace server whose key header is ${CANARY_DEPLOY_TOKEN}: that variable is never read.
    const envFrame = await diagnoseFromTree(suite.workbench, ENV_SERVER, 'section.notes');
    await envFrame.locator('section.notes', { hasText: `${ENV_VAR}, which is not read` }).waitFor({ state: 'visible', timeout: 60_000 });
    await snapshotDom();

    for (const r of other.received) {
      const everything = `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
      for (const canary of canaries()) assert.ok(!everything.includes(canary), `a canary reached the other origin in ${r.method} ${r.url}`);
      assert.equal(r.headers['ocp-apim-subscription-key'], undefined, `a key header reached the other origin in ${r.method} ${r.url}`);
    }
    assert.ok(other.received.some((r) => r.url.startsWith('/env/')), 'the env-header server was never diagnosed');
  });

  it('no canary in any file, log, report or DOM (except VS Code\'s own secret storage, which is not on disk here)', async () => {
    await snapshotDom();
    const values = canaries();
    assert.ok(values.length >= 5, `only ${values.length} canaries`);
    const root = filesUnder(suite.server.root);
    assert.ok(root.some((f) => f.startsWith(join(suite.server.userDataDir, 'logs'))), 'no VS Code logs were written');
    const logs = root.filter((f) => f.startsWith(join(suite.server.userDataDir, 'logs')));
    const extLog = logs.filter((f) => /APIM MCP/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(extLog, /\[debug\]/, 'the extension log was not below info level');
    assert.ok(logs.some((f) => readFileSync(f, 'utf8').includes('[trace]')), 'no VS Code log was at trace level');
    // The shared temp folder (Chromium's profile with its localStorage/IndexedDB, code-server's files) and code-server's own data folder.
    const skipRoot = (p: string) => p === suite.server.root || /node_modules|apim-mcp-tools/.test(p);
    const temp = [...recentFilesUnder(tmpdir(), startedAt, skipRoot), ...recentFilesUnder(join(homedir(), '.local', 'share', 'code-server'), startedAt, () => false)];
    assert.ok(temp.some((f) => /playwright_chromiumdev_profile/.test(f)), 'the browser profile was not searched');
    const files = [...root, ...temp];
    const search = (paths: string[]) => filesHolding(paths, values);
    // Positive control: a canary planted in the workspace (UTF-16, as browsers store strings) is found.
    const planted = join(suite.server.workspace, 'planted-canary.bin');
    writeFileSync(planted, Buffer.concat([Buffer.from('x'), Buffer.from(CANARY_KEY, 'utf16le')]));
    assert.deepEqual(search([...filesUnder(suite.server.workspace), ...files]).filter((h) => h.startsWith(planted)).length, 2, 'the search misses a planted canary (the key, and its beginning)');
    rmSync(planted);
    const hits = search(files);
    const texts: [string, string][] = [
      ['code-server output', suite.server.logs()],
      ['browser console', consoleLines.join('\n')],
      ['saved report', savedReport ?? ''],
      ...copiedReports.map((r, i): [string, string] => [`copied report ${i + 1}`, r]),
      ...domSnapshots.map((d, i): [string, string] => [`DOM snapshot ${i + 1}`, d]),
    ];
    for (const [name, text] of texts) for (const v of values) if (text.includes(v)) hits.push(`${name} (${v.slice(0, 8)}…)`);
    assert.ok(savedReport && copiedReports.length === 5 && domSnapshots.length > 3);
    const browserFiles = temp.filter((f) => /playwright_chromiumdev_profile/.test(f)).length;
    console.log(`canary: ${values.length} values; ${root.length} files under the code-server root, ${temp.length} recent temp files (${browserFiles} in the browser profile), ${texts.length} texts (logs, console, reports, DOM); ${other.received.length} requests at the other origin`);
    assert.deepEqual(hits, [], `searched ${files.length} files and ${texts.length} texts`);
  });
});
