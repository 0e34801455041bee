import * as vscode from 'vscode';
import { errorMessage } from '../../core/basics';
import { waitForEvent } from '../events';

/** The mcp.json files VS Code itself reads: the user profile's and the workspace folder's. */
export type VsCodeMcpJsonKind = 'userMcpJson' | 'workspaceMcpJson';

/** What VS Code's configuration must hold once it has read a file this extension wrote. */
export interface ExpectedInputs {
  /** Input ids the file has now. */
  readonly present: readonly string[];
  /** Input ids the write took out. */
  readonly removed: readonly string[];
}

/** How long a watcher usually takes to bring a change in; after that, VS Code is asked to re-read. */
const WATCHER_WAIT_MS = 2_000;
const REREAD_WAIT_MS = 5_000;
/**
 * The key of the empty write that makes VS Code re-read its configuration files: removing a key the file does not
 * have edits nothing, and VS Code re-reads the whole user (or workspace) configuration after every write through
 * its configuration API.
 */
const REREAD_KEY = 'apimMcpReread';

/**
 * VS Code reads an mcp.json twice: its MCP service lists the servers, and its configuration service keeps the file's
 * `inputs`, from which it resolves `${input:…}` when a server starts (configurationResolverService `resolveInputs`).
 * The configuration service learns about changes from its file watcher. In VS Code for the Browser served by
 * code-server that watcher never matches the user profile's files: the profile's URIs carry no authority
 * (`vscode-remote:///…/User/mcp.json`) while the server reports changes as `vscode-remote://<host:port>/…`. The server
 * then appears in MCP: List Servers but starting it fails with "Undefined input variable" until a window reload.
 *
 * So after a write, this waits until VS Code's configuration holds the inputs the file now has; if the watcher did not
 * bring them in, it asks VS Code to re-read (an empty write through its configuration API, which changes no byte) and
 * waits again. Resolves false when VS Code still has not read the file.
 */
export async function whenVsCodeHasRead(kind: VsCodeMcpJsonKind, expected: ExpectedInputs, log: vscode.LogOutputChannel, folder?: vscode.WorkspaceFolder): Promise<boolean> {
  const scope = folder?.uri;
  const held = () => {
    const inspected = vscode.workspace.getConfiguration('mcp', scope).inspect<unknown>('inputs');
    const value = kind === 'userMcpJson' ? inspected?.globalValue : (inspected?.workspaceFolderValue ?? inspected?.workspaceValue);
    return inputIdsOf(value);
  };
  const isRead = () => {
    const ids = held();
    return expected.present.every((id) => ids.has(id)) && !expected.removed.some((id) => ids.has(id));
  };
  const changed = vscode.workspace.onDidChangeConfiguration;
  if (await waitForEvent(changed, isRead, WATCHER_WAIT_MS)) return true;
  log.info(`[config] VS Code has not read the new ${kind} yet; asking it to re-read the file`);
  const target = kind === 'userMcpJson' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.WorkspaceFolder;
  try {
    await vscode.workspace.getConfiguration('mcp', scope).update(REREAD_KEY, undefined, target);
  } catch (error: unknown) {
    // A file with unsaved edits in an editor, or one VS Code cannot parse, refuses the write: report what is known.
    log.warn(`[config] VS Code could not re-read ${kind}: ${errorMessage(error)}`);
  }
  const read = await waitForEvent(changed, isRead, REREAD_WAIT_MS);
  if (!read) log.warn(`[config] VS Code still holds old inputs for ${kind}`);
  return read;
}

function inputIdsOf(value: unknown): Set<string> {
  if (!Array.isArray(value)) return new Set();
  return new Set(value.map((i) => (i as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string'));
}
