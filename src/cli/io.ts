import { escapedCharacter, inertText, TERMINAL_UNSAFE } from '../core/basics';

/** What every CLI command shares: its streams, usage errors, colour, severities and the --fail-on threshold. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTty: boolean;
  /** The folder relative paths are resolved against (and reported from); `process.cwd()` when not given. */
  readonly cwd?: string;
}

/**
 * A mistake in how the command was called: printed with the usage text, exit code 2. Known by its name, not by
 * `instanceof`: each command is a bundle of its own (scripts/build.mjs), with its own copy of this class.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function isUsageError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'UsageError' || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true);
}

const COLOURS = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;
export type Colour = keyof typeof COLOURS;

export function paint(enabled: boolean): (colour: Colour, text: string) => string {
  return (colour, text) => (enabled ? `${COLOURS[colour]}${text}${COLOURS.reset}` : text);
}

export function colourWanted(io: CliIo, noColor: boolean | undefined): boolean {
  return io.isTty && !noColor && io.env['NO_COLOR'] === undefined;
}

/**
 * JSON for a terminal or a pipeline log: JSON.stringify leaves C1, bidi and line-separator characters raw inside
 * strings; they are escaped here (`\uXXXX` is the same JSON value). The line breaks left are JSON's own formatting.
 */
export function terminalJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(new RegExp(TERMINAL_UNSAFE.source, 'g'), (c) => (c === '\n' ? c : escapedCharacter(c)))}\n`;
}

export type Threshold = 'error' | 'warning' | 'info';
const RANK: Record<string, number> = { error: 3, warning: 2, info: 1, information: 1, note: 1 };

export function parseThreshold(value: string | undefined): Threshold {
  if (value === undefined) return 'error';
  if (value === 'error' || value === 'warning' || value === 'info') return value;
  throw new UsageError(`--fail-on must be error, warning or info (got "${inertText(value)}").`);
}

/** A severity (`error`, `warning`, `info` / `information`) at or above the threshold. */
export function reaches(severity: string, threshold: Threshold): boolean {
  return (RANK[severity] ?? 0) >= RANK[threshold]!;
}

export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--format must be one of ${allowed.join(', ')} (got "${inertText(value)}").`);
}
