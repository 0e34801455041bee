/** What every CLI command shares: its streams, usage errors, colour, severities and the --fail-on threshold. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTty: boolean;
  /** The folder relative paths are resolved against (and reported from); `process.cwd()` when not given. */
  readonly cwd?: string;
}

/** A mistake in how the command was called: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

const COLOURS = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;
export type Colour = keyof typeof COLOURS;

export function paint(enabled: boolean): (colour: Colour, text: string) => string {
  return (colour, text) => (enabled ? `${COLOURS[colour]}${text}${COLOURS.reset}` : text);
}

export function colourWanted(io: CliIo, noColor: boolean | undefined): boolean {
  return io.isTty && !noColor && io.env['NO_COLOR'] === undefined;
}

/** C0/C1 controls (ESC included), DEL and bidi overrides: what could move the cursor or recolour a terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a file or a server, made inert for a terminal: control characters become `\u00XX`, line breaks `\n`
 * (one finding stays one line). Our own colour codes are added after this.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\r?\n|\r/g, '\\n').replace(/\t/g, ' ').replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type Threshold = 'error' | 'warning' | 'info';
const RANK: Record<string, number> = { error: 3, warning: 2, info: 1, information: 1, note: 1 };

export function parseThreshold(value: string | undefined): Threshold {
  if (value === undefined) return 'error';
  if (value === 'error' || value === 'warning' || value === 'info') return value;
  throw new UsageError(`--fail-on must be error, warning or info (got "${terminalSafe(value)}").`);
}

/** A severity (`error`, `warning`, `info` / `information`) at or above the threshold. */
export function reaches(severity: string, threshold: Threshold): boolean {
  return (RANK[severity] ?? 0) >= RANK[threshold]!;
}

export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--format must be one of ${allowed.join(', ')} (got "${terminalSafe(value)}").`);
}
