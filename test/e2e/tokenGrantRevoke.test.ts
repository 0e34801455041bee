// Issue 16, item 2 follow-up in real VS Code: the yes to "send your Entra ID tokens to this origin" goes with the
// server. After Forget Secrets, and after Remove Server (the server added again), the next start asks again, and no
// token reaches the gateway while the question is open or after it is answered No.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../harness/processes';
import { workbenchSuite } from '../harness/workbenchSuite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { expectEntraSignIn } from './entraSignIn';
import { choose, clickServerAction, editUserSettings, findNotification, notification, removeServerFromPalette, runCommand } from './workbench';

const SERVER = 'Grant revoke';
/** The healthy-entra scenario's user, typed on the Entra emulator's sign-in page. */
const USER = 'alex@contoso.onmicrosoft.com';

describe('16.2 the token-origin yes is taken back by Forget Secrets and Remove Server: the next token asks again', () => {
  let sandbox: Sandbox;
  let record: Record<string, unknown>;
  let origin: string;
  const suite = workbenchSuite(async ({ stopAfter }) => {
    sandbox = stopAfter(await startSandbox('healthy-entra'));
    const { mcpUrl, tenantId, entra, caCertPath } = sandbox.endpoints;
    origin = new URL(mcpUrl).origin;
    record = { name: SERVER, url: mcpUrl, auth: 'entra', tenant: tenantId, scopes: [`${mcpUrl}/user_impersonate`] };
    return {
      label: 'e2e-grant-revoke',
      testDriver: true,
      userSettings: { 'apimMcp.authProviderId': 'apimMcpTest.sandboxEntra', 'apimMcp.servers': [record] },
      env: { APIM_MCP_SANDBOX_ENTRA: JSON.stringify({ entra, caCertPath }), NODE_EXTRA_CA_CERTS: caCertPath },
    };
  });

  const question = () => suite.page.locator('.monaco-dialog-box', { hasText: `Send your Microsoft Entra ID tokens to ${origin}?` });
  /** Requests that reached the gateway with any Authorization header since `since`. */
  const tokensSentSince = (since: number) => sandbox.requests().filter((r) => r.at >= since && r.authorization !== 'absent');
  const toolsListedWithTokenSince = (since: number) =>
    waitFor('tools/list with a valid token', 60_000, () =>
      sandbox.requests().some((r) => r.at >= since && r.jsonrpcMethod === 'tools/list' && r.status === 200 && r.authorization === 'valid') ? true : undefined);

  /**
   * Presses Start: the question about the origin shows, and nothing with a token has reached the gateway. `answer`
   * No: still nothing, and the refusal is logged; Yes: the server lists its tools with the token.
   */
  const startAndAnswer = async (answer: 'Cancel' | 'Send Tokens', shot?: string) => {
    const since = Date.now();
    await clickServerAction(suite.page, SERVER, 'play');
    await waitFor('the question about the origin', 30_000, async () => {
      if (tokensSentSince(since).length > 0) throw new Error(`a token reached ${origin} without the question being asked`);
      return (await question().isVisible()) ? true : undefined;
    });
    if (shot) await suite.workbench.screenshot(shot);
    assert.deepEqual(tokensSentSince(since).map((r) => r.authorization), [], 'a token reached the gateway before the question was answered');
    const count = (pattern: RegExp) => suite.extensionLog().match(pattern)?.length ?? 0;
    const refusal = /\[tokenOrigin\] .* not allowed by the user/g;
    const why = /\[resolve\] Grant revoke: Entra ID tokens may not go to/g;
    const [refusalsBefore, whysBefore] = [count(refusal), count(why)];
    await question().locator('.monaco-button', { hasText: new RegExp(`^${answer}$`) }).click();
    if (answer === 'Send Tokens') return toolsListedWithTokenSince(since);
    await waitFor('the refusal in the extension log', 20_000, () => (count(refusal) > refusalsBefore ? true : undefined));
    await waitFor('the status to say why', 20_000, () => (count(why) > whysBefore ? true : undefined));
    assert.deepEqual(tokensSentSince(since).map((r) => r.authorization), [], 'a token reached the gateway after No');
    return true;
  };

  it('signs in and says yes once: the server starts with the token', async () => {
    const { page } = suite;
    await runCommand(page, 'APIM MCP: Sign In to Microsoft Entra ID');
    const allow = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Allow$/ });
    await allow.waitFor({ state: 'visible', timeout: 30_000 });
    const entraSignIn = expectEntraSignIn(suite.workbench, sandbox.endpoints.entra, suite.server.url);
    await allow.click();
    await entraSignIn.signIn(USER);
    await notification(page, `signed in to ${SERVER}`).waitFor({ state: 'visible', timeout: 30_000 });
    await startAndAnswer('Send Tokens', 'e2e-grant-revoke-first-question');
    assert.equal(suite.extensionLog().match(/\[tokenOrigin\]/g)?.length, 1, 'asked once');
  });

  it('Forget Secrets takes the yes back: the running server stops, the next start asks, No sends nothing, Yes sends the token', async () => {
    const { page } = suite;
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'APIM MCP: Forget Secrets');
    await choose(page, 'Choose a server', SERVER);
    await findNotification(page, new RegExp(`for ${SERVER}`));
    await startAndAnswer('Cancel', 'e2e-grant-revoke-asked-after-forget');
    await startAndAnswer('Send Tokens');
  });

  it('Remove Server takes the yes back: the same server added again asks before its first token', async () => {
    const { page } = suite;
    await runCommand(page, 'Notifications: Clear All Notifications');
    await removeServerFromPalette(page, SERVER);
    await editUserSettings(page, suite.server.userDataDir, { 'apimMcp.servers': [record] });
    await startAndAnswer('Cancel', 'e2e-grant-revoke-asked-after-remove');
    await startAndAnswer('Send Tokens');
  });
});
