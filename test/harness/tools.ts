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

/** The cached Node 24, code-server and Chromium; fails loudly (never skips) when they are not installed. */
export function toolPaths(): ToolPaths {
  const file = join(TOOLS_DIR, 'paths.json');
  if (!existsSync(file)) {
    throw new Error(`The real-VS-Code tools are not installed (${file} is missing). Run: npm run setup-tools`);
  }
  const paths = JSON.parse(readFileSync(file, 'utf8')) as ToolPaths;
  for (const [name, path] of Object.entries(paths)) {
    if (name !== 'codeServerVersion' && !existsSync(path)) {
      throw new Error(`${name} is missing at ${path}. Run: npm run setup-tools`);
    }
  }
  return paths;
}
