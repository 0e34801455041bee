import * as vscode from 'vscode';

/**
 * What is known about a server in this window. `healthy`: VS Code started it and the gateway accepted its
 * credentials. `failing`: a check with the real credentials failed. `unknown`: not started or checked in this window.
 * `vscode`: a server VS Code runs from its own mcp.json, with a key only VS Code holds; its state is VS Code's.
 */
export type ServerHealth = 'healthy' | 'failing' | 'unknown' | 'vscode';

export interface ServerStatus {
  readonly health: ServerHealth;
  /** A short reason, such as "APIM rejected the subscription key (401)". Never contains a secret. */
  readonly detail?: string;
  readonly at: number;
}

interface NamedStatus extends ServerStatus {
  readonly name: string;
}

const UNKNOWN: ServerStatus = { health: 'unknown', at: 0 };

/**
 * The statuses this window has observed, and nothing older: it lives in memory, so a reload starts from "not started",
 * as VS Code's own list does. Three sources: the provider's resolve calls (extension-managed servers, by name), starts
 * of file servers that VS Code's tool list confirmed (by entry id), and diagnoses run with the real credentials.
 */
export class ServerStatusStore implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  readonly onDidChange = this._onDidChange.event;
  private readonly statuses = new Map<string, ServerStatus>();
  private readonly fileStarts = new Map<string, NamedStatus>();
  private readonly diagnoses = new Map<string, NamedStatus>();

  /** An extension-managed server, as the provider last saw it. */
  get(name: string): ServerStatus {
    return this.statuses.get(name) ?? UNKNOWN;
  }

  set(name: string, health: ServerHealth, detail?: string): void {
    this.statuses.set(name, { health, detail, at: Date.now() });
    this._onDidChange.fire(name);
  }

  /** A file server whose start VS Code's tool list confirmed. */
  fileStart(entryId: string): ServerStatus | undefined {
    return this.fileStarts.get(entryId);
  }

  setFileStarted(entryId: string, name: string, tools: number): void {
    const detail = vscode.l10n.t('VS Code started it and listed {0} tool(s).', tools);
    this.fileStarts.set(entryId, { name, health: 'healthy', detail, at: Date.now() });
    this._onDidChange.fire(name);
  }

  /** The last diagnosis run with the server's credentials. A run without them is no status. */
  diagnosis(entryId: string): ServerStatus | undefined {
    return this.diagnoses.get(entryId);
  }

  setDiagnosed(entryId: string, name: string, health: 'healthy' | 'failing', detail?: string): void {
    this.diagnoses.set(entryId, { name, health, detail, at: Date.now() });
    this._onDidChange.fire(name);
  }

  /** Forgets what was observed about a server (its secrets were forgotten, or it was removed). */
  forget(name: string): void {
    this.statuses.delete(name);
    for (const map of [this.fileStarts, this.diagnoses]) for (const [id, status] of map) if (status.name === name) map.delete(id);
    this._onDidChange.fire(name);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
