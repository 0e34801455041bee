// Types for toolPaths.mjs (plain JavaScript so that it runs before npm ci), for the TypeScript tests.
export function pathsFile(toolsDir: string): string;
export function readToolPaths(toolsDir: string): Record<string, unknown>;
export function recordToolPaths(toolsDir: string, entries: Record<string, string>): Record<string, unknown>;
