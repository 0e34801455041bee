import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dependenciesOutOfDate } from '../../../scripts/bootstrap.mjs';
import { cleanNpmEnv, describeNpmFailure, npmPhase } from '../../../scripts/tools/npmTool.mjs';
import { formatDuration, heartbeatLine, runWithProgress } from '../../../scripts/tools/progress.mjs';
import { readToolPaths, recordToolPaths } from '../../../scripts/tools/toolPaths.mjs';

const work = mkdtempSync(join(tmpdir(), 'apim-mcp-bootstrap-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('cleanNpmEnv', () => {
  // What `npm test` hands its script (npm 11 on Node 20), plus a user's own settings.
  const inherited = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/dev',
    HTTPS_PROXY: 'http://proxy.corp:3128',
    NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem',
    INIT_CWD: '/work/apim-mcp',
    NODE: '/usr/bin/node',
    npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
    npm_config_nodedir: '/usr',
    npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    npm_config_local_prefix: '/work/apim-mcp',
    npm_config_ignore_scripts: 'true',
    npm_lifecycle_event: 'test',
    npm_lifecycle_script: 'node scripts/test-all.mjs',
    npm_package_json: '/work/apim-mcp/package.json',
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    npm_node_execpath: '/usr/bin/node',
    npm_command: 'run-script',
    npm_config_registry: 'https://npm.corp.example/',
    'npm_config_@corp:registry': 'https://npm.corp.example/scoped/',
    NPM_CONFIG_HTTPS_PROXY: 'http://proxy.corp:3128',
    npm_config_noproxy: 'localhost,.corp.example',
    npm_config_cafile: '/etc/corp-ca.pem',
    npm_config_strict_ssl: 'true',
    npm_config_userconfig: '/home/dev/.npmrc',
    npm_config_globalconfig: '/usr/etc/npmrc',
    npm_config_cache: '/home/dev/.npm',
    npm_config_fetch_retries: '5',
  };
  const clean = cleanNpmEnv(inherited, { pathFirst: '/tools/node24/bin' });

  it('drops what the outer npm exported about itself and its script', () => {
    for (const name of ['npm_config_user_agent', 'npm_config_nodedir', 'npm_config_node_gyp', 'npm_config_local_prefix', 'npm_config_ignore_scripts',
      'npm_lifecycle_event', 'npm_lifecycle_script', 'npm_package_json', 'npm_execpath', 'npm_node_execpath', 'npm_command', 'INIT_CWD', 'NODE']) {
      assert.equal(clean[name], undefined, name);
    }
  });

  it('keeps how to reach the registry: mirror, scoped registry, proxy, CA, npmrc files, cache', () => {
    for (const name of ['npm_config_registry', 'npm_config_@corp:registry', 'NPM_CONFIG_HTTPS_PROXY', 'npm_config_noproxy', 'npm_config_cafile',
      'npm_config_strict_ssl', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cache', 'npm_config_fetch_retries',
      'HOME', 'HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS']) {
      assert.equal(clean[name], inherited[name as keyof typeof inherited], name);
    }
  });

  it('puts the tool\'s Node first on PATH', () => {
    assert.equal(clean.PATH, '/tools/node24/bin:/usr/bin:/bin');
    assert.equal(cleanNpmEnv({ PATH: '/usr/bin' }).PATH, '/usr/bin');
  });
});

describe('describeNpmFailure', () => {
  const context = { spec: 'code-server@4.139.1', toolsDir: '/cache/tools', exitCode: 1 };
  const cases: Array<[string, string, RegExp, RegExp]> = [
    ['code-server refusing the Node 20 agent', 'ERROR: code-server currently requires node v24.\nWe have detected that you are on node v20\n',
      /told it runs on Node 20 .*needs Node 24/, /first on PATH and no npm_config_user_agent/],
    ['a full disk', 'npm error code ENOSPC\nnpm error syscall write', /disk is full/, /free about 1 GB where \/cache\/tools lives|APIM_MCP_TOOLS_DIR/],
    ['no write permission', 'npm error code EACCES\nnpm error path /cache/tools', /not allowed to write/, /writable/],
    ['TLS interception', 'npm error code SELF_SIGNED_CERT_IN_CHAIN', /TLS certificate is not trusted/, /npm config set cafile/],
    ['no access to the registry', 'npm error code E401\nnpm error Unable to authenticate', /refused the download/, /npm login --registry/],
    ['a mirror without the version', 'npm error code ETARGET\nnpm error notarget No matching version found for code-server@4.139.1.', /not on the npm registry/, /npm view code-server@4\.139\.1 version/],
    ['no network', 'npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/code-server failed', /could not be reached \(https:\/\/registry\.npmjs\.org\/code-server\)/, /https-proxy/],
    ['a native build failure', 'gyp ERR! build error\ngyp ERR! stack Error: `make` failed with exit code: 2', /native module failed/, /apt-get install -y build-essential python3 libkrb5-dev/],
    ['anything else', 'npm error something new', /failed \(exit code 1\)/, /read the end of its log/],
  ];
  for (const [name, log, cause, fix] of cases) {
    it(`names the cause and the fix: ${name}`, () => {
      const described = describeNpmFailure(log, context);
      assert.match(described.cause, cause);
      assert.match(described.fix, fix);
      assert.match(described.fix, /npm run setup-tools/);
    });
  }
});

