// Installs an npm package into its own folder of the tool cache (for example code-server into
// ~/.cache/apim-mcp-tools/code-server-4.139.1): in a clean npm environment, with progress, all or nothing, and a
// failure that names its cause and the fix. Plain Node with no dependency: `npm start` and `npm test` call it
// before anything else is installed.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { formatDuration, runWithProgress } from './progress.mjs';

/**
 * The npm settings a tool install keeps from the calling environment: how to reach the registry (a corporate
 * mirror, a proxy, a CA bundle, the user's own .npmrc files and cache). Every other npm_config_* is dropped.
 */
export const KEPT_NPM_CONFIG =
  /^npm_config_(registry|[^=]+:registry|proxy|https_proxy|http_proxy|noproxy|cafile|ca|cert|key|strict_ssl|userconfig|globalconfig|cache|offline|prefer_offline|prefer_online|fetch_[a-z_]+|maxsockets|local_address)$/i;

/**
 * The environment for an npm that installs a tool. Inside `npm test` or `npm start`, the outer npm exports its own
 * settings as npm_config_* (among them npm_config_user_agent, which names the outer Node) and the script's
 * npm_lifecycle_* / npm_package_*; an inner npm reads them back as its own configuration. code-server's
 * postinstall reads the Node version from that user agent, so the inherited one made it refuse with "requires
 * node v24 … you are on node v20". Everything npm exported is dropped except how to reach the registry; the
 * user's .npmrc files are still read, since HOME and the config file paths are kept. `pathFirst` (the tool's
 * Node) goes first on PATH, so the inner npm runs on it.
 */
export function cleanNpmEnv(env, { pathFirst } = {}) {
  const clean = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (/^npm_/i.test(name) && !KEPT_NPM_CONFIG.test(name)) continue;
    if (name === 'INIT_CWD' || name === 'NODE') continue; // set by npm for scripts: the outer project, the outer Node
    clean[name] = value;
  }
  if (pathFirst) clean.PATH = [pathFirst, clean.PATH].filter(Boolean).join(delimiter);
  return clean;
}

/** What the last install script npm started is, from its --foreground-scripts banner ("> pkg@1.0.0 postinstall"). */
export function npmPhase(logText) {
  const banners = [...logText.matchAll(/^> (\S+) (preinstall|install|postinstall)$/gm)];
  const last = banners.at(-1);
  return last ? `running ${last[1]}'s ${last[2]} script` : 'downloading packages';
}

const RETRY = 'then run `npm run setup-tools` again';
/** " (https://registry.example/pkg)": the URL npm failed to fetch, from its "request to … failed" line. */
const requested = (logText) => {
  const url = /request to (\S+) failed/.exec(logText)?.[1];
  return url ? ` (${url})` : '';
};

/** The cause of a failed `npm install <spec>` and the fix, read from its log; `retry` ends each fix. */
export function describeNpmFailure(logText, { spec, toolsDir, exitCode, retry = RETRY }) {
  const wrongNode = /requires node v(\d[\d.]*\d|\d)[\s\S]*?on node v(\d[\d.]*\d|\d)/i.exec(logText);
  if (wrongNode) {
    return {
      cause: `${spec}'s install script was told it runs on Node ${wrongNode[2]} (from npm's user agent) but needs Node ${wrongNode[1]}`,
      fix: `run the install with Node ${wrongNode[1]} first on PATH and no npm_config_user_agent in the environment (scripts/tools/npmTool.mjs does both); ${retry}`,
    };
  }
  const rules = [
    [/\bENOSPC\b/, 'the disk is full', `free about 1 GB where ${toolsDir} lives, or set APIM_MCP_TOOLS_DIR to a folder on a larger disk; ${retry}`],
    [/\b(EACCES|EPERM)\b/, 'npm was not allowed to write a file', `make ${toolsDir} and your home folder writable by this user, or set APIM_MCP_TOOLS_DIR to a writable folder; ${retry}`],
    [/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT/, 'the registry\'s TLS certificate is not trusted (a proxy that inspects TLS?)', `point npm at your CA bundle (npm config set cafile /path/to/ca.pem); ${retry}`],
    [/\b(E401|E403|ENEEDAUTH|EAUTH)\b/, 'the npm registry refused the download (not signed in, or no access)', `sign in to your registry (npm login --registry <url>) or put its token in ~/.npmrc; ${retry}`],
    [/\b(E404|ETARGET)\b|No matching version found/, `${spec} is not on the npm registry you use (a mirror without it?)`, `check with \`npm view ${spec} version\`, and ask for it to be mirrored; ${retry}`],
    [/\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b|socket hang up/, `the npm registry could not be reached${requested(logText)}`, `check that this machine reaches the registry (npm config get registry) and, behind a proxy, set the proxy (npm config set https-proxy http://proxy:port, or HTTPS_PROXY); ${retry}`],
    [/gyp ERR!|make: .*(not found|No such file)|g\+\+: (command )?not found|krb5|gssapi/i, 'compiling a native module failed', `install the compilers and headers as root (apt-get install -y build-essential python3 libkrb5-dev); ${retry}`],
  ];
  for (const [pattern, cause, fix] of rules) if (pattern.test(logText)) return { cause, fix };
  return {
    cause: `npm install ${spec} failed (exit code ${exitCode})`,
    fix: `read the end of its log above, fix what it names, ${retry}`,
  };
}

