import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { findPlaintextSecrets, migratePlaintextSecret } from '../../../src/core/config/plaintextKeyLint';

const CANARY = 'c4n4ry0123456789abcdef0123456789';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln';

const MCP_JSON = [
  '{',
  '\t// pasted from the portal',
  '\t"servers": {',
  '\t\t"weather": {',
  '\t\t\t"type": "http",',
  '\t\t\t"url": "https://contoso.azure-api.net/weather/mcp",',
  `\t\t\t"headers": { "Ocp-Apim-Subscription-Key": "${CANARY}" } // oops`,
  '\t\t},',
  '\t\t"graph": {',
  '\t\t\t"url": "https://graph.example/mcp",',
  `\t\t\t"headers": { "Authorization": "Bearer ${TOKEN}", "X-Other": "${CANARY}" }`,
  '\t\t},',
  '\t\t"fine": {',
  '\t\t\t"url": "https://fine.example/mcp",',
  '\t\t\t"headers": {',
  '\t\t\t\t"Ocp-Apim-Subscription-Key": "${input:k}",',
  '\t\t\t\t"Authorization": "Bearer ${input:t}",',
  '\t\t\t\t"subscription-key": "YOUR-API-KEY",',
  '\t\t\t\t"X-Env": "${env:APIM_KEY}"',
  '\t\t\t}',
  '\t\t}',
  '\t}',
  '}',
  '',
].join('\n');

describe('findPlaintextSecrets', () => {
  it('finds literal keys and bearer tokens, with their position, and nothing that is a reference or placeholder', () => {
    const lint = findPlaintextSecrets(MCP_JSON, 'vscodeMcpJson');
    assert.ok(lint.ok);
    assert.deepEqual(
      lint.findings.map((f) => [f.serverName, f.headerName, f.kind, f.start, f.end, f.serverUrl]),
      [
        ['weather', 'Ocp-Apim-Subscription-Key', 'subscriptionKey', { line: 7, column: 46 }, { line: 7, column: 80 }, 'https://contoso.azure-api.net/weather/mcp'],
        ['graph', 'Authorization', 'bearerToken', { line: 11, column: 34 }, { line: 11, column: 84 }, 'https://graph.example/mcp'],
      ],
    );
    assert.equal(lint.findings[0]!.secret.reveal(), CANARY);
    assert.equal(lint.findings[1]!.secret.reveal(), TOKEN);
    const printed = JSON.stringify(lint.findings) + inspect(lint.findings, { depth: 5 }) + lint.findings.map(String).join();
    assert.ok(!printed.includes(CANARY) && !printed.includes(TOKEN), 'findings never print the secret');
  });

  const headerNames: [string, string, string[] | undefined, boolean][] = [
    ['default header, other case', 'ocp-apim-subscription-key', undefined, true],
    ['custom header from the setting', 'X-Contoso-Key', ['x-contoso-key'], true],
    ['custom header not configured', 'X-Contoso-Key', undefined, false],
    ['subscription key lookalike', 'X-Subscription_Key', undefined, true],
    ['unrelated header', 'X-Trace', undefined, false],
  ];
  for (const [label, header, custom, found] of headerNames) {
    it(`${label}: ${found ? 'reported' : 'ignored'}`, () => {
      const text = `{"mcpServers": {"s": {"url": "https://x.example/mcp", "headers": {"${header}": "${CANARY}"}}}}`;
      const lint = findPlaintextSecrets(text, 'mcpServers', { keyHeaderNames: custom });
      assert.ok(lint.ok);
      assert.equal(lint.findings.length, found ? 1 : 0);
    });
  }

  const values: [string, boolean][] = [
    ['${APIM_MCP_KEY_S}', false],
    ['$APIM_MCP_KEY_S', false],
    ['${APIM_MCP_KEY_S:-x}', false],
    ['<your key>', false],
    ['', false],
    ['xxxxxxxx', false],
    ['paste-key-here', false],
    [CANARY, true],
  ];
  for (const [value, found] of values) {
    it(`value ${JSON.stringify(value)}: ${found ? 'literal' : 'not a literal'}`, () => {
      const lint = findPlaintextSecrets(`{"mcpServers": {"s": {"headers": {"Ocp-Apim-Subscription-Key": ${JSON.stringify(value)}}}}}`, 'mcpServers');
      assert.ok(lint.ok);
      assert.equal(lint.findings.length, found ? 1 : 0);
    });
  }

  it('refuses malformed JSON with the position', () => {
    const lint = findPlaintextSecrets('{"servers": {,}}', 'vscodeMcpJson');
    assert.deepEqual(!lint.ok && lint.error.kind === 'malformed' && [lint.error.line, lint.error.column], [1, 14]);
  });
});

