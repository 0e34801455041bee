import * as path from 'node:path';

/**
 * The five places an APIM MCP server can be written to, and what each one can hold
 * (ARCHITECTURE.md "Config targets and why"; research/vscode-mcp-platform.md §1, §5).
 */
export type ConfigTargetKind = 'extension' | 'workspaceMcpJson' | 'userMcpJson' | 'rootDotMcpJson' | 'copilotCli';

/** `vscodeMcpJson`: `{servers, inputs}`. `mcpServers`: the portable Copilot format, env var references only. */
export type ConfigFileFormat = 'vscodeMcpJson' | 'mcpServers';

/** Where a subscription key lives for this target. */
export type KeyHandling = 'secretStorage' | 'passwordInput' | 'envVar';

export interface ConfigTarget {
  readonly kind: ConfigTargetKind;
  /** Undefined for the extension-managed target, which is the `apimMcp.servers` setting, not a file. */
  readonly format?: ConfigFileFormat;
  readonly keyHandling: KeyHandling;
  /** Whether the file belongs to a workspace (needs workspace trust before writing). */
  readonly workspaceScoped: boolean;
  /** Indentation for a file this extension creates; existing files keep their own. */
  readonly newFileIndent: string;
  /** Entries get `"tools": ["*"]` (Copilot CLI's own writer adds it; Claude Code rejects it in `.mcp.json`). */
  readonly toolsAllowList?: boolean;
}

export const CONFIG_TARGETS: Readonly<Record<ConfigTargetKind, ConfigTarget>> = {
  extension: { kind: 'extension', keyHandling: 'secretStorage', workspaceScoped: false, newFileIndent: '\t' },
  // VS Code writes its own mcp.json files with tabs.
  workspaceMcpJson: { kind: 'workspaceMcpJson', format: 'vscodeMcpJson', keyHandling: 'passwordInput', workspaceScoped: true, newFileIndent: '\t' },
  userMcpJson: { kind: 'userMcpJson', format: 'vscodeMcpJson', keyHandling: 'passwordInput', workspaceScoped: false, newFileIndent: '\t' },
  rootDotMcpJson: { kind: 'rootDotMcpJson', format: 'mcpServers', keyHandling: 'envVar', workspaceScoped: true, newFileIndent: '  ' },
  copilotCli: { kind: 'copilotCli', format: 'mcpServers', keyHandling: 'envVar', workspaceScoped: false, newFileIndent: '  ', toolsAllowList: true },
};

/** Every target, in the order people see them (the wizard's choices, the Servers view's groups). */
export const TARGET_KINDS: readonly ConfigTargetKind[] = ['extension', 'workspaceMcpJson', 'userMcpJson', 'rootDotMcpJson', 'copilotCli'];

export function isConfigTargetKind(value: unknown): value is ConfigTargetKind {
  return typeof value === 'string' && (TARGET_KINDS as readonly string[]).includes(value);
}

/** The top-level key that holds the servers in a file of this format. */
export function serversKey(format: ConfigFileFormat): 'servers' | 'mcpServers' {
  return format === 'vscodeMcpJson' ? 'servers' : 'mcpServers';
}

export interface TargetLocations {
  /** Filesystem path of the workspace folder the server is for (workspace targets). */
  readonly workspaceFolder?: string;
  /**
   * The VS Code user profile folder that holds `mcp.json` (`<User>/` or `<User>/profiles/<id>/`).
   * The adapter derives it from `context.globalStorageUri` (its grandparent), see research §1.1.
   */
  readonly userProfileFolder?: string;
  readonly homeDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `path.win32` or `path.posix`; defaults to the host's. */
  readonly pathApi?: path.PlatformPath;
}

/** `$COPILOT_HOME/mcp-config.json`, or `~/.copilot/mcp-config.json` when COPILOT_HOME is unset or blank. */
export function copilotConfigPath(homeDir: string, env: Readonly<Record<string, string | undefined>>, pathApi: path.PlatformPath = path): string {
  const copilotHome = env.COPILOT_HOME?.trim();
  return pathApi.join(copilotHome ? copilotHome : pathApi.join(homeDir, '.copilot'), 'mcp-config.json');
}

/** The file a target writes to, or undefined when the target is the setting or its location is not known here. */
export function targetFilePath(kind: ConfigTargetKind, where: TargetLocations): string | undefined {
  const p = where.pathApi ?? path;
  switch (kind) {
    case 'extension':
      return undefined;
    case 'workspaceMcpJson':
      return where.workspaceFolder ? p.join(where.workspaceFolder, '.vscode', 'mcp.json') : undefined;
    case 'userMcpJson':
      return where.userProfileFolder ? p.join(where.userProfileFolder, 'mcp.json') : undefined;
    case 'rootDotMcpJson':
      return where.workspaceFolder ? p.join(where.workspaceFolder, '.mcp.json') : undefined;
    case 'copilotCli':
      return copilotConfigPath(where.homeDir, where.env, p);
  }
}

/**
 * The VS Code user profile folder (`<User>/` or `<User>/profiles/<id>/`) from the extension's global storage, which is
 * `<profile>/globalStorage/<extension id>` (research/vscode-mcp-platform.md §1.1). Only a `file` location is a folder
 * this extension can read and write; in any other scheme the user `mcp.json` is not reachable, so there is none.
 */
export function userProfileFolderOf(globalStorage: { readonly scheme: string; readonly fsPath: string }, pathApi: path.PlatformPath = path): string | undefined {
  return globalStorage.scheme === 'file' ? pathApi.dirname(pathApi.dirname(globalStorage.fsPath)) : undefined;
}

/** Where the extension runs, which decides the collection VS Code lists a file's servers in. */
export interface ServerIdContext {
  /** Index of the workspace folder that holds the workspace files. */
  readonly folderIndex: number;
  /**
   * The extension host runs on a remote (`vscode.env.remoteName` is set: SSH, WSL, code-server). The user mcp.json it
   * writes is then the remote user's, which VS Code 1.139 lists as `mcp.config.usrremote.<name>` under the host's name
   * (seen in code-server's MCP: List Servers); a local one is `mcp.config.usrlocal.<name>`.
   */
  readonly remoteExtensionHost: boolean;
}

/** VS Code's id for a server from a config file (research §2.5; `mcp.config.<configPathId>.<name>` in 1.139). */
export function vsCodeServerId(target: ConfigTargetKind, name: string, where: ServerIdContext): string | undefined {
  const { folderIndex } = where;
  switch (target) {
    case 'userMcpJson':
      return `mcp.config.${where.remoteExtensionHost ? 'usrremote' : 'usrlocal'}.${name}`;
    case 'workspaceMcpJson':
      return `mcp.config.ws${folderIndex}.${name}`;
    case 'rootDotMcpJson':
      return `workspace-dot-mcp.${folderIndex}.${name}`;
    default:
      return undefined;
  }
}

/** Recognises an MCP config file by path, for the plaintext-key lint over every config source. */
export function formatForPath(filePath: string): ConfigFileFormat | undefined {
  const normal = filePath.replace(/\\/g, '/');
  const base = normal.slice(normal.lastIndexOf('/') + 1);
  if (base === '.mcp.json' || base === 'mcp-config.json') return 'mcpServers';
  if (base === 'mcp.json') return 'vscodeMcpJson';
  return undefined;
}
