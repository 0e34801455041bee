import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientVerdicts, findingTraits, readersOf, type ClientEnvironment, type ServerSighting, type ServerTraits } from '../../../src/core/clients/verdicts';

const VAR = 'APIM_MCP_KEY_PRODUCTS';
const CLIENT = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const KEY_SERVER: ServerTraits = { keyHeader: 'Ocp-Apim-Subscription-Key', resourceMetadata: false, forbidden: false, blocking: [] };
const ENTRA_SERVER: ServerTraits = { resourceMetadata: true, prm: { resourceExact: true }, dynamicRegistration: false, entraAuthority: false, forbidden: false, blocking: [] };
const keyAt = (source: ServerSighting['source'], more: Partial<ServerSighting> = {}): ServerSighting => ({
  source,
  name: 'products',
  auth: 'subscriptionKey',
  keyHeaderName: 'Ocp-Apim-Subscription-Key',
  keySupply: source === 'extension' ? 'secretStorage' : source.endsWith('McpJson') && source !== 'rootDotMcpJson' ? 'input' : 'env',
  envVar: source === 'rootDotMcpJson' || source === 'copilotCli' ? VAR : undefined,
  ...more,
});
const entraAt = (source: ServerSighting['source'], more: Partial<ServerSighting> = {}): ServerSighting => ({ source, name: 'products', auth: 'entra', keyHeaderName: 'Ocp-Apim-Subscription-Key', ...more });
const env = (set: boolean | undefined, terminals = false): ClientEnvironment => ({ isSet: () => set, inVsCodeTerminals: () => terminals });

