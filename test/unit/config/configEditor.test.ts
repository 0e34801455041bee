import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addServer,
  detectFileFormat,
  isNameTaken,
  readConfiguredServers,
  removeServer,
  suggestUniqueName,
  type ConfigEdit,
} from '../../../src/core/config/configEditor';
import { CLIENT_ID, server } from './serverFixtures';

function text(edit: ConfigEdit): string {
  assert.ok(edit.ok, edit.ok ? '' : JSON.stringify(edit.error));
  return edit.text;
}

const KEY = server({ name: 'weather', auth: 'subscriptionKey' });

// A workspace mcp.json as people write it: tabs, comments, trailing commas, an existing input.
const TABS = [
  '{',
  '\t// Team servers',
  '\t"servers": {',
  '\t\t"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }, // compact on purpose',
  '\t\t/* local */',
  '\t\t"local": {',
  '\t\t\t"command": "node",',
  '\t\t\t"args": ["server.js"],',
  '\t\t},',
  '\t},',
  '\t"inputs": [',
  '\t\t{ "type": "promptString", "id": "gh", "password": true },',
  '\t],',
  '}',
  '',
].join('\n');

const TABS_WITH_WEATHER = [
  '{',
  '\t// Team servers',
  '\t"servers": {',
  '\t\t"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }, // compact on purpose',
  '\t\t/* local */',
  '\t\t"local": {',
  '\t\t\t"command": "node",',
  '\t\t\t"args": ["server.js"],',
  '\t\t},',
  '\t\t"weather": {',
  '\t\t\t"type": "http",',
  '\t\t\t"url": "https://contoso.azure-api.net/weather/mcp",',
  '\t\t\t"headers": {',
  '\t\t\t\t"Ocp-Apim-Subscription-Key": "${input:apim-mcp-key-weather}"',
  '\t\t\t}',
  '\t\t},',
  '\t},',
  '\t"inputs": [',
  '\t\t{ "type": "promptString", "id": "gh", "password": true },',
  '\t\t{',
  '\t\t\t"type": "promptString",',
  '\t\t\t"id": "apim-mcp-key-weather",',
  '\t\t\t"description": "APIM subscription key for weather (https://contoso.azure-api.net)",',
  '\t\t\t"password": true',
  '\t\t},',
  '\t],',
  '}',
  '',
].join('\n');

// CRLF, two spaces, no trailing commas, a same-line comment after the last server, no inputs.
const CRLF = [
  '{',
  '  "servers": {',
  '    "a": {"type": "http", "url": "https://a.example/mcp"} // keep me',
  '  }',
  '}',
].join('\r\n');

const CRLF_WITH_WEATHER = [
  '{',
  '  "servers": {',
  '    "a": {"type": "http", "url": "https://a.example/mcp"}, // keep me',
  '    "weather": {',
  '      "type": "http",',
  '      "url": "https://contoso.azure-api.net/weather/mcp",',
  '      "headers": {',
  '        "Ocp-Apim-Subscription-Key": "${input:apim-mcp-key-weather}"',
  '      }',
  '    }',
  '  },',
  '  "inputs": [',
  '    {',
  '      "type": "promptString",',
  '      "id": "apim-mcp-key-weather",',
  '      "description": "APIM subscription key for weather (https://contoso.azure-api.net)",',
  '      "password": true',
  '    }',
  '  ]',
  '}',
].join('\r\n');

// VS Code's own template.
const TEMPLATE = '{\n\t"servers": {},\n\t"inputs": []\n}';

const DOT_MCP = [
  '{',
  '    // portable config',
  '    "mcpServers": {',
  '        "docs": {',
  '            "type": "http",',
  '            "url": "https://docs.example/mcp",',
  '            "tools": ["search"],',
  '            "timeout": 30000,',
  '        },',
  '    },',
  '}',
  '',
].join('\n');

const DOT_MCP_WITH_WEATHER = [
  '{',
  '    // portable config',
  '    "mcpServers": {',
  '        "docs": {',
  '            "type": "http",',
  '            "url": "https://docs.example/mcp",',
  '            "tools": ["search"],',
  '            "timeout": 30000,',
  '        },',
  '        "weather": {',
  '            "type": "http",',
  '            "url": "https://contoso.azure-api.net/weather/mcp",',
  '            "headers": {',
  '                "Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"',
  '            }',
  '        },',
  '    },',
  '}',
  '',
].join('\n');

