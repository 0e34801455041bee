import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { entriesInConfigFile } from '../../../src/core/config/configEntries';
import { readConfigFile } from '../../../src/core/config/configEditor';
import { lineColumn, lineColumns } from '../../../src/core/config/jsoncText';
import { findPlaintextSecrets } from '../../../src/core/config/plaintextKeyLint';
import { FUZZ_RUNS as RUNS } from '../fuzzRuns';

/** The plain definition: count the line breaks VS Code counts (LF, CRLF, lone CR) before the offset. */
function scanned(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Servers in an mcp.json, each on its own lines, with a literal key, so lines and findings can be checked one by one. */
function manyServers(n: number, eol: string): string {
  const lines = ['{', '  // comment', '  "servers": {'];
  for (let i = 0; i < n; i++) {
    lines.push(`    "s${i}": {`, `      "url": "https://c${i}.azure-api.net/a/mcp",`, `      "headers": { "Ocp-Apim-Subscription-Key": "k${i}abcdef0123456789abcdef01234" }`, `    }${i + 1 < n ? ',' : ''}`);
  }
  lines.push('  }', '}');
  return lines.join(eol);
}

describe('lineColumns: line and column of many offsets in one text', () => {
  it('agrees with counting line breaks from the start, for LF, CRLF and lone CR', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', ' ', '\t', '\n', '\r', '\r\n', 'é', '😀'), { maxLength: 60 }).map((parts) => parts.join('')), (text) => {
        const at = lineColumns(text);
        for (let offset = 0; offset <= text.length; offset++) {
          assert.deepEqual(at(offset), scanned(text, offset), `offset ${offset} of ${JSON.stringify(text)}`);
          assert.deepEqual(lineColumn(text, offset), scanned(text, offset));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('clamps an offset past the end to the end', () => {
    assert.deepEqual(lineColumns('ab\ncd')(99), { line: 2, column: 3 });
  });
});

describe('one parse per file: every server keeps its own line', () => {
  for (const eol of ['\n', '\r\n']) {
    it(`lists 300 servers with their lines and lints each key at its place (${JSON.stringify(eol)})`, () => {
      const text = manyServers(300, eol);
      const read = entriesInConfigFile(text, 'vscodeMcpJson', 'workspaceMcpJson', '/w/.vscode/mcp.json');
      assert.ok(read.ok);
      assert.equal(read.entries.length, 300);
      read.entries.forEach((e, i) => assert.equal(e.line, scanned(text, text.indexOf(`"s${i}"`)).line - 1, e.name));
      const lint = findPlaintextSecrets(text, 'vscodeMcpJson');
      assert.ok(lint.ok);
      assert.equal(lint.findings.length, 300);
      for (const f of lint.findings) {
        assert.deepEqual(f.start, scanned(text, f.offset));
        assert.deepEqual(f.end, scanned(text, f.offset + f.length));
      }
    });
  }

  it('gives two entries of the same name each their own line', () => {
    const text = '{\n  "servers": {\n    "a": { "url": "https://x.azure-api.net/a/mcp" },\n    "a": { "url": "https://y.azure-api.net/a/mcp" }\n  }\n}';
    const read = entriesInConfigFile(text, 'vscodeMcpJson', 'workspaceMcpJson', '/w/mcp.json');
    assert.ok(read.ok);
    assert.deepEqual(read.entries.map((e) => [e.url, e.line]), [['https://x.azure-api.net/a/mcp', 2], ['https://y.azure-api.net/a/mcp', 3]]);
  });

  it('takes the format the file declares, and the one its name gives only when it declares none', () => {
    const mcpServers = '{ "mcpServers": { "p": { "url": "https://c.azure-api.net/p/mcp" } } }';
    assert.deepEqual(readConfigFile(mcpServers, 'vscodeMcpJson'), { ok: true, format: 'mcpServers', servers: [{ server: { name: 'p', type: undefined, url: 'https://c.azure-api.net/p/mcp', headers: {}, oauthClientId: undefined, oauthFields: { nested: undefined, flat: undefined }, tools: undefined, inputRefs: [], envRefs: [] }, offset: 18 }] });
    assert.deepEqual(readConfigFile('{}', 'mcpServers'), { ok: true, format: 'mcpServers', servers: [] });
    assert.deepEqual(readConfigFile('{}', undefined), { ok: true, format: undefined, servers: [] });
    const broken = readConfigFile('{ "servers": { "a": } }', 'vscodeMcpJson');
    assert.equal(broken.ok, false);
    assert.deepEqual(readConfigFile('{ "servers": { "a": } }', undefined), { ok: true, format: undefined, servers: [] }, 'a malformed file of no known format holds no servers');
  });
});
