/**
 * Starts the sandbox for one scenario and prints its endpoints as ONE line of JSON on stdout.
 *   node --import tsx test/sandbox/cli.ts --scenario healthy-key [--latency 50] [--keys k1,k2]
 * Logs (never secrets) go to stderr. Runs until SIGINT/SIGTERM, then stops every server it started.
 */
import { startSandbox } from './index';

function usage(message?: string): never {
  if (message) process.stderr.write(`sandbox: ${message}\n`);
  process.stderr.write('usage: node --import tsx test/sandbox/cli.ts --scenario <name|path> [--latency <ms>] [--keys <k1,k2>]\n');
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  let scenario: string | undefined;
  let latencyMs: number | undefined;
  let keys: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i] ?? usage(`${a} needs a value`);
    if (a === '--scenario') scenario = value();
    else if (a.startsWith('--scenario=')) scenario = a.slice('--scenario='.length);
    else if (a === '--latency') latencyMs = Number(value());
    else if (a.startsWith('--latency=')) latencyMs = Number(a.slice('--latency='.length));
    else if (a === '--keys') keys = value().split(',').filter(Boolean);
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!scenario) usage('--scenario is required');
  if (latencyMs !== undefined && (!Number.isFinite(latencyMs) || latencyMs < 0)) usage('--latency must be a non-negative number');
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const sandbox = await startSandbox(scenario, { latencyMs, subscriptionKeys: keys, log });
  process.stdout.write(`${JSON.stringify(sandbox.endpoints)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`sandbox: ${signal}, stopping`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`sandbox: stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${(error as Error).message}\n`);
  process.exit(1);
});
