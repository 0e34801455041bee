import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes';
import { RESULTS_DIR } from './browser';

const ROOT = join(__dirname, '..', '..');

/**
 * The extension as users get it: built in production mode and packaged as a .vsix. `npm test` packages once and
 * passes the path in APIM_MCP_VSIX; a tier run on its own packages for itself.
 */
export async function packagedExtension(): Promise<string> {
  const given = process.env.APIM_MCP_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`APIM_MCP_VSIX points to ${given}, which does not exist`);
    return given;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const vsix = join(mkdtempSync(join(RESULTS_DIR, 'package-')), 'apim-mcp.vsix');
  await run(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ROOT });
  await run(process.execPath, ['scripts/package.mjs', vsix], { cwd: ROOT });
  process.env.APIM_MCP_VSIX = vsix;
  return vsix;
}

/** The test-driver extension that runs mocha suites inside the extension host. */
export async function packagedDriver(): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const vsix = join(RESULTS_DIR, 'apim-mcp-test-driver.vsix');
  const driverDir = join(__dirname, 'driver');
  // Repackage when a driver file changed since the cached .vsix was made.
  const stale = existsSync(vsix) && readdirSync(driverDir).some((f) => statSync(join(driverDir, f)).mtimeMs > statSync(vsix).mtimeMs);
  if (!existsSync(vsix) || stale) {
    await run(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), vsix], { cwd: join(__dirname, 'driver') });
  }
  return vsix;
}