describe('addServer / removeServer: exact bytes', () => {
  const cases: [string, string, 'vscodeMcpJson' | 'mcpServers', string][] = [
    ['tabs, comments, trailing commas', TABS, 'vscodeMcpJson', TABS_WITH_WEATHER],
    ['CRLF, two spaces, same-line comment, no inputs yet', CRLF, 'vscodeMcpJson', CRLF_WITH_WEATHER],
    ['.mcp.json, four spaces, trailing commas', DOT_MCP, 'mcpServers', DOT_MCP_WITH_WEATHER],
  ];
  for (const [label, before, format, after] of cases) {
    it(`${label}: add writes exactly the new entry`, () => assert.equal(text(addServer(before, format, KEY)), after));
    it(`${label}: remove restores the original bytes`, () => assert.equal(text(removeServer(after, format, 'weather')), before));
  }

  it('VS Code template: add then remove gives the template back, minus the empty inputs list', () => {
    const added = text(addServer(TEMPLATE, 'vscodeMcpJson', KEY));
    assert.equal(
      added,
      '{\n\t"servers": {\n\t\t"weather": {\n\t\t\t"type": "http",\n\t\t\t"url": "https://contoso.azure-api.net/weather/mcp",\n\t\t\t"headers": {\n\t\t\t\t"Ocp-Apim-Subscription-Key": "${input:apim-mcp-key-weather}"\n\t\t\t}\n\t\t}\n\t},\n\t"inputs": [\n\t\t{\n\t\t\t"type": "promptString",\n\t\t\t"id": "apim-mcp-key-weather",\n\t\t\t"description": "APIM subscription key for weather (https://contoso.azure-api.net)",\n\t\t\t"password": true\n\t\t}\n\t]\n}',
    );
    // Removing the last input removes `inputs`: the editor cannot tell an empty list the user kept from one it
    // created, and files without `inputs` are the common case; an absent list and `[]` mean the same to VS Code.
    assert.equal(text(removeServer(added, 'vscodeMcpJson', 'weather')), '{\n\t"servers": {}\n}');
    const keyless = server({ auth: 'none' });
    assert.equal(text(removeServer(text(addServer(TEMPLATE, 'vscodeMcpJson', keyless)), 'vscodeMcpJson', 'weather')), TEMPLATE);
  });

  it('a missing file gets a new document in the target style', () => {
    assert.equal(
      text(addServer('', 'mcpServers', KEY, { newFileIndent: '  ' })),
      '{\n  "mcpServers": {\n    "weather": {\n      "type": "http",\n      "url": "https://contoso.azure-api.net/weather/mcp",\n      "headers": {\n        "Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"\n      }\n    }\n  }\n}\n',
    );
  });

  it('the Copilot CLI config gets tools ["*"], as copilot mcp add writes it', () => {
    assert.equal(
      text(addServer('', 'mcpServers', KEY, { newFileIndent: '  ', toolsAllowList: true })),
      '{\n  "mcpServers": {\n    "weather": {\n      "type": "http",\n      "url": "https://contoso.azure-api.net/weather/mcp",\n      "headers": {\n        "Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"\n      },\n      "tools": ["*"]\n    }\n  }\n}\n',
    );
  });

  it('a comment-only file keeps its comment above the new object', () => {
    assert.equal(
      text(addServer('// mine\n', 'vscodeMcpJson', server({ auth: 'none' }))),
      '// mine\n{\n\t"servers": {\n\t\t"weather": {\n\t\t\t"type": "http",\n\t\t\t"url": "https://contoso.azure-api.net/weather/mcp"\n\t\t}\n\t}\n}\n',
    );
  });

  it('an entra server with PRM and a custom client writes oauth.clientId and no input', () => {
    const out = text(addServer(TEMPLATE, 'vscodeMcpJson', server({ auth: 'entra', prmValid: true, clientId: CLIENT_ID })));
    assert.equal(
      out,
      `{\n\t"servers": {\n\t\t"weather": {\n\t\t\t"type": "http",\n\t\t\t"url": "https://contoso.azure-api.net/weather/mcp",\n\t\t\t"oauth": {\n\t\t\t\t"clientId": "${CLIENT_ID}"\n\t\t\t}\n\t\t}\n\t},\n\t"inputs": []\n}`,
    );
  });

  it('removing a server keeps inputs that other servers still use', () => {
    const shared = text(addServer(TEMPLATE, 'vscodeMcpJson', KEY));
    const second = shared.replace('"servers": {', '"servers": {\n\t\t"twin": { "url": "https://b.example/mcp", "headers": { "k": "${input:apim-mcp-key-weather}" } },');
    const out = text(removeServer(second, 'vscodeMcpJson', 'weather'));
    assert.match(out, /"id": "apim-mcp-key-weather"/);
    assert.doesNotMatch(out, /"weather": \{/);
  });

  it('removing a server that is not there changes nothing', () => {
    const r = removeServer(TABS, 'vscodeMcpJson', 'nope');
    assert.ok(r.ok);
    assert.equal(r.changed, false);
    assert.equal(r.text, TABS);
  });

  it('removing the first of several servers takes only its own line', () => {
    assert.equal(
      text(removeServer('{\n  "servers": {\n    "a": 1,\n    // about b\n    "b": 2\n  }\n}', 'vscodeMcpJson', 'a')),
      '{\n  "servers": {\n    // about b\n    "b": 2\n  }\n}',
    );
  });
});

describe('addServer: refusals', () => {
  const malformed: [string, string, number, number][] = [
    ['missing comma', '{\n\t"servers": {\n\t\t"a": {}\n\t\t"b": {}\n\t}\n}', 4, 3],
    ['unclosed object', '{\n  "servers": {\n', 3, 1],
    ['not an object', '[1, 2]', 1, 1],
    ['garbage', '{ "servers": nope }', 1, 14],
  ];
  for (const [label, input, line, column] of malformed) {
    it(`refuses ${label} with line ${line} column ${column}`, () => {
      for (const edit of [addServer(input, 'vscodeMcpJson', KEY), removeServer(input, 'vscodeMcpJson', 'a')]) {
        assert.equal(edit.ok, false);
        assert.ok(!edit.ok && edit.error.kind === 'malformed');
        assert.deepEqual(!edit.ok && edit.error.kind === 'malformed' && [edit.error.line, edit.error.column], [line, column]);
      }
    });
  }

  it('refuses a servers value of the wrong type', () => {
    const edit = addServer('{"servers": []}', 'vscodeMcpJson', KEY);
    assert.deepEqual(!edit.ok && edit.error, { kind: 'shape', message: '"servers" must be an object.' });
  });

  it('refuses a taken name, case-insensitively', () => {
    const edit = addServer(TABS, 'vscodeMcpJson', server({ name: 'GitHub' }));
    assert.deepEqual(!edit.ok && edit.error, { kind: 'nameTaken', name: 'github' });
  });

  it('refuses a second server whose env var is already used by another server', () => {
    const first = text(addServer('', 'mcpServers', server({ name: 'my-api' })));
    const edit = addServer(first, 'mcpServers', server({ name: 'my api' }));
    assert.deepEqual(!edit.ok && edit.error, { kind: 'envVarTaken', envVar: 'APIM_MCP_KEY_MY_API', usedBy: 'my-api' });
  });

  it('refuses entra without PRM in a file target', () => {
    const edit = addServer(TEMPLATE, 'vscodeMcpJson', server({ auth: 'entra' }));
    assert.equal(!edit.ok && edit.error.kind, 'unsupported');
  });
});

describe('addServer with replace', () => {
  it('updates managed fields, keeps unknown fields and user headers, drops the old key header', () => {
    const before = [
      '{',
      '\t"servers": {',
      '\t\t"weather": {',
      '\t\t\t"type": "http",',
      '\t\t\t"url": "https://old.azure-api.net/weather/mcp",',
      '\t\t\t"headers": { "Ocp-Apim-Subscription-Key": "${input:apim-mcp-key-weather}", "X-Trace": "1" },',
      '\t\t\t"gallery": true // keep',
      '\t\t}',
      '\t},',
      '\t"inputs": [{ "type": "promptString", "id": "apim-mcp-key-weather", "description": "APIM subscription key for weather (https://old.azure-api.net)", "password": true }]',
      '}',
    ].join('\n');
    const out = text(addServer(before, 'vscodeMcpJson', server({ name: 'weather', keyHeaderName: 'X-Key' }), { replace: true }));
    assert.equal(
      out,
      [
        '{',
        '\t"servers": {',
        '\t\t"weather": {',
        '\t\t\t"type": "http",',
        '\t\t\t"url": "https://contoso.azure-api.net/weather/mcp",',
        '\t\t\t"headers": {',
        '\t\t\t\t"X-Trace": "1",',
        '\t\t\t\t"X-Key": "${input:apim-mcp-key-weather}"',
        '\t\t\t},',
        '\t\t\t"gallery": true // keep',
        '\t\t}',
        '\t},',
        '\t"inputs": [{',
        '\t\t"type": "promptString",',
        '\t\t"id": "apim-mcp-key-weather",',
        '\t\t"description": "APIM subscription key for weather (https://contoso.azure-api.net)",',
        '\t\t"password": true',
        '\t}]',
        '}',
      ].join('\n'),
    );
  });

  it('switching to entra removes the key header and its input', () => {
    const keyed = text(addServer(TEMPLATE, 'vscodeMcpJson', KEY));
    const out = text(addServer(keyed, 'vscodeMcpJson', server({ auth: 'entra', prmValid: true }), { replace: true }));
    assert.equal(out, '{\n\t"servers": {\n\t\t"weather": {\n\t\t\t"type": "http",\n\t\t\t"url": "https://contoso.azure-api.net/weather/mcp"\n\t\t}\n\t}\n}');
  });

  it('an update of a .mcp.json entry removes the tools ["*"] earlier versions wrote, and does not put it back', () => {
    const old = DOT_MCP_WITH_WEATHER.replace('"${APIM_MCP_KEY_WEATHER}"\n            }', '"${APIM_MCP_KEY_WEATHER}"\n            },\n            "tools": ["*"]');
    assert.match(old, /"tools": \["\*"\]/);
    const out = text(addServer(old, 'mcpServers', KEY, { replace: true }));
    assert.equal(out, DOT_MCP_WITH_WEATHER);
    assert.equal(text(addServer(out, 'mcpServers', KEY, { replace: true })), DOT_MCP_WITH_WEATHER);
  });

  it('an update of an Entra entry adds oauth.clientId next to the oauthClientId earlier versions wrote', () => {
    const entra = server({ auth: 'entra', prmValid: true, clientId: CLIENT_ID });
    const old = '{\n  "mcpServers": {\n    "weather": {\n      "type": "http",\n      "url": "https://contoso.azure-api.net/weather/mcp",\n      "tools": ["*"],\n      "oauthClientId": "' + CLIENT_ID + '"\n    }\n  }\n}\n';
    const out = text(addServer(old, 'mcpServers', entra, { replace: true }));
    assert.deepEqual(JSON.parse(out).mcpServers.weather, { type: 'http', url: 'https://contoso.azure-api.net/weather/mcp', oauthClientId: CLIENT_ID, oauth: { clientId: CLIENT_ID } });
  });

  it('keeps a user-narrowed tools list in .mcp.json', () => {
    const first = text(addServer('', 'mcpServers', KEY, { newFileIndent: '  ' }));
    const narrowed = first.replace('"Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"\n      }', '"Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"\n      },\n      "tools": ["forecast"]');
    assert.notEqual(narrowed, first);
    const out = text(addServer(narrowed, 'mcpServers', server({ url: 'https://contoso.azure-api.net/weather2/mcp' }), { replace: true }));
    assert.match(out, /"tools": \["forecast"\]/);
    assert.match(out, /weather2/);
  });
});

describe('reading servers', () => {
  it('lists names, headers and references', () => {
    const read = readConfiguredServers(TABS_WITH_WEATHER, 'vscodeMcpJson');
    assert.ok(read.ok);
    assert.deepEqual(
      read.servers.map((s) => [s.name, s.url, s.inputRefs]),
      [
        ['github', 'https://api.githubcopilot.com/mcp/', []],
        ['local', undefined, []],
        ['weather', 'https://contoso.azure-api.net/weather/mcp', ['apim-mcp-key-weather']],
      ],
    );
    const dot = readConfiguredServers(DOT_MCP_WITH_WEATHER, 'mcpServers');
    assert.ok(dot.ok);
    assert.deepEqual(dot.servers[1]?.envRefs, ['APIM_MCP_KEY_WEATHER']);
  });
  it('detects the format and suggests free names', () => {
    assert.equal(detectFileFormat(TABS), 'vscodeMcpJson');
    assert.equal(detectFileFormat(DOT_MCP), 'mcpServers');
    assert.equal(detectFileFormat('{}'), undefined);
    assert.equal(isNameTaken(TABS, 'vscodeMcpJson', 'LOCAL'), true);
    assert.equal(suggestUniqueName(TABS, 'vscodeMcpJson', 'local'), 'local-2');
    assert.equal(suggestUniqueName(TABS, 'vscodeMcpJson', 'weather'), 'weather');
  });
});