/** [case, sightings, server, environment, expected "outcome: text" per verdict, in order] */
const CASES: [string, ServerSighting[], ServerTraits, ClientEnvironment, string[]][] = [
  [
    'key in .mcp.json, variable unset here, set in VS Code terminals',
    [keyAt('rootDotMcpJson')],
    KEY_SERVER,
    env(false, true),
    [
      `actionNeeded: Claude Code: will connect once ${VAR} is set (VS Code terminals have it); unset, it sends \${${VAR}} as the key and APIM refuses it`,
      `actionNeeded: Copilot CLI: will connect once ${VAR} is set (VS Code terminals have it); unset, it sends \${${VAR}} as the key and APIM refuses it`,
      `actionNeeded: MCP Inspector: --config sends \${${VAR}} literally; use --cli <url> --header "Ocp-Apim-Subscription-Key: $${VAR}"`,
      // K2: VS Code 1.139 reads the root .mcp.json too, and expands no variables in it.
      `fails: VS Code: lists this server from .mcp.json too and sends \${${VAR}} as the key (it expands no variables there), which APIM refuses`,
    ],
  ],
  [
    'key in .mcp.json, variable set',
    [keyAt('rootDotMcpJson')],
    KEY_SERVER,
    env(true),
    [
      'connects: Claude Code: will connect',
      'connects: Copilot CLI: will connect in a trusted folder (--trust-folder)',
      `actionNeeded: MCP Inspector: --config sends \${${VAR}} literally; use --cli <url> --header "Ocp-Apim-Subscription-Key: $${VAR}"`,
      `fails: VS Code: lists this server from .mcp.json too and sends \${${VAR}} as the key (it expands no variables there), which APIM refuses`,
    ],
  ],
  [
    'tools ["*"] left in .mcp.json: Claude Code skips the server, the others do not care',
    [keyAt('rootDotMcpJson', { tools: ['*'] })],
    KEY_SERVER,
    env(true),
    [
      'fails: Claude Code: skips this server: "tools" must be a list of objects (remove "tools": ["*"])',
      'connects: Copilot CLI: will connect in a trusted folder (--trust-folder)',
      `actionNeeded: MCP Inspector: --config sends \${${VAR}} literally; use --cli <url> --header "Ocp-Apim-Subscription-Key: $${VAR}"`,
      `fails: VS Code: lists this server from .mcp.json too and sends \${${VAR}} as the key (it expands no variables there), which APIM refuses`,
    ],
  ],
  [
    'the same server in mcp.json (password input) and the Copilot CLI config (another shell: unknown)',
    [keyAt('workspaceMcpJson'), keyAt('copilotCli')],
    KEY_SERVER,
    env(undefined),
    ['connects: VS Code: will connect; it asks for the key once and keeps it encrypted', `actionNeeded: Copilot CLI: will connect where ${VAR} is set`, `actionNeeded: MCP Inspector: --config sends \${${VAR}} literally; use --cli <url> --header "Ocp-Apim-Subscription-Key: $${VAR}"`],
  ],
  [
    'the key sent under another header than APIM reads: every client fails',
    [keyAt('extension', { keyHeaderName: 'X-Other' })],
    KEY_SERVER,
    env(true),
    ['fails: VS Code: will not connect: it sends the key in X-Other, APIM reads it from Ocp-Apim-Subscription-Key'],
  ],
  [
    'a plaintext key in mcp.json',
    [keyAt('userMcpJson', { keySupply: 'plaintext' })],
    KEY_SERVER,
    env(true),
    ['connects: VS Code: will connect, but the key is in plain text in the file'],
  ],
  [
    'Entra, custom authorization server without DCR, no client id in mcp.json',
    [entraAt('workspaceMcpJson')],
    ENTRA_SERVER,
    env(true),
    ['actionNeeded: VS Code: will prompt for a client id (no DCR); set oauth.clientId'],
  ],
  [
    'Entra with oauth.clientId in mcp.json',
    [entraAt('userMcpJson', { oauthClientId: CLIENT })],
    ENTRA_SERVER,
    env(true),
    [`signIn: VS Code: will sign in with client ${CLIENT}`],
  ],
  [
    'Entra at login.microsoftonline.com and no client id: VS Code\'s own client',
    [entraAt('extension')],
    { ...ENTRA_SERVER, entraAuthority: true },
    env(true),
    ["signIn: VS Code: will sign in with VS Code's own client id (aebc6443-996d-45c2-90f0-388ff96faa56): the API must pre-authorize it"],
  ],
  [
    'Entra, PRM resource with a trailing slash',
    [entraAt('workspaceMcpJson', { oauthClientId: CLIENT })],
    { ...ENTRA_SERVER, prm: { resourceExact: false } },
    env(true),
    ["fails: VS Code: will not sign in: the metadata's resource is not exactly the server URL"],
  ],
  [
    'Entra, a 401 naming no metadata and no PRM',
    [entraAt('workspaceMcpJson')],
    { ...ENTRA_SERVER, resourceMetadata: false, prm: undefined },
    env(true),
    ['fails: VS Code: will prompt "Dynamic Client Registration not supported": the 401 names no protected-resource metadata'],
  ],
  [
    'Entra in .mcp.json with both client id fields',
    [entraAt('rootDotMcpJson', { oauthClientId: CLIENT, flatOauthClientId: CLIENT })],
    ENTRA_SERVER,
    env(true),
    [
      'signIn: Claude Code: needs "claude mcp login products"; Claude Code 2.1.328 redeems the code without a scope, which Entra ID refuses (anthropics/claude-code#69547)',
      'signIn: Copilot CLI: needs a sign-in first (/mcp in an interactive session in a trusted folder (--trust-folder)); prompt mode (-p) cannot sign in',
      'actionNeeded: MCP Inspector: needs a token: --header "Authorization: Bearer …", or its OAuth flow in a terminal',
      'actionNeeded: VS Code: will prompt for a client id (no DCR); type it when asked (an oauth block in .mcp.json is not read)',
    ],
  ],
  [
    'Entra in .mcp.json with only oauthClientId (what earlier versions wrote)',
    [entraAt('rootDotMcpJson', { flatOauthClientId: CLIENT })],
    ENTRA_SERVER,
    env(true),
    [
      'fails: Claude Code: is expected to try dynamic client registration (inferred, not run), which Entra ID does not offer; set oauth.clientId',
      'signIn: Copilot CLI: needs a sign-in first (/mcp in an interactive session in a trusted folder (--trust-folder)); prompt mode (-p) cannot sign in',
      'actionNeeded: MCP Inspector: needs a token: --header "Authorization: Bearer …", or its OAuth flow in a terminal',
      'actionNeeded: VS Code: will prompt for a client id (no DCR); type it when asked (an oauth block in .mcp.json is not read)',
    ],
  ],
  [
    'a quota 403: VS Code treats it like a 401',
    [keyAt('extension'), keyAt('copilotCli')],
    { ...KEY_SERVER, forbidden: true },
    env(true),
    ["fails: VS Code: will ask for a sign-in that cannot help: it treats the gateway's 403 like a 401", 'fails: Copilot CLI: will not connect: the gateway answers 403 (quota or ip-filter)', 'fails: MCP Inspector: will not connect: the gateway answers 403 (quota or ip-filter)'],
  ],
  [
    'a wrong path: nobody connects',
    [keyAt('extension'), keyAt('rootDotMcpJson')],
    { ...KEY_SERVER, blocking: ['Nothing is published at /products-mcp/mcp'] },
    env(true),
    [
      'fails: VS Code: will not connect: Nothing is published at /products-mcp/mcp',
      'fails: Claude Code: will not connect: Nothing is published at /products-mcp/mcp',
      'fails: Copilot CLI: will not connect: Nothing is published at /products-mcp/mcp',
      'fails: MCP Inspector: will not connect: Nothing is published at /products-mcp/mcp',
      'fails: VS Code: will not connect: Nothing is published at /products-mcp/mcp',
    ],
  ],
];

describe('per-client verdicts', () => {
  for (const [name, sightings, server, environment, expected] of CASES) {
    it(name, () => {
      assert.deepEqual(
        clientVerdicts(sightings, server, environment).map((v) => `${v.outcome}: ${v.text}`),
        expected,
      );
    });
  }

  it('which clients read which source', () => {
    assert.deepEqual(
      (['extension', 'workspaceMcpJson', 'userMcpJson', 'rootDotMcpJson', 'copilotCli'] as const).map((s) => [s, readersOf(s)]),
      [
        ['extension', ['vscode']],
        ['workspaceMcpJson', ['vscode']],
        ['userMcpJson', ['vscode']],
        ['rootDotMcpJson', ['claudeCode', 'copilotCli', 'inspector', 'vscode']],
        ['copilotCli', ['copilotCli', 'inspector']],
      ],
    );
  });

  it('server traits from findings: only errors no client config can fix block, 403s are their own trait', () => {
    const traits = findingTraits([
      { id: 'apim.path.notFound', severity: 'error', title: 'Nothing is published at /x' },
      { id: 'apim.key.invalid', severity: 'error', title: 'The subscription key is not valid' },
      { id: 'apim.quota.exceeded', severity: 'error', title: 'quota' },
      { id: 'probe.response.tooLarge', severity: 'warning', title: 'big' },
    ]);
    assert.deepEqual(traits, { blocking: ['Nothing is published at /x'], forbidden: true });
  });
});
