import * as vscode from 'vscode';
import type { ServerRecord } from '../core/serverRecord';
import type { ServerRegistry } from './serverRegistry';

/**
 * What a server command is given: a Servers view node (`{ server: { name } }`), a server name (from code), or nothing
 * (the palette). Commands can be run with anything, so the shape is checked, never assumed.
 */
export type ServerArg = { readonly server?: { readonly name?: unknown } } | string | undefined;

/** The server name the argument carries, if it carries one. */
export function serverNameOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg !== 'object' || arg === null || !('server' in arg)) return undefined;
  const server: unknown = arg.server;
  if (typeof server !== 'object' || server === null || !('name' in server)) return undefined;
  return typeof server.name === 'string' ? server.name : undefined;
}

/**
 * The extension-managed server a command acts on. A name that is not configured is reported; with no argument
 * the only candidate is taken, or the user picks one, and `noneMessage` is shown when there is none.
 */
export async function pickServer(
  registry: ServerRegistry,
  arg: ServerArg,
  filter: (server: ServerRecord) => boolean,
  noneMessage: string,
): Promise<ServerRecord | undefined> {
  const name = serverNameOf(arg);
  if (name !== undefined) {
    // Looked up again, so a node from another config source never stands in for an extension-managed server.
    const server = registry.find(name);
    if (!server) void vscode.window.showErrorMessage(vscode.l10n.t('APIM MCP: there is no server named "{0}" in apimMcp.servers.', name));
    return server;
  }
  const candidates = registry.servers.filter(filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(noneMessage);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((server) => ({ label: server.name, description: server.url, server })),
    { title: vscode.l10n.t('Choose a server'), ignoreFocusOut: true },
  );
  return picked?.server;
}
