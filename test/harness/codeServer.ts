import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, run, spawnService, waitFor, type Spawned } from './processes';
import { toolPaths } from './tools';

export interface CodeServerOptions {
  /** .vsix files to install, in order. */
  readonly extensions: readonly string[];
  /** User settings, on top of the defaults that make an offline test run quiet and deterministic. */
  readonly userSettings?: Record<string, unknown>;
  /** Files to create in the workspace folder, by relative path. */
  readonly workspaceFiles?: Record<string, string>;
  /** Files to create in the profile folder (`<user-data>/User`) before VS Code starts, by relative path. */
  readonly userFiles?: Record<string, string>;
  /** Extra environment for the server, which the extension host inherits. */
  readonly env?: Record<string, string>;
  /** Name of the temp folder prefix, to tell runs apart. */
  readonly label?: string;
}

export interface CodeServer {
  readonly url: string;
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly logs: () => string;
  stop(): Promise<void>;
}

export const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.colorTheme': 'Default Dark Modern',
};

/**
 * Starts real VS Code (code-server, the recipe in ../shared/design/TESTING.md) with fresh user-data, extension
 * and workspace folders and the given .vsix files installed. Stop it with `stop()`, which also deletes the folders.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const tools = toolPaths();
  const root = mkdtempSync(join(tmpdir(), `apim-mcp-${options.label ?? 'vscode'}-`));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  for (const dir of [join(userDataDir, 'User'), extensionsDir, workspace]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.userSettings }, null, 2));
  const files = [
    ...Object.entries(options.userFiles ?? {}).map(([relative, content]) => [join(userDataDir, 'User', relative), content] as const),
    ...Object.entries(options.workspaceFiles ?? {}).map(([relative, content]) => [join(workspace, relative), content] as const),
  ];
  for (const [path, content] of files) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (options.extensions.length > 0) {
    await run(tools.node24, [tools.codeServerEntry, ...common, ...options.extensions.flatMap((vsix) => ['--install-extension', vsix])]);
  }
  const port = await freePort();
  let server: Spawned | undefined;
  try {
    server = spawnService(
      tools.node24,
      [tools.codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...common, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', workspace],
      { env: { ...process.env, ...options.env } },
    );
    const origin = `http://127.0.0.1:${port}`;
    const started = server;
    await waitFor('code-server to answer', 60_000, async () => {
      if (started.child.exitCode !== null) throw new Error(`code-server exited ${started.child.exitCode}:\n${started.output()}`);
      const response = await fetch(`${origin}/healthz`).catch(() => undefined);
      return response?.ok ? true : undefined;
    });
    const running = server;
    return {
      url: `${origin}/?folder=${encodeURIComponent(workspace)}`,
      root,
      userDataDir,
      extensionsDir,
      workspace,
      logs: () => running.output(),
      async stop() {
        await running.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error: unknown) {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
