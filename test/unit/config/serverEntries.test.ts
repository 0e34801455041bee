import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  buildMcpJsonEntry,
  buildMcpServersEntry,
  buildSettingEntry,
  keyInputId,
  withoutSettingEntry,
  withSettingEntry,
} from '../../../src/core/config/serverEntries';
import { CONFIG_TARGETS, copilotConfigPath, formatForPath, isConfigTargetKind, targetFilePath, userProfileFolderOf, vsCodeServerId } from '../../../src/core/config/targets';
import { parseServerRecord } from '../../../src/core/serverRecord';
import { CLIENT_ID, server } from './serverFixtures';

const URL_ = 'https://contoso.azure-api.net/weather/mcp';

describe('mcp.json entry', () => {
  const cases: [string, Parameters<typeof server>[0], unknown][] = [
    [
      'key: header references a password input',
      { auth: 'subscriptionKey' },
      {
        server: { type: 'http', url: URL_, headers: { 'Ocp-Apim-Subscription-Key': '${input:apim-mcp-key-weather}' } },
        inputs: [
          {
            type: 'promptString',
            id: 'apim-mcp-key-weather',
            description: 'APIM subscription key for weather (https://contoso.azure-api.net)',
            password: true,
          },
        ],
      },
    ],
    [
      'key with a custom header name',
      { auth: 'subscriptionKey', keyHeaderName: 'X-Contoso-Key' },
      {
        server: { type: 'http', url: URL_, headers: { 'X-Contoso-Key': '${input:apim-mcp-key-weather}' } },
        inputs: [
          {
            type: 'promptString',
            id: 'apim-mcp-key-weather',
            description: 'APIM subscription key for weather (https://contoso.azure-api.net)',
            password: true,
          },
        ],
      },
    ],
    ['entra with valid PRM: no headers at all', { auth: 'entra', prmValid: true, tenant: 't' }, { server: { type: 'http', url: URL_ }, inputs: [] }],
    [
      'entra with a custom client',
      { auth: 'entra', prmValid: true, clientId: CLIENT_ID },
      { server: { type: 'http', url: URL_, oauth: { clientId: CLIENT_ID } }, inputs: [] },
    ],
    ['none', { auth: 'none' }, { server: { type: 'http', url: URL_ }, inputs: [] }],
  ];
  it('leaves oauth.clientId out when the running VS Code\'s schema does not accept it', () => {
    const built = buildMcpJsonEntry(server({ auth: 'entra', prmValid: true, clientId: CLIENT_ID }), undefined, { vscodeOauthClientId: false });
    assert.ok(built.ok);
    assert.deepEqual(built.value.server, { type: 'http', url: URL_ });
  });
  for (const [label, raw, expected] of cases) {
    it(label, () => {
      const built = buildMcpJsonEntry(server(raw));
      assert.ok(built.ok);
      assert.deepEqual(built.value, expected);
    });
  }

  it('a key input is never a command input and always a password', () => {
    const built = buildMcpJsonEntry(server({ auth: 'subscriptionKeyAndEntra', prmValid: true }));
    assert.ok(built.ok);
    assert.equal(built.value.inputs.length, 1);
    for (const input of built.value.inputs) {
      assert.equal(input.type, 'promptString');
      assert.equal(input.password, true);
    }
  });

  it('refuses entra without valid PRM (VS Code could not sign in)', () => {
    const built = buildMcpJsonEntry(server({ auth: 'entra', prmValid: false }));
    assert.equal(built.ok, false);
    assert.match(built.ok ? '' : built.reason, /protected-resource metadata/);
    assert.equal(built.ok ? undefined : built.refusal, 'entraNeedsPrm');
  });
});

