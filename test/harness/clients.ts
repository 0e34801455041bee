import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editConfigFile } from '../../src/core/config/safeWrite';
import { createNodeConfigFileSystem } from '../../src/core/config/nodeConfigFileSystem';
import { addServer } from '../../src/core/config/configEditor';
import type { ServerDescription } from '../../src/core/config/serverEntries';
import { CONFIG_TARGETS, type ConfigTargetKind } from '../../src/core/config/targets';
import { parseServerRecord } from '../../src/core/serverRecord';
import { TOOLS_DIR } from './tools';

export interface InstalledClient {
  readonly version: string;
  /** The program to run (a native binary, or a Node script for the Inspector). */
  readonly path: string;
}

export interface ClientPaths {
  readonly claudeCode: InstalledClient;
  readonly copilotCli: InstalledClient;
  readonly inspector: InstalledClient;
}

/** The clients scripts/setup-clients.mjs installed; fails loudly (never skips) when they are not there. */
export function clientPaths(): ClientPaths {
  const file = join(TOOLS_DIR, 'clients.json');
  if (!existsSync(file)) throw new Error(`The MCP clients are not installed (${file} is missing). Run: npm run setup-clients`);
  const paths = JSON.parse(readFileSync(file, 'utf8')) as ClientPaths;
  for (const [name, client] of Object.entries(paths)) {
    if (!existsSync(client.path)) throw new Error(`${name} is missing at ${client.path}. Run: npm run setup-clients`);
  }
  return paths;
}

export interface ClientRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a client to completion in its own process group, killed by group id when it outlives `timeoutMs`.
 * The environment is exactly `env`: nothing from the test runner leaks in (no proxy, no stray APIM_MCP_KEY_*).
 */
export function runClient(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A minimal environment for a client: its own HOME, the system PATH, and what the test adds. */
export function clientEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `apim-mcp-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 5 }) };
}

/** A server as the Add Server wizard hands it to the writers, built through the real setting parser. */
export function serverDescription(raw: Record<string, unknown> & { name: string; url: string; prmValid?: boolean }): ServerDescription {
  const { prmValid = false, ...entry } = raw;
  const parsed = parseServerRecord(entry);
  if (!parsed.ok) throw new Error(parsed.error);
  return { ...parsed.value, prmValid };
}

/** Writes the server to `file` with the extension's own writer, exactly as the wizard does for `target`. */
export async function writeWithExtension(file: string, target: Exclude<ConfigTargetKind, 'extension'>, desc: ServerDescription, options: { replace?: boolean } = {}): Promise<string> {
  const t = CONFIG_TARGETS[target];
  const result = await editConfigFile(createNodeConfigFileSystem(), file, (text) =>
    addServer(text, t.format!, desc, { newFileIndent: t.newFileIndent, toolsAllowList: t.toolsAllowList, replace: options.replace }),
  );
  if (!result.ok) throw new Error(`the writer refused ${file}: ${JSON.stringify(result.error)}`);
  return readFileSync(file, 'utf8');
}
