import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { entriesInConfigFile } from '../../../src/core/config/configEntries';
import { credentialAccess, isKeyEnvVar } from '../../../src/core/config/credentialAccess';

/** One `.mcp.json` entry, as a cloned folder could ship it: a header that names a variable from the environment. */
function dotMcpEntry(header: string, url = 'https://contoso.azure-api.net/weather/mcp') {
  const text = JSON.stringify({ mcpServers: { weather: { type: 'http', url, headers: { 'Ocp-Apim-Subscription-Key': header } } } });
  const read = entriesInConfigFile(text, 'mcpServers', 'rootDotMcpJson', '/folder/.mcp.json');
  assert.ok(read.ok && read.entries.length === 1);
  return read.entries[0]!;
}

describe('16.1 which secrets a diagnosis may use for a server from a config file', () => {
  it('the key header that is exactly one variable reference names the variable', () => {
    assert.equal(dotMcpEntry('${GITHUB_TOKEN}').keyEnvVar, 'GITHUB_TOKEN');
    assert.equal(dotMcpEntry('$APIM_MCP_KEY_WEATHER').keyEnvVar, 'APIM_MCP_KEY_WEATHER');
    assert.equal(dotMcpEntry('prefix-${GITHUB_TOKEN}').keyEnvVar, undefined);
  });

  it('an untrusted folder gets nothing secret at all for a server it defines (Restricted Mode)', () => {
    for (const source of ['rootDotMcpJson', 'workspaceMcpJson'] as const) {
      const access = credentialAccess({ source, url: 'https://contoso.azure-api.net/mcp', keyEnvVar: 'APIM_MCP_KEY_WEATHER' }, false);
      assert.deepEqual(access, { allowed: false, refusal: 'restrictedMode' }, source);
    }
  });

  it('a header ${GITHUB_TOKEN} is not read from the environment, even in a trusted folder', () => {
    const access = credentialAccess(dotMcpEntry('${GITHUB_TOKEN}'), true);
    assert.equal(access.allowed, true);
    assert.equal(access.keyEnvVar, undefined);
    assert.deepEqual(access.envVarIgnored, { name: 'GITHUB_TOKEN', why: 'notKeyVariable' });
  });

  it('APIM_MCP_KEY_* is read in a trusted folder only', () => {
    const entry = dotMcpEntry('${APIM_MCP_KEY_WEATHER}');
    assert.equal(credentialAccess(entry, true).keyEnvVar, 'APIM_MCP_KEY_WEATHER');
    // A user-level config in an untrusted window: its stored key may be used, the host environment is not read.
    const userLevel = { ...entry, source: 'copilotCli' as const };
    assert.deepEqual(credentialAccess(userLevel, false), { allowed: true, envVarIgnored: { name: 'APIM_MCP_KEY_WEATHER', why: 'restrictedMode' } });
  });

  it('file URLs follow the wizard: https, or http to this machine only', () => {
    assert.deepEqual(credentialAccess(dotMcpEntry('${APIM_MCP_KEY_WEATHER}', 'http://attacker.example/mcp'), true), { allowed: false, refusal: 'insecureUrl' });
    assert.equal(credentialAccess(dotMcpEntry('${APIM_MCP_KEY_WEATHER}', 'http://127.0.0.1:8080/mcp'), true).allowed, true);
    assert.deepEqual(credentialAccess(dotMcpEntry('x', 'https://user:pw@contoso.azure-api.net/mcp'), true), { allowed: false, refusal: 'insecureUrl' });
  });

  it('only APIM_MCP_KEY_<NAME> counts as a key variable', () => {
    for (const name of ['APIM_MCP_KEY_WEATHER', 'APIM_MCP_KEY_A1']) assert.equal(isKeyEnvVar(name), true, name);
    for (const name of ['APIM_MCP_KEY_', 'GITHUB_TOKEN', 'APIM_MCP_TOKEN_WEATHER', 'AWS_SECRET_ACCESS_KEY', 'apim_mcp_key_x']) assert.equal(isKeyEnvVar(name), false, name);
  });
});
