import * as vscode from 'vscode';

export const EXTENSION_ID = 'apim-mcp.apim-mcp';

export interface ApimMcpApi {
  apiVersion: number;
  getServerStatus(name: string): { health: 'healthy' | 'failing' | 'unknown'; detail?: string };
  serverNames(): string[];
  listServers(): Promise<ListedServer[]>;
}

export async function activateExtension(): Promise<ApimMcpApi> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  return (await extension.activate()) as ApimMcpApi;
}

export function mcpServerId(name: string): string {
  return `${EXTENSION_ID}/${name}`;
}

/** Polls until `check` returns a value; fails with `what` after the deadline. */
export async function pollUntil<T>(what: string | (() => string), timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
}

/** Writes `apimMcp.servers` in user settings and waits until the extension has read it. */
export async function setServers(api: ApimMcpApi, servers: Record<string, unknown>[]): Promise<void> {
  await vscode.workspace.getConfiguration('apimMcp').update('servers', servers, vscode.ConfigurationTarget.Global);
  const names = servers.map((s) => String(s.name)).sort().join('|');
  await pollUntil('the extension to see the servers', 10_000, () => (api.serverNames().sort().join('|') === names ? true : undefined));
}

export async function removeAllServers(api: ApimMcpApi): Promise<void> {
  await setServers(api, []);
}

/** A server as the extension's API lists it (`listServers`, no secrets). */
export interface ListedServer {
  id: string;
  name: string;
  url: string;
  source: string;
  auth: string;
  file?: string;
  line?: number;
  keySupply?: string;
  status: string;
}
