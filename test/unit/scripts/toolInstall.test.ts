import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installNpmTool, ToolInstallError } from '../../../scripts/tools/npmTool.mjs';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'scripts', 'tools', 'cli.mjs');
// What npm 10 on Node 20 exports to its scripts; the version is one no test machine runs, so a leak is visible.
const NODE20_AGENT = 'npm/10.8.2 node/v20.0.0 linux x64 workspaces/false';

// The check code-server's postinstall makes, on a tiny local package: it reads the Node version from
// npm_config_user_agent and refuses when that is not the Node it needs (code-server: Node 24, which the tool install
// runs on; here: the Node that actually runs the script, compared in full, since this machine may run Node 20 itself).
// It records the agent it saw.
const VERSION_CHECK = `
const fs = require('node:fs');
const agent = process.env.npm_config_user_agent || '';
fs.writeFileSync('agent-seen.txt', agent);
const named = (/node\\/v([0-9.]+)/.exec(agent) || [])[1];
if ('v' + named !== process.version) {
  console.log('ERROR: version-checked requires node ' + process.version + '.');
  console.log('We have detected that you are on node v' + named);
  process.exit(1);
}
`;

const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });

describe('tool install inside npm test / npm start (issue 13)', () => {
  let work = '';
  let tarball = '';

  before(() => {
    assert.notEqual(process.version, 'v20.0.0', 'the leaked agent must name a Node other than this one');
    work = mkdtempSync(join(tmpdir(), 'apim-mcp-tool-install-'));
    const pkg = join(work, 'version-checked');
    mkdirSync(pkg);
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'version-checked', version: '1.0.0', scripts: { postinstall: 'node check.js' } }));
    writeFileSync(join(pkg, 'check.js'), VERSION_CHECK);
    const packed = npm(['pack', '--silent', '--pack-destination', work], pkg);
    assert.equal(packed.status, 0, packed.stderr);
    tarball = join(work, packed.stdout.trim());
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('gives the install script the Node that runs it, not the outer npm\'s Node 20 user agent', () => {
    // An outer project whose npm script runs the install step the way `npm test` runs scripts/setup-tools.sh.
    const outer = join(work, 'outer');
    const toolsDir = join(work, 'tools');
    mkdirSync(outer);
    const install = [
      'node', JSON.stringify(CLI), 'install-npm', '--tools-dir', JSON.stringify(toolsDir), '--folder', 'checked',
      '--spec', JSON.stringify(tarball), '--what', 'version-checked', '--entry', 'node_modules/version-checked/check.js',
      '--allow-scripts', 'version-checked',
    ].join(' ');
    writeFileSync(join(outer, 'package.json'), JSON.stringify({ name: 'outer', private: true, scripts: { 'install-tool': install } }));

    const result = npm(['run', 'install-tool'], outer, { ...process.env, npm_config_user_agent: NODE20_AGENT });

    assert.equal(result.status, 0, `the install failed:\n${result.stdout}\n${result.stderr}`);
    const installed = join(toolsDir, 'checked');
    assert.equal(result.stdout.trim().split('\n').at(-1), installed);
    const seen = readFileSync(join(installed, 'node_modules', 'version-checked', 'agent-seen.txt'), 'utf8');
    assert.match(seen, new RegExp(`node/${process.version.replace(/\./g, '\\.')} `), 'the postinstall ran under this Node\'s own npm agent');
    assert.ok(existsSync(join(installed, '.complete')));
  });

  it('reports a refused install script with its cause and fix, and leaves no folder that looks installed', async () => {
    const toolsDir = join(work, 'tools-refused');
    const lines: string[] = [];
    // The leak forced on purpose: env is applied on top of the clean environment.
    const refused = installNpmTool({
      toolsDir,
      folder: 'checked',
      spec: tarball,
      what: 'version-checked',
      entry: 'node_modules/version-checked/check.js',
      allowScripts: ['version-checked'],
      env: { npm_config_user_agent: NODE20_AGENT },
      print: (line) => lines.push(line),
    });
    await assert.rejects(refused, (error: unknown) => {
      assert.ok(error instanceof ToolInstallError);
      assert.match(error.reason, new RegExp(`told it runs on Node 20\\.0\\.0 .* needs Node ${process.versions.node.replace(/\./g, '\\.')}$`));
      assert.match(error.fix, /first on PATH and no npm_config_user_agent/);
      assert.match(error.logTail, /We have detected that you are on node v20/);
      return true;
    });
    assert.deepEqual(readdirSync(toolsDir).sort(), ['checked.install.log'], 'no tool folder and no staging folder left');
    assert.match(lines[0]!, /^version-checked…$/);
  });

  it('keeps a finished tool: a second install is a cached no-op', async () => {
    const toolsDir = join(work, 'tools-cached');
    const options = { toolsDir, folder: 'checked', spec: tarball, what: 'version-checked', entry: 'node_modules/version-checked/check.js', allowScripts: ['version-checked'], print: () => {} };
    const first = await installNpmTool(options);
    assert.equal(first.cached, false);
    const second = await installNpmTool(options);
    assert.deepEqual(second, { cached: true, dir: join(toolsDir, 'checked'), seconds: 0 });
  });

  it('replaces an unfinished folder from an interrupted run, and removes staging folders of dead runs', async () => {
    const toolsDir = join(work, 'tools-interrupted');
    mkdirSync(join(toolsDir, 'checked', 'node_modules'), { recursive: true }); // no .complete: an interrupted install
    mkdirSync(join(toolsDir, 'checked.partial-999999999'));
    await installNpmTool({ toolsDir, folder: 'checked', spec: tarball, what: 'version-checked', entry: 'node_modules/version-checked/check.js', allowScripts: ['version-checked'], print: () => {} });
    assert.ok(existsSync(join(toolsDir, 'checked', 'node_modules', 'version-checked', 'check.js')));
    assert.deepEqual(readdirSync(toolsDir).sort(), ['checked', 'checked.install.log']);
  });
});

describe('scripts/setup-tools.sh', () => {
  it('runs every npm install through the clean-environment install step', () => {
    const script = readFileSync(join(ROOT, 'scripts', 'setup-tools.sh'), 'utf8');
    const code = script.split('\n').filter((line) => !line.trimStart().startsWith('#'));
    assert.deepEqual(code.filter((line) => /\bnpm\s+(install|i|ci|add)\b/.test(line)), []);
    assert.ok(code.some((line) => line.includes('tools/cli.mjs" install-npm')));
  });
});
