import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from '../../../src/core/diagnosis/rules';
import type { AuthKind } from '../../../src/core/serverRecord';
import { apimError, KEY_HEADER, MCP_URL, observations } from './observationBuilders';

const KEY_MISSING = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const KEY_CHALLENGE = { 'www-authenticate': `AzureApiManagementKey realm="${MCP_URL}",name="${KEY_HEADER}",type="header"` };

/** Issue 18.5: the missing-key fix names only what that kind of server offers. */
const CASES: readonly { auth: AuthKind | undefined; offersSetKey: boolean; names: RegExp }[] = [
  { auth: 'subscriptionKey', offersSetKey: true, names: /"Set Subscription Key"/ },
  { auth: 'subscriptionKeyAndEntra', offersSetKey: true, names: /"Set Subscription Key"/ },
  { auth: undefined, offersSetKey: true, names: /mcp\.json password input/ },
  { auth: 'entra', offersSetKey: false, names: /"subscriptionKeyAndEntra"/ },
  { auth: 'none', offersSetKey: false, names: /"subscriptionKey"/ },
];

for (const c of CASES) {
  test(`apim.key.missing for a ${c.auth ?? 'URL-only'} server: ${c.offersSetKey ? 'Set Subscription Key' : 'the auth kind or "Subscription required"'}`, () => {
    const findings = evaluate(observations({ input: { auth: c.auth }, unauth: apimError(401, KEY_MISSING, KEY_CHALLENGE) }));
    const finding = findings.find((f) => f.id === 'apim.key.missing');
    assert.ok(finding, `apim.key.missing was not reported: ${findings.map((f) => f.id).join(', ')}`);
    const text = `${finding.title}\n${finding.fix.summary}`;
    assert.match(text, c.names);
    assert.equal(/Set Subscription Key/.test(text), c.offersSetKey, text);
  });
}