describe('migratePlaintextSecret', () => {
  it('mcp.json: the key becomes a password input reference; comments and layout stay', () => {
    const m = migratePlaintextSecret(MCP_JSON, 'vscodeMcpJson', { serverName: 'weather', headerName: 'Ocp-Apim-Subscription-Key' });
    assert.ok(m.ok && m.changed);
    assert.equal(m.secret?.reveal(), CANARY);
    assert.deepEqual(m.reference, { kind: 'input', id: 'apim-mcp-key-weather' });
    assert.equal(
      m.text,
      MCP_JSON.replace(`"${CANARY}" } // oops`, '"${input:apim-mcp-key-weather}" } // oops').replace(
        '\t}\n}\n',
        '\t},\n\t"inputs": [\n\t\t{\n\t\t\t"type": "promptString",\n\t\t\t"id": "apim-mcp-key-weather",\n\t\t\t"description": "APIM subscription key for weather",\n\t\t\t"password": true\n\t\t}\n\t]\n}\n',
      ),
    );
    assert.ok(m.text.includes(CANARY), 'only the targeted header changes (X-Other is not a key header)');
    const again = findPlaintextSecrets(m.text, 'vscodeMcpJson');
    assert.ok(again.ok);
    assert.deepEqual(again.findings.map((f) => f.serverName), ['graph']);
  });

  it('mcp.json: a bearer token keeps the Bearer prefix', () => {
    const m = migratePlaintextSecret(MCP_JSON, 'vscodeMcpJson', { serverName: 'graph', headerName: 'Authorization' });
    assert.ok(m.ok);
    assert.match(m.text, /"Authorization": "Bearer \$\{input:apim-mcp-token-graph\}"/);
    assert.equal(m.secret?.reveal(), TOKEN);
    assert.ok(!m.text.includes(TOKEN));
  });

  it('.mcp.json: the key becomes an env var reference, nothing else changes', () => {
    const before = `{\r\n  "mcpServers": {\r\n    "contoso weather": {\r\n      "url": "https://contoso.azure-api.net/w/mcp",\r\n      "headers": {"Ocp-Apim-Subscription-Key": "${CANARY}"}, // key\r\n      "tools": ["*"]\r\n    }\r\n  }\r\n}\r\n`;
    const m = migratePlaintextSecret(before, 'mcpServers', { serverName: 'contoso weather', headerName: 'Ocp-Apim-Subscription-Key' });
    assert.ok(m.ok);
    assert.deepEqual(m.reference, { kind: 'envVar', name: 'APIM_MCP_KEY_CONTOSO_WEATHER' });
    assert.equal(m.text, before.replace(`"${CANARY}"`, '"${APIM_MCP_KEY_CONTOSO_WEATHER}"'));
  });

  it('re-applied to a file where the literal is already gone, changes nothing', () => {
    const m = migratePlaintextSecret(MCP_JSON, 'vscodeMcpJson', { serverName: 'fine', headerName: 'Ocp-Apim-Subscription-Key' });
    assert.deepEqual(m, { ok: true, text: MCP_JSON, changed: false });
  });

  it('refuses an input reference in a portable file', () => {
    const m = migratePlaintextSecret('{"mcpServers": {}}', 'mcpServers', { serverName: 's', headerName: 'Ocp-Apim-Subscription-Key' }, 'passwordInput');
    assert.equal(!m.ok && m.error.kind, 'unsupported');
  });
});

describe('findPlaintextSecrets: keys in the URL query string (issue 16, smaller item)', () => {
  const fake = 'q0e1d2c3b4a5968778695a4b3c2d1e0f';
  const config = (url: string) => JSON.stringify({ servers: { products: { type: 'http', url } } }, null, 2);

  it('reports ?subscription-key= with the url as its range, and the key only as a Secret', () => {
    const text = config(`https://contoso.azure-api.net/products/mcp?subscription-key=${fake}`);
    const lint = findPlaintextSecrets(text, 'vscodeMcpJson');
    assert.ok(lint.ok);
    assert.equal(lint.findings.length, 1);
    const [finding] = lint.findings;
    assert.equal(finding!.kind, 'queryKey');
    assert.equal(finding!.headerName, 'subscription-key');
    assert.equal(text.slice(finding!.offset, finding!.offset + finding!.length), JSON.stringify(`https://contoso.azure-api.net/products/mcp?subscription-key=${fake}`));
    assert.equal(finding!.secret.reveal(), fake);
    assert.ok(!JSON.stringify(finding).includes(fake), 'the key is not in the finding as data');
  });

  it('also under another spelling, among other parameters', () => {
    const lint = findPlaintextSecrets(config(`https://contoso.azure-api.net/mcp?api-version=1&Subscription_Key=${fake}`), 'vscodeMcpJson');
    assert.ok(lint.ok);
    assert.deepEqual(lint.findings.map((f) => [f.kind, f.headerName]), [['queryKey', 'Subscription_Key']]);
  });

  it('leaves references, placeholders and URLs without a key alone', () => {
    for (const url of [
      'https://contoso.azure-api.net/mcp?subscription-key=${input:apim-key}',
      'https://contoso.azure-api.net/mcp?subscription-key=<your-key>',
      'https://contoso.azure-api.net/mcp?subscription-key=',
      'https://contoso.azure-api.net/mcp?code=abc',
      'not a url?subscription-key=abc',
    ]) {
      const lint = findPlaintextSecrets(config(url), 'vscodeMcpJson');
      assert.ok(lint.ok);
      assert.deepEqual(lint.findings, [], url);
    }
  });

  it('has no migration: a header named like the parameter is not touched because of it', () => {
    const text = config(`https://contoso.azure-api.net/mcp?subscription-key=${fake}`);
    const migration = migratePlaintextSecret(text, 'vscodeMcpJson', { serverName: 'products', headerName: 'subscription-key' });
    assert.ok(migration.ok);
    assert.equal(migration.changed, false);
    assert.equal(migration.text, text);
  });
});