describe('.mcp.json / Copilot CLI entry', () => {
  const cases: [string, Parameters<typeof server>[0], boolean, unknown][] = [
    [
      '.mcp.json key: env var reference, no tools (Claude Code rejects ["*"])',
      { name: 'contoso-weather', auth: 'subscriptionKey' },
      false,
      {
        server: { type: 'http', url: URL_, headers: { 'Ocp-Apim-Subscription-Key': '${APIM_MCP_KEY_CONTOSO_WEATHER}' } },
        envVars: ['APIM_MCP_KEY_CONTOSO_WEATHER'],
      },
    ],
    [
      'Copilot CLI key: env var reference and tools ["*"], as copilot mcp add writes it',
      { name: 'contoso-weather', auth: 'subscriptionKey' },
      true,
      {
        server: { type: 'http', url: URL_, headers: { 'Ocp-Apim-Subscription-Key': '${APIM_MCP_KEY_CONTOSO_WEATHER}' }, tools: ['*'] },
        envVars: ['APIM_MCP_KEY_CONTOSO_WEATHER'],
      },
    ],
    [
      'key and entra with a custom client: oauth.clientId (Claude Code) and oauthClientId (Copilot CLI)',
      { auth: 'subscriptionKeyAndEntra', prmValid: true, clientId: CLIENT_ID, keyHeaderName: 'x-key' },
      false,
      {
        server: { type: 'http', url: URL_, headers: { 'x-key': '${APIM_MCP_KEY_WEATHER}' }, oauth: { clientId: CLIENT_ID }, oauthClientId: CLIENT_ID },
        envVars: ['APIM_MCP_KEY_WEATHER'],
      },
    ],
    ['entra with PRM', { auth: 'entra', prmValid: true }, true, { server: { type: 'http', url: URL_, tools: ['*'] }, envVars: [] }],
  ];
  for (const [label, raw, toolsAllowList, expected] of cases) {
    it(label, () => {
      const desc = server(raw);
      const built = buildMcpServersEntry(desc, undefined, { toolsAllowList });
      assert.ok(built.ok);
      assert.deepEqual(built.value, expected);
      assert.ok(!JSON.stringify(built.value).includes('${input:'), 'portable files ignore ${input:}');
    });
  }

  it('each target says whether it lists tools: only the Copilot CLI config', () => {
    assert.deepEqual(
      Object.values(CONFIG_TARGETS).filter((t) => t.toolsAllowList).map((t) => t.kind),
      ['copilotCli'],
    );
  });
});

describe('apimMcp.servers entry', () => {
  it('keeps only non-default, relevant fields and parses back to the same record', () => {
    const desc = server({ auth: 'subscriptionKeyAndEntra', keyHeaderName: 'X-Key', tenant: 'contoso.onmicrosoft.com', scopes: ['api://x/.default'], clientId: CLIENT_ID });
    const entry = buildSettingEntry(desc);
    assert.deepEqual(entry, {
      name: 'weather',
      url: URL_,
      auth: 'subscriptionKeyAndEntra',
      keyHeaderName: 'X-Key',
      tenant: 'contoso.onmicrosoft.com',
      scopes: ['api://x/.default'],
      clientId: CLIENT_ID,
    });
    const back = parseServerRecord(entry);
    assert.ok(back.ok);
    const { prmValid: _ignored, ...record } = desc;
    assert.deepEqual(back.value, record);
  });
  it('leaves the default header name out', () => {
    assert.deepEqual(buildSettingEntry(server({})), { name: 'weather', url: URL_, auth: 'subscriptionKey' });
  });
  it('adds, refuses duplicates unless replacing, and removes by name', () => {
    const list = [{ name: 'Weather', url: 'https://a.example/mcp' }, 'junk'];
    assert.equal(withSettingEntry(list, { name: 'weather', url: URL_ }), undefined);
    assert.deepEqual(withSettingEntry(list, { name: 'weather', url: URL_ }, true), [{ name: 'weather', url: URL_ }, 'junk']);
    assert.deepEqual(withSettingEntry(list, { name: 'other', url: URL_ }), [...list, { name: 'other', url: URL_ }]);
    assert.deepEqual(withoutSettingEntry(list, 'WEATHER'), ['junk']);
    assert.equal(withoutSettingEntry(list, 'absent'), list);
  });
});

