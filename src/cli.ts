/**
 * The CLI: `apim-mcp diagnose <url>` (a deployed gateway), `apim-mcp lint <files|folders>` (policy files),
 * `apim-mcp explain "<AADSTS text>"`. Exit 0 when nothing reaches the --fail-on threshold, 1 when something does,
 * 2 on usage errors. Each command lives in src/cli/ and is loaded only when it runs: `lint` never loads the MCP SDK,
 * `diagnose` never loads the policy linter (scripts/build.mjs makes each command a bundle of its own).
 */
import { version } from '../package.json';
import { errorMessage } from './core/basics';
import { isUsageError, UsageError, type CliIo } from './cli/io';
import { DIAGNOSE_USAGE, EXPLAIN_USAGE, LINT_USAGE } from './cli/usage';

export type { CliIo } from './cli/io';

const USAGE = `Usage:
${DIAGNOSE_USAGE}

${LINT_USAGE}

${EXPLAIN_USAGE}

Exit codes: 0 nothing at or above --fail-on (default error), 1 findings at or above it, 2 usage error.`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === 'explain') {
      if (rest.length !== 1) throw new UsageError('explain takes one argument: the pasted error text or URL (quote it).');
      return (await import('./cli/explainCommand')).explain(rest[0]!, io);
    }
    if (command === 'lint') return await (await import('./cli/lintCommand')).runLint(rest, io, version);
    if (command === 'diagnose') return await (await import('./cli/diagnoseCommand')).runDiagnose(rest, io, version);
    throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  } catch (error: unknown) {
    if (isUsageError(error)) {
      io.stderr(`${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * Node's on-disk compile cache (Node >= 22.1) for the command bundles loaded after this: it skips most of their
 * parse and compile on the next run. Node keeps it in its default folder under the OS temp directory, and
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no such function: nothing happens there.
 */
function enableCompileCache(): void {
  try {
    (require('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  } catch {
    // A cache that cannot be opened only costs speed.
  }
}

if (require.main === module) {
  enableCompileCache();
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTty: Boolean(process.stdout.isTTY),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`apim-mcp: could not run: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
