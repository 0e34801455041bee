// Each CLI command is a bundle of its own, loaded only when that command runs (issue 20): `lint` and `explain`
// never load the diagnosis engine and the MCP SDK, `diagnose` never loads the policy linter. The CLI is built as it
// ships (scripts/cliBundles.mjs) and run in a child Node that lists every file it loaded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { cliProductionBuilds } from '../../../scripts/cliBundles.mjs';

const root = join(__dirname, '..', '..', '..');
let dir: string;

/** Runs the built CLI; returns its exit code and the names of the bundles Node loaded from the build folder. */
function run(args: string[]): { code: number | null; loaded: string[]; stderr: string } {
  const list = join(dir, 'loaded.json');
  rmSync(list, { force: true });
  const hook = join(dir, 'list-loaded.cjs');
  const r = spawnSync(process.execPath, ['--require', hook, join(dir, 'out', 'cli.js'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', LOADED_LIST: list, NODE_DISABLE_COMPILE_CACHE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const loaded = (JSON.parse(readFileSync(list, 'utf8')) as string[]).filter((f) => f.startsWith(join(dir, 'out'))).map((f) => basename(f)).sort();
  return { code: r.status, loaded, stderr: r.stderr };
}

describe('CLI: each command loads only its own bundle', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apim-mcp-cli-lazy-'));
    for (const options of cliProductionBuilds(join(dir, 'out'))) await build({ ...options, absWorkingDir: root });
    // Every CommonJS file Node loaded (the bundles are CommonJS), written when the process exits.
    writeFileSync(join(dir, 'list-loaded.cjs'), "process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_LIST, JSON.stringify(Object.keys(require.cache))));\n");
    writeFileSync(join(dir, 'api.policy.xml'), '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lint loads the dispatcher and the linter, not the diagnosis engine or the MCP SDK', () => {
    const r = run(['lint', 'api.policy.xml']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.loaded, ['cli-lint.js', 'cli.js']);
  });

  it('explain loads only its catalogue', () => {
    const r = run(['explain', 'AADSTS50011: The redirect URI does not match.']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.loaded, ['cli-explain.js', 'cli.js']);
  });

  it('a usage error loads no command at all', () => {
    const r = run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown command "frobnicate"[\s\S]*apim-mcp diagnose <mcp-url>[\s\S]*apim-mcp lint[\s\S]*apim-mcp explain/);
    assert.deepEqual(r.loaded, ['cli.js']);
  });

  it('diagnose loads the engine and not the linter; its usage errors still print the whole usage, exit 2', () => {
    const r = run(['diagnose']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /diagnose takes exactly one MCP URL\.[\s\S]*Usage:/);
    assert.deepEqual(r.loaded, ['cli-diagnose.js', 'cli.js']);
  });

  it('the dispatcher requires each command bundle (no import(): Node would scan the whole bundle for exports first)', () => {
    const dispatcher = readFileSync(join(dir, 'out', 'cli.js'), 'utf8');
    assert.doesNotMatch(dispatcher, /\bimport\(/);
    for (const chunk of ['cli-diagnose', 'cli-lint', 'cli-explain']) assert.match(dispatcher, new RegExp(`require\\("\\./${chunk}\\.js"\\)`));
  });
});
