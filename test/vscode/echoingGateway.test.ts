import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { filesUnder } from '../harness/files';
import type { TestServer } from '../unit/probe/hostileServers';
import { fragmentsIn, rareSecret, startHostileMcp } from '../unit/security/hostileMcp';
import { extensionSuite } from './extensionSuite';
import { pollUntil } from './helpers';

const DRIVER_ID = 'apim-mcp-tests.apim-mcp-test-driver';
const SERVER = 'Products (echoing gateway)';
const KEY = rareSecret(32);

/**
 * Issue 16, item 3, in real VS Code: a gateway that repeats the request's headers in its 401 (body, a custom header
 * and the key challenge). The startup check redacts what it captured, so neither the key nor a piece of it reaches
 * the status detail (the tree tooltip, the notification and the error thrown to VS Code are built from the same
 * text), the public API, the extension's log or VS Code's own logs, where the thrown error is recorded.
 */
describe('16.3 an echoing gateway: the key appears nowhere in what the extension and VS Code show or keep', () => {
  let gateway: TestServer;
  let logsRoot: string;
  const suite = extensionSuite(async ({ atTeardown }) => {
    const driver = vscode.extensions.getExtension<{ logUri: vscode.Uri }>(DRIVER_ID);
    assert.ok(driver, 'the test driver extension is not installed');
    // <session>/window1/exthost/<driver id>: the whole session's logs, VS Code's included.
    logsRoot = dirname(dirname(dirname((await driver.activate()).logUri.fsPath)));
    gateway = await startHostileMcp({
      mcp: (req, _body, res) => {
        const sent = String(req.headers['ocp-apim-subscription-key'] ?? 'none');
        res.writeHead(401, {
          'content-type': 'application/json',
          'x-echo': sent,
          'www-authenticate': `AzureApiManagementKey realm="${gateway.origin}/products", name="${sent}", type="header"`,
        });
        res.end(JSON.stringify({ statusCode: 401, message: `Access denied due to invalid subscription key ${sent}. Make sure to provide a valid key for an active subscription.` }));
      },
    });
    atTeardown(() => gateway.close());
    return { servers: [{ name: SERVER, url: `${gateway.origin}/mcp`, auth: 'subscriptionKey' }] };
  });

  it('start: the refusal is reported with the echo redacted, and no piece of the key is in the status, the API or any log', async () => {
    await vscode.commands.executeCommand('apimMcp.setSubscriptionKey', SERVER, KEY);
    await Promise.resolve(vscode.commands.executeCommand('apimMcp.startServer', SERVER)).catch(() => undefined);
    const status = await pollUntil(() => `the refusal; status ${JSON.stringify(suite.api.getServerStatus(SERVER))}`, 30_000, () => {
      const s = suite.api.getServerStatus(SERVER);
      return s.health === 'failing' ? s : undefined;
    });
    assert.ok(gateway.received.some((h) => h['ocp-apim-subscription-key'] === KEY), 'the key was sent to its own gateway');
    // VS Code records the error the provider threw (the same text) in its own logs.
    const logText = await pollUntil('the thrown error in VS Code\'s logs', 20_000, () => {
      const texts = filesUnder(logsRoot).map((f) => ({ f, text: readFileSync(f, 'utf8') }));
      const vsCodeSaw = texts.some(({ f, text }) => !f.includes('apim-mcp.apim-mcp') && text.includes('APIM rejected the subscription key'));
      return vsCodeSaw ? texts : undefined;
    });
    const listed = JSON.stringify(await suite.api.listServers());
    const places: [string, string][] = [['status detail', JSON.stringify(status)], ['listServers', listed], ...logText.map(({ f, text }): [string, string] => [f, text])];
    // Where pieces of the key are, and how many; never the pieces themselves.
    const leaks = places.flatMap(([where, text]) => {
      const pieces = fragmentsIn(text, KEY).length;
      return pieces ? [`${where}: ${pieces} pieces of the key`] : [];
    });
    assert.deepEqual(leaks, []);
    // The refusal still quotes the gateway's message, with the echoed key replaced.
    assert.match(status.detail ?? '', /APIM rejected the subscription key \(401 "Access denied due to invalid subscription key \*\*\*\./);
  });
});
