import * as vscode from 'vscode';
import { errorMessage } from '../../core/basics';
import type { ServerEntry } from '../../core/config/configEntries';
import { CONFIG_TARGETS, vsCodeServerId, type ConfigTargetKind } from '../../core/config/targets';
import { usesSubscriptionKey } from '../../core/serverRecord';
import type { ServerStatusStore } from '../serverStatus';

/** How long VS Code's tool list may take to show a started server's tools after the start command returned. */
const TOOLS_WAIT_MS = 5_000;
const POLL_MS = 200;

/**
 * VS Code's id for a server in one of the files VS Code starts servers from (user and workspace mcp.json, root
 * `.mcp.json`), in this window; undefined for files VS Code does not read (the Copilot CLI config).
 */
export function vsCodeIdOf(kind: ConfigTargetKind, name: string, folderIndex = 0): string | undefined {
  return vsCodeServerId(kind, name, { folderIndex, remoteExtensionHost: vscode.env.remoteName !== undefined });
}

/** The MCP tools in VS Code's tool list: VS Code tags each tool an MCP server gives it with "mcp". */
function mcpToolNames(): Set<string> {
  return new Set(vscode.lm.tools.filter((tool) => tool.tags.includes('mcp')).map((tool) => tool.name));
}

export interface ObservedStart {
  /** Tools VS Code's tool list gained during the start: more than none means VS Code started the server and listed its tools. */
  readonly toolsAdded: number;
}

/**
 * Asks VS Code to start a server from one of its own config files, and reads the outcome from VS Code's state. The
 * start command returns nothing, whether the server started, failed, or the person cancelled VS Code's key prompt;
 * VS Code's tool list is the state an extension can read. A server VS Code ran before keeps its tools listed after it
 * stops, so only tools that were not listed before count as this start.
 */
export async function startInVsCodeAndObserve(id: string, log: vscode.LogOutputChannel): Promise<ObservedStart> {
  const before = mcpToolNames();
  const added = () => [...mcpToolNames()].filter((name) => !before.has(name)).length;
  log.info(`[start] asking VS Code to start ${id}`);
  try {
    await vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true });
  } catch (error: unknown) {
    log.warn(`[start] VS Code did not start ${id}: ${errorMessage(error)}`);
  }
  const deadline = Date.now() + TOOLS_WAIT_MS;
  while (added() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  const toolsAdded = added();
  log.info(`[start] ${id}: VS Code's tool list gained ${toolsAdded} tool(s)`);
  return { toolsAdded };
}

/** The entry of a Servers view row for a server from a file (`{ kind: 'fileServer', entry }`), if `arg` is one. */
export function fileEntryOf(arg: unknown): ServerEntry | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = arg as { kind?: unknown; entry?: unknown };
  return node.kind === 'fileServer' && typeof node.entry === 'object' && node.entry !== null ? (node.entry as ServerEntry) : undefined;
}

/** VS Code's id for a file entry in this window, from the workspace folder that holds its file. */
export function vsCodeIdOfEntry(entry: ServerEntry): string | undefined {
  const folder = entry.file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(entry.file)) : undefined;
  return vsCodeIdOf(entry.source, entry.name, folder?.index ?? 0);
}

/**
 * Start on a row from a file VS Code reads: VS Code's own start command, which asks for an mcp.json's key itself
 * (said once, in the progress message, before VS Code's prompt shows), and the outcome from VS Code's tool list.
 */
export async function startFileEntry(entry: ServerEntry, status: ServerStatusStore, log: vscode.LogOutputChannel): Promise<boolean> {
  const id = vsCodeIdOfEntry(entry);
  if (!id) {
    void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: VS Code does not start servers from the Copilot CLI config; the Copilot CLI does.'));
    return false;
  }
  const keyInVsCode = CONFIG_TARGETS[entry.source].keyHandling === 'passwordInput' && usesSubscriptionKey(entry.auth) && entry.keySupply === 'input';
  const title = keyInVsCode
    ? vscode.l10n.t('Starting {0} in VS Code. VS Code keeps its key in its own secret storage and asks for it now if it has none.', entry.name)
    : vscode.l10n.t('Starting {0} in VS Code…', entry.name);
  const started = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => startInVsCodeAndObserve(id, log));
  if (started.toolsAdded > 0) {
    status.setFileStarted(entry.id, entry.name, started.toolsAdded);
    void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: {0} is running in VS Code with {1} tool(s).', entry.name, started.toolsAdded));
    return true;
  }
  const list = vscode.l10n.t('MCP: List Servers');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('APIM MCP: VS Code was asked to start {0}, but its tool list did not change: it did not start, or it ran before and kept its tools listed. MCP: List Servers shows its state.', entry.name),
    list,
  );
  if (choice === list) await vscode.commands.executeCommand('workbench.mcp.listServer');
  return false;
}