describe('progress', () => {
  it('formats durations the way a person reads them', () => {
    assert.deepEqual([0.4, 45, 60, 125, 180].map(formatDuration), ['0 s', '45 s', '1 min', '2 min 05 s', '3 min']);
  });

  it('tells elapsed time against the estimate, and says when it runs long', () => {
    assert.equal(heartbeatLine({ what: 'code-server', phase: 'running code-server@4.139.1\'s postinstall script', elapsedSeconds: 95, estimateSeconds: 240 }),
      'code-server: running code-server@4.139.1\'s postinstall script… 1 min 35 s of about 4 min');
    assert.match(heartbeatLine({ what: 'code-server', elapsedSeconds: 300, estimateSeconds: 240 }), /5 min, longer than the usual 4 min .*still working/);
    assert.equal(heartbeatLine({ what: 'npm ci', elapsedSeconds: 20 }), 'npm ci… 20 s so far');
  });

  it('names the install script npm is running from its --foreground-scripts banner', () => {
    assert.equal(npmPhase('added 3 packages\n'), 'downloading packages');
    assert.equal(npmPhase('\n> node@24.21.0 preinstall\n> node installArchSpecificPackage\n\n> code-server@4.139.1 postinstall\n> sh ./postinstall.sh\n'),
      'running code-server@4.139.1\'s postinstall script');
  });

  it('prints a heartbeat with the phase while a slow child runs, and its output goes to the log', async () => {
    const logFile = join(work, 'slow.log');
    const lines: string[] = [];
    const script = 'console.log("> slow@1.0.0 postinstall"); setTimeout(() => {}, 1500)';
    const result = await runWithProgress({ command: process.execPath, args: ['-e', script], what: 'slow', estimateSeconds: 60, logFile, phaseOf: npmPhase,
      heartbeatSeconds: 0.3, print: (line) => lines.push(line) });
    assert.equal(result.code, 0);
    assert.equal(lines[0], 'slow, usually about 1 min…');
    assert.ok(lines.slice(1).some((line) => /^slow: running slow@1\.0\.0's postinstall script… \d s of about 1 min$/.test(line)), lines.join('\n'));
    assert.match(readFileSync(logFile, 'utf8'), /> slow@1\.0\.0 postinstall/);
  });
});

describe('dependenciesOutOfDate', () => {
  const project = (installed: Record<string, unknown> | undefined) => {
    const root = mkdtempSync(join(work, 'project-'));
    const lock = { packages: { '': { name: 'p' }, 'node_modules/tsx': { version: '4.23.15', dev: true }, 'node_modules/@esbuild/darwin-arm64': { version: '0.25.12', optional: true },
      'node_modules/a/node_modules/b': { version: '2.0.0' } } };
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    if (installed) {
      mkdirSync(join(root, 'node_modules'));
      writeFileSync(join(root, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: installed }));
    }
    return root;
  };

  it('asks for npm ci when no install finished, or a locked version is not installed', () => {
    assert.equal(dependenciesOutOfDate(project(undefined)), 'node_modules is missing');
    assert.equal(dependenciesOutOfDate(project({ 'node_modules/tsx': { version: '4.19.0' } })), 'tsx 4.23.15 is not installed');
    assert.equal(dependenciesOutOfDate(project({ 'node_modules/tsx': { version: '4.23.15' } })), 'b 2.0.0 is not installed');
  });

  it('accepts an install that matches the lock, without optional packages for other platforms', () => {
    assert.equal(dependenciesOutOfDate(project({ 'node_modules/tsx': { version: '4.23.15' }, 'node_modules/a/node_modules/b': { version: '2.0.0' } })), undefined);
  });
});

describe('paths.json', () => {
  it('merges each installer\'s entries, keeping the others, and replaces a damaged file', () => {
    const toolsDir = join(work, 'tools');
    recordToolPaths(toolsDir, { node24: '/t/node24/node', codeServerVersion: '4.139.1' });
    recordToolPaths(toolsDir, { claudeCode: '/t/claude/cli.js' });
    assert.deepEqual(readToolPaths(toolsDir), { node24: '/t/node24/node', codeServerVersion: '4.139.1', claudeCode: '/t/claude/cli.js' });
    writeFileSync(join(toolsDir, 'paths.json'), '{ "node24": "/t/no');
    assert.deepEqual(recordToolPaths(toolsDir, { codeServerVersion: '4.139.1' }), { codeServerVersion: '4.139.1' });
  });

  it('leaves the file alone when nothing changed (setup-tools records on every check-only run)', () => {
    const toolsDir = join(work, 'tools-unchanged');
    recordToolPaths(toolsDir, { node24: '/t/node24/node' });
    const file = join(toolsDir, 'paths.json');
    utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
    recordToolPaths(toolsDir, { node24: '/t/node24/node' });
    assert.equal(statSync(file).mtime.getFullYear(), 2020);
  });
});
