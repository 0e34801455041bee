import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrateServerEntries } from '../../../src/core/config/migrate';
import { CLIENT_ID } from './serverFixtures';

// What versions before the per-client writers put in a root .mcp.json: tools ["*"] on every entry and only
// Copilot's oauthClientId for Entra. Comments, order and the user's own entry must survive the migration.
const WRITTEN_BEFORE = [
  '{',
  '  // team servers',
  '  "mcpServers": {',
  '    "weather": {',
  '      "type": "http",',
  '      "url": "https://contoso.azure-api.net/weather/mcp",',
  '      "headers": {',
  '        "Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"',
  '      },',
  '      "tools": ["*"]',
  '    },',
  '    "orders": {',
  '      "type": "http",',
  '      "url": "https://contoso.azure-api.net/orders/mcp",',
  '      "tools": ["*"],',
  `      "oauthClientId": "${CLIENT_ID}" // custom client`,
  '    },',
  '    "mine": { "type": "http", "url": "https://example.com/mcp", "tools": ["search"] }',
  '  }',
  '}',
  '',
].join('\n');

const MIGRATED = [
  '{',
  '  // team servers',
  '  "mcpServers": {',
  '    "weather": {',
  '      "type": "http",',
  '      "url": "https://contoso.azure-api.net/weather/mcp",',
  '      "headers": {',
  '        "Ocp-Apim-Subscription-Key": "${APIM_MCP_KEY_WEATHER}"',
  '      }',
  '    },',
  '    "orders": {',
  '      "type": "http",',
  '      "url": "https://contoso.azure-api.net/orders/mcp",',
  `      "oauthClientId": "${CLIENT_ID}", // custom client`,
  '      "oauth": {',
  `        "clientId": "${CLIENT_ID}"`,
  '      }',
  '    },',
  '    "mine": { "type": "http", "url": "https://example.com/mcp", "tools": ["search"] }',
  '  }',
  '}',
  '',
].join('\n');

describe('migrating entries earlier versions wrote', () => {
  it('.mcp.json: drops tools ["*"], adds oauth.clientId, keeps comments and a narrowed tools list', () => {
    const result = migrateServerEntries(WRITTEN_BEFORE, 'mcpServers');
    assert.ok(result.ok);
    assert.equal(result.text, MIGRATED);
    assert.equal(result.changed, true);
  });

  it('is idempotent', () => {
    const again = migrateServerEntries(MIGRATED, 'mcpServers');
    assert.ok(again.ok);
    assert.equal(again.changed, false);
    assert.equal(again.text, MIGRATED);
  });

  it('the Copilot CLI config keeps tools ["*"] and gets oauthClientId next to oauth.clientId', () => {
    const text = `{\n  "mcpServers": {\n    "orders": {\n      "type": "http",\n      "url": "https://x/mcp",\n      "tools": ["*"],\n      "oauth": { "clientId": "${CLIENT_ID}" }\n    }\n  }\n}\n`;
    const result = migrateServerEntries(text, 'mcpServers', { toolsAllowList: true });
    assert.ok(result.ok);
    assert.deepEqual(JSON.parse(result.text).mcpServers.orders, { type: 'http', url: 'https://x/mcp', tools: ['*'], oauth: { clientId: CLIENT_ID }, oauthClientId: CLIENT_ID });
  });

  it('refuses a malformed file and returns no text to write', () => {
    const broken = WRITTEN_BEFORE.replace('"tools": ["*"]\n', '"tools": ["*"\n');
    const result = migrateServerEntries(broken, 'mcpServers');
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.error.kind, 'malformed');
  });

  it('leaves mcp.json files alone', () => {
    const text = '{ "servers": { "a": { "type": "http", "url": "https://x/mcp" } } }';
    assert.deepEqual(migrateServerEntries(text, 'vscodeMcpJson'), { ok: true, text, changed: false });
  });
});
