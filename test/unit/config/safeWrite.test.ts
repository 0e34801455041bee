import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { addServer, removeServer } from '../../../src/core/config/configEditor';
import { createNodeConfigFileSystem } from '../../../src/core/config/nodeConfigFileSystem';
import { editConfigFile, type ConfigFileSystem } from '../../../src/core/config/safeWrite';
import { server } from './serverFixtures';

const WEATHER = server({ name: 'weather', auth: 'none' });
const addWeather = (t: string) => addServer(t, 'vscodeMcpJson', WEATHER);
const POSIX = process.platform !== 'win32';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'apim-mcp-safewrite-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f.endsWith('.tmp'));
}

describe('editConfigFile', () => {
  it('creates a missing file and its folder', async () => {
    const file = path.join(dir, '.vscode', 'mcp.json');
    const result = await editConfigFile(createNodeConfigFileSystem(), file, addWeather);
    assert.ok(result.ok);
    assert.equal(
      await readFile(file, 'utf8'),
      '{\n\t"servers": {\n\t\t"weather": {\n\t\t\t"type": "http",\n\t\t\t"url": "https://contoso.azure-api.net/weather/mcp"\n\t\t}\n\t}\n}\n',
    );
    assert.deepEqual(await leftovers(path.dirname(file)), []);
  });

  it('edits in place and keeps the file mode', { skip: !POSIX }, async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{\n  "servers": {}\n}\n');
    await chmod(file, 0o640);
    const result = await editConfigFile(createNodeConfigFileSystem(), file, addWeather);
    assert.ok(result.ok && result.changed);
    assert.equal((await stat(file)).mode & 0o777, 0o640);
    assert.match(await readFile(file, 'utf8'), /^\{\n {2}"servers": \{\n {4}"weather": \{/);
  });

  it('refuses a malformed file with line and column and leaves it byte-identical', async () => {
    const file = path.join(dir, 'mcp.json');
    const bytes = '{\n\t"servers": {\n\t\t"a": {}\n\t\t"b": {}\n\t}\n}\n';
    await writeFile(file, bytes);
    const before = await stat(file);
    const result = await editConfigFile(createNodeConfigFileSystem(), file, addWeather);
    assert.deepEqual(!result.ok && result.error, { kind: 'malformed', message: 'Comma expected.', line: 4, column: 3, offset: 28 });
    assert.equal(await readFile(file, 'utf8'), bytes);
    assert.equal((await stat(file)).mtimeMs, before.mtimeMs);
    assert.deepEqual(await leftovers(dir), []);
  });

  it('does not write when the edit changes nothing', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{"servers": {}}');
    const before = await stat(file);
    const result = await editConfigFile(createNodeConfigFileSystem(), file, (t) => removeServer(t, 'vscodeMcpJson', 'absent'));
    assert.ok(result.ok && !result.changed);
    assert.equal((await stat(file)).mtimeMs, before.mtimeMs);
  });

  it('keeps a UTF-8 byte order mark', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '\uFEFF{"servers": {}}');
    const result = await editConfigFile(createNodeConfigFileSystem(), file, addWeather);
    assert.ok(result.ok);
    const bytes = await readFile(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  });

  it('refuses a file that is not UTF-8 and leaves it alone', async () => {
    const file = path.join(dir, 'mcp.json');
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    await writeFile(file, bytes);
    const result = await editConfigFile(createNodeConfigFileSystem(), file, addWeather);
    assert.equal(!result.ok && result.error.kind, 'encoding');
    assert.deepEqual(await readFile(file), bytes);
  });

  it('merges a change written by someone else between read and write', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{\n\t"servers": {\n\t\t"a": { "url": "https://a.example/mcp" }\n\t}\n}\n');
    const real = createNodeConfigFileSystem();
    let injected = false;
    const racing: ConfigFileSystem = {
      ...real,
      async writeTemp(d, base, bytes, mode) {
        if (!injected) {
          injected = true;
          // Another writer (the user saving in an editor) adds a server after our read.
          await writeFile(file, '{\n\t"servers": {\n\t\t"a": { "url": "https://a.example/mcp" },\n\t\t"b": { "url": "https://b.example/mcp" }\n\t}\n}\n');
        }
        return real.writeTemp(d, base, bytes, mode);
      },
    };
    const result = await editConfigFile(racing, file, addWeather);
    assert.ok(result.ok);
    assert.equal(result.attempts, 2);
    assert.equal(
      await readFile(file, 'utf8'),
      [
        '{',
        '\t"servers": {',
        '\t\t"a": { "url": "https://a.example/mcp" },',
        '\t\t"b": { "url": "https://b.example/mcp" },',
        '\t\t"weather": {',
        '\t\t\t"type": "http",',
        '\t\t\t"url": "https://contoso.azure-api.net/weather/mcp"',
        '\t\t}',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(await leftovers(dir), []);
  });

  it('detects a same-size change made within the same mtime tick (content compare)', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{"servers": {"a": 1}}');
    const real = createNodeConfigFileSystem();
    const original = await real.read(file);
    let injected = false;
    let lied = false;
    const racing: ConfigFileSystem = {
      ...real,
      async stat(p) {
        // Report the old mtime and size once, as a coarse clock would after a same-length write.
        if (injected && !lied) {
          lied = true;
          return { mtimeMs: original!.mtimeMs, size: original!.bytes.length };
        }
        return real.stat(p);
      },
      async writeTemp(d, base, bytes, mode) {
        if (!injected) {
          injected = true;
          await writeFile(file, '{"servers": {"b": 1}}');
        }
        return real.writeTemp(d, base, bytes, mode);
      },
    };
    const result = await editConfigFile(racing, file, addWeather);
    assert.ok(result.ok && result.attempts === 2);
    assert.match(await readFile(file, 'utf8'), /"b": 1,\n\t"weather"/);
  });

  it('gives up without overwriting when the file never stops changing', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{"servers": {}}');
    const real = createNodeConfigFileSystem();
    let n = 0;
    const racing: ConfigFileSystem = {
      ...real,
      async writeTemp(d, base, bytes, mode) {
        await writeFile(file, `{"servers": {"other${++n}": {}}}`);
        return real.writeTemp(d, base, bytes, mode);
      },
    };
    const result = await editConfigFile(racing, file, addWeather, { maxAttempts: 3 });
    assert.equal(!result.ok && result.error.kind, 'conflict');
    assert.equal(await readFile(file, 'utf8'), '{"servers": {"other3": {}}}');
    assert.deepEqual(await leftovers(dir), []);
  });

  it('never half-writes: a failing rename leaves the original and no temp file', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{"servers": {}}');
    const real = createNodeConfigFileSystem();
    const failing: ConfigFileSystem = {
      ...real,
      async rename() {
        throw new Error('EXDEV: simulated');
      },
    };
    const result = await editConfigFile(failing, file, addWeather);
    assert.equal(!result.ok && result.error.kind, 'io');
    assert.equal(await readFile(file, 'utf8'), '{"servers": {}}');
    assert.deepEqual(await leftovers(dir), []);
  });
});
