/** Runs the CLI in this process with captured streams (the command-line parsing and exit codes are what is tested). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { runCli } from '../../../src/cli';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(args: string[], options: { cwd?: string; isTty?: boolean; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: options.env ?? {},
    isTty: options.isTty ?? false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** The SARIF 2.1.0 JSON schema (OASIS, rtm.5), as the @microsoft/jest-sarif package ships it. */
function sarifSchema(): object {
  const path = createRequire(__filename).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

let validator: ((data: unknown) => boolean) & { errors?: unknown } | undefined;

/** Validates a SARIF log against the 2.1.0 schema; returns the schema errors (empty when valid). */
export function sarifErrors(log: unknown): unknown[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validator = ajv.compile(sarifSchema());
  }
  return validator(log) ? [] : [...((validator.errors as unknown[] | undefined) ?? [])];
}
