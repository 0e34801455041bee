// Types for npmTool.mjs (plain JavaScript so that it runs before npm ci), for the TypeScript tests.
export const KEPT_NPM_CONFIG: RegExp;
export function cleanNpmEnv(env: NodeJS.ProcessEnv, options?: { pathFirst?: string }): Record<string, string>;
export function npmPhase(logText: string): string;
export function describeNpmFailure(logText: string, context: { spec: string; toolsDir: string; exitCode: number; retry?: string }): { cause: string; fix: string };
export function lastLines(text: string, count: number): string;
export class ToolInstallError extends Error {
  constructor(reason: string, fix: string, logFile: string, log: string);
  readonly reason: string;
  readonly fix: string;
  readonly logFile: string;
  readonly logTail: string;
  reportLines(): string[];
}
export interface InstallNpmToolOptions {
  toolsDir: string;
  folder: string;
  spec: string;
  what: string;
  name?: string;
  entry: string;
  estimateSeconds?: number;
  allowScripts?: readonly string[];
  pathFirst?: string;
  env?: Record<string, string>;
  prefix?: string;
  heartbeatSeconds?: number;
  print?: (line: string) => void;
}
export function installNpmTool(options: InstallNpmToolOptions): Promise<{ cached: boolean; dir: string; seconds: number }>;