describe('targets', () => {
  it('keyInputId is stable and limited to [a-z0-9-]', () => {
    assert.equal(keyInputId('Contoso Weather/β'), 'apim-mcp-key-contoso-weather');
  });
  const home = '/home/dev';
  const cases: [Record<string, string | undefined>, string][] = [
    [{}, '/home/dev/.copilot/mcp-config.json'],
    [{ COPILOT_HOME: '/opt/copilot' }, '/opt/copilot/mcp-config.json'],
    [{ COPILOT_HOME: '  ' }, '/home/dev/.copilot/mcp-config.json'],
  ];
  for (const [env, expected] of cases) {
    it(`Copilot CLI config with ${JSON.stringify(env)}`, () => assert.equal(copilotConfigPath(home, env, path.posix), expected));
  }
  it('Windows paths', () => assert.equal(copilotConfigPath('C:\\Users\\dev', {}, path.win32), 'C:\\Users\\dev\\.copilot\\mcp-config.json'));
  it('file per target', () => {
    const where = { workspaceFolder: '/ws', userProfileFolder: '/u/Code/User', homeDir: home, env: {}, pathApi: path.posix };
    assert.equal(targetFilePath('extension', where), undefined);
    assert.equal(targetFilePath('workspaceMcpJson', where), '/ws/.vscode/mcp.json');
    assert.equal(targetFilePath('userMcpJson', where), '/u/Code/User/mcp.json');
    assert.equal(targetFilePath('rootDotMcpJson', where), '/ws/.mcp.json');
    assert.equal(targetFilePath('copilotCli', where), '/home/dev/.copilot/mcp-config.json');
    assert.equal(targetFilePath('workspaceMcpJson', { homeDir: home, env: {} }), undefined);
  });
  it('user profile folder: the grandparent of a file global storage, none for any other scheme', () => {
    const storage = '/home/dev/.config/Code/User/globalStorage/apim-mcp.apim-mcp';
    assert.equal(userProfileFolderOf({ scheme: 'file', fsPath: storage }, path.posix), '/home/dev/.config/Code/User');
    assert.equal(userProfileFolderOf({ scheme: 'file', fsPath: '/u/Code/User/profiles/1a2b/globalStorage/x' }, path.posix), '/u/Code/User/profiles/1a2b');
    // Global storage outside the file system (a vscode-userdata URI, say) has no folder to write mcp.json to.
    assert.equal(userProfileFolderOf({ scheme: 'vscode-userdata', fsPath: storage }, path.posix), undefined);
  });
  it("VS Code's id for a server in each config file", () => {
    const local = { folderIndex: 0, remoteExtensionHost: false };
    assert.equal(vsCodeServerId('userMcpJson', 'p', local), 'mcp.config.usrlocal.p');
    // An extension host on a remote (code-server, SSH, WSL) writes the remote user's mcp.json.
    assert.equal(vsCodeServerId('userMcpJson', 'p', { ...local, remoteExtensionHost: true }), 'mcp.config.usrremote.p');
    assert.equal(vsCodeServerId('workspaceMcpJson', 'p', { ...local, folderIndex: 2 }), 'mcp.config.ws2.p');
    assert.equal(vsCodeServerId('rootDotMcpJson', 'p', { ...local, folderIndex: 1 }), 'workspace-dot-mcp.1.p');
    assert.equal(vsCodeServerId('copilotCli', 'p', local), undefined);
    assert.equal(vsCodeServerId('extension', 'p', local), undefined);
  });
  it('target kinds from outside are checked', () => {
    assert.equal(isConfigTargetKind('userMcpJson'), true);
    assert.equal(isConfigTargetKind('settings'), false);
    assert.equal(isConfigTargetKind(undefined), false);
  });
  it('format by file name', () => {
    assert.equal(formatForPath('/ws/.vscode/mcp.json'), 'vscodeMcpJson');
    assert.equal(formatForPath('C:\\ws\\.mcp.json'), 'mcpServers');
    assert.equal(formatForPath('/h/.copilot/mcp-config.json'), 'mcpServers');
    assert.equal(formatForPath('/ws/settings.json'), undefined);
  });
});
