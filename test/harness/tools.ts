import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ToolPaths {
  readonly node24: string;
  readonly codeServerEntry: string;
  readonly codeServerVersion: string;
  readonly chromium: string;
}

export const TOOLS_DIR = process.env.APIM_MCP_TOOLS_DIR ?? join(homedir(), '.cache', 'apim-mcp-tools');

const FIX = 'Run: npm run setup-tools (npm start and npm test run it for you)';
const KEYS = ['node24', 'codeServerEntry', 'codeServerVersion', 'chromium'] as const;

/**
 * The cached Node 24, code-server and Chromium, from the paths.json scripts/setup-tools.sh writes; fails loudly
 * (never skips) when they are not installed. Other installers add their own keys to the same file, so only the
 * keys read here are checked.
 */
export function toolPaths(): ToolPaths {
  const file = join(TOOLS_DIR, 'paths.json');
  if (!existsSync(file)) throw new Error(`The real-VS-Code tools are not installed (${file} is missing). ${FIX}`);
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error: unknown) {
    throw new Error(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). ${FIX}`);
  }
  for (const key of KEYS) {
    const value = record[key];
    if (typeof value !== 'string' || value === '') throw new Error(`${file} has no "${key}". ${FIX}`);
    if (key !== 'codeServerVersion' && !existsSync(value)) throw new Error(`${key} is missing at ${value}. ${FIX}`);
  }
  return record as unknown as ToolPaths;
}
