// The vscode tier: mocha suites from test/vscode run inside a real VS Code extension host (code-server),
// with the packaged extension installed. Prints each test and a closing "N passed, N failed" line.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openWorkbench, RESULTS_DIR, type Workbench } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { packagedDriver, packagedExtension } from './packages';
import { waitFor } from './processes';
import { compileSuites } from './suites';


const POLICY_FIXTURES = resolve(__dirname, '..', 'fixtures', 'policies');

/** The test workspace holds the policy fixtures under policies/, where the policy suites open them. */
function workspaceFixtures(): Record<string, string> {
  return Object.fromEntries(readdirSync(POLICY_FIXTURES).map((name) => [`policies/${name}`, readFileSync(join(POLICY_FIXTURES, name), 'utf8')]));
}

interface DriverResult {
  passed: number;
  failed: number;
  tests: { title: string; state: 'passed' | 'failed'; durationMs?: number; error?: string }[];
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const [extension, driver, suites] = await Promise.all([packagedExtension(), packagedDriver(), compileSuites(filters)]);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const resultFile = join(dirname(suites[0]), 'result.json');
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  try {
    server = await startCodeServer({
      label: 'vscode-tier',
      extensions: [extension, driver],
      workspaceFiles: workspaceFixtures(),
      env: {
        APIM_MCP_TEST_RESULT: resultFile,
        APIM_MCP_MOCHA_PATH: require.resolve('mocha'),
        APIM_MCP_TEST_FILES: JSON.stringify(suites),
      },
    });
    console.log(`[vscode-tier] ${suites.length} suite file(s) in VS Code at ${server.url}`);
    workbench = await openWorkbench(server.url);
    const running = server;
    const opened = workbench;
    const stopOnSignal = () => void Promise.all([opened.close(), running.stop()]).finally(() => process.exit(130));
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    const result = await waitFor('the vscode-tier suites to finish', 10 * 60_000, () =>
      existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as DriverResult) : undefined, 500).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- code-server output (tail) ---\n${running.logs().slice(-6000)}`);
    });
    await workbench.screenshot('vscode-tier-final');
    for (const test of result.tests) {
      console.log(`${test.state === 'passed' ? '  ✔' : '  ✖'} ${test.title}${test.durationMs !== undefined ? ` (${test.durationMs} ms)` : ''}`);
      if (test.error) console.log(test.error.split('\n').map((l) => `      ${l}`).join('\n'));
    }
    if (result.passed + result.failed === 0) {
      console.log('[vscode-tier] no test ran');
      return 1;
    }
    console.log(`vscode: ${result.passed} passed, ${result.failed} failed`);
    return result.failed === 0 ? 0 : 1;
  } finally {
    await workbench?.close();
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(1);
  },
);
