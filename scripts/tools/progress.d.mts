// Types for progress.mjs (plain JavaScript so that it runs before npm ci), for the TypeScript tests.
export function formatDuration(seconds: number): string;
export function heartbeatLine(options: { what: string; elapsedSeconds: number; estimateSeconds?: number; phase?: string }): string;
export interface RunWithProgressOptions {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  what: string;
  name?: string;
  estimateSeconds?: number;
  logFile?: string;
  phaseOf?: (log: string) => string | undefined;
  prefix?: string;
  heartbeatSeconds?: number;
  print?: (line: string) => void;
}
export function runWithProgress(options: RunWithProgressOptions): Promise<{ code: number; seconds: number; error?: Error }>;
