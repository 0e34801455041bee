/**
 * The CLI: `apim-mcp diagnose <url>` (a deployed gateway), `apim-mcp lint <files|folders>` (policy files),
 * `apim-mcp explain "<AADSTS text>"`. Exit 0 when nothing reaches the --fail-on threshold, 1 when something does,
 * 2 on usage errors. Each command lives in src/cli/.
 */
import { version } from '../package.json';
import { errorMessage } from './core/basics';
import { DIAGNOSE_USAGE, runDiagnose } from './cli/diagnoseCommand';
import { explain, EXPLAIN_USAGE } from './cli/explainCommand';
import { UsageError, type CliIo } from './cli/io';
import { LINT_USAGE, runLint } from './cli/lintCommand';

export type { CliIo } from './cli/io';
export { renderHuman } from './cli/diagnoseCommand';

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
      return explain(rest[0]!, io);
    }
    if (command === 'lint') return runLint(rest, io, version);
    if (command === 'diagnose') return await runDiagnose(rest, io, version);
    throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  } catch (error: unknown) {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
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
