import * as vscode from 'vscode';

const START_ATTEMPTS = 3;

/** The provider's signal that VS Code acted on a start: it asked to resolve the server. */
export interface ResolveWatch {
  waitForResolve(name: string, timeoutMs: number): Promise<boolean>;
}

/**
 * Asks VS Code's MCP client to start a provider-defined server, and asks again when VS Code did not act on it (no
 * resolve call within a growing wait). VS Code drops a start that races a definition change or a stop, which happens
 * right after a server was added, its key changed or its token was renewed. False when no attempt was acted on.
 */
export async function startUntilResolved(provider: ResolveWatch, id: string, name: string, log: vscode.LogOutputChannel, operation: string): Promise<boolean> {
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    log.info(`[${operation}] ${name}: asking VS Code to start ${id} (attempt ${attempt})`);
    const resolved = provider.waitForResolve(name, 1500 * attempt);
    await vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true });
    if (await resolved) return true;
  }
  return false;
}