export const lastLines = (text, count) => text.trimEnd().split('\n').slice(-count).join('\n');

/** A failed install: its cause (`reason`), the fix, and its log. */
export class ToolInstallError extends Error {
  constructor(reason, fix, logFile, log) {
    super(`${reason}. Fix: ${fix}`);
    this.name = 'ToolInstallError';
    this.reason = reason;
    this.fix = fix;
    this.logFile = logFile;
    this.logTail = lastLines(log, 30);
  }

  /** What a person reads: the end of the log, then the cause, the fix and where the whole log is. */
  reportLines() {
    return [`--- end of ${this.logFile} ---`, ...this.logTail.split('\n'), '---', `ERROR: ${this.reason}.`, `Fix: ${this.fix}.`, `Full log: ${this.logFile}`];
  }
}

function processIsAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Staging folders left by installs that were killed (each holds hundreds of MB). */
function removeAbandonedStaging(toolsDir, folder) {
  for (const name of readdirSync(toolsDir)) {
    const match = name.startsWith(`${folder}.partial-`) && /\.partial-(\d+)$/.exec(name);
    if (match && !processIsAlive(Number(match[1]))) rmSync(join(toolsDir, name), { recursive: true, force: true });
  }
}

/** Moves the finished staging folder into place, unless a concurrent run finished the same tool first. */
function promote(staging, final) {
  const finishedElsewhere = () => existsSync(join(final, '.complete'));
  if (finishedElsewhere()) return rmSync(staging, { recursive: true, force: true });
  rmSync(final, { recursive: true, force: true }); // an unfinished folder from an older setup-tools run
  try {
    renameSync(staging, final);
  } catch (error) {
    if (!finishedElsewhere()) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Installs `spec` into `<toolsDir>/<folder>` unless that folder is complete already (its `.complete` marker and
 * `entry` exist). npm runs in `cleanNpmEnv` with `pathFirst` first on PATH plus `env`, in a staging folder that
 * replaces the old one only once `entry` exists, so an interrupted install never looks finished. `allowScripts`
 * names the packages whose install scripts the tool needs (npm 11 warns about, and later npm versions skip,
 * scripts not approved in package.json). Throws a ToolInstallError naming the cause and the fix.
 */
export async function installNpmTool({
  toolsDir,
  folder,
  spec,
  what,
  name = what,
  estimateSeconds,
  entry,
  allowScripts = [],
  pathFirst,
  env = {},
  prefix = '',
  heartbeatSeconds,
  print,
}) {
  const say = print ?? ((line) => process.stderr.write(`${prefix}${line}\n`));
  const final = join(toolsDir, folder);
  if (existsSync(join(final, '.complete')) && existsSync(join(final, entry))) return { cached: true, dir: final, seconds: 0 };
  mkdirSync(toolsDir, { recursive: true });
  removeAbandonedStaging(toolsDir, folder);
  const staging = `${final}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const manifest = { name: `apim-mcp-tool-${folder}`.toLowerCase(), private: true, allowScripts: Object.fromEntries(allowScripts.map((name) => [name, true])) };
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const logFile = join(toolsDir, `${folder}.install.log`);
  writeFileSync(logFile, `npm install ${spec} in ${staging}, ${new Date().toISOString()}\n`);
  // --ignore-scripts=false: a user's ignore-scripts=true would leave a tool that looks installed but cannot run.
  const args = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--foreground-scripts', '--ignore-scripts=false', '--loglevel=error', spec];
  const result = await runWithProgress({
    command: 'npm',
    args,
    cwd: staging,
    env: { ...cleanNpmEnv(process.env, { pathFirst }), ...env },
    what,
    name,
    estimateSeconds,
    logFile,
    phaseOf: npmPhase,
    heartbeatSeconds,
    print: say,
  });
  const installed = result.code === 0 && existsSync(join(staging, entry));
  if (!installed) {
    rmSync(staging, { recursive: true, force: true });
    const log = readFileSync(logFile, 'utf8');
    const { cause, fix } =
      result.code === 0
        ? { cause: `npm install ${spec} finished but ${entry} is missing`, fix: `read ${logFile}; ${RETRY}` }
        : result.error
          ? { cause: `npm could not be started (${result.error.message})`, fix: 'install npm (it comes with Node.js) and make sure it is on PATH' }
          : describeNpmFailure(log, { spec, toolsDir, exitCode: result.code });
    throw new ToolInstallError(cause, fix, logFile, log);
  }
  writeFileSync(join(staging, '.complete'), `${spec}\n`);
  promote(staging, final);
  say(`${name}: installed in ${formatDuration(result.seconds)}`);
  return { cached: false, dir: final, seconds: result.seconds };
}
