import * as vscode from 'vscode';

export type ServerHealth = 'healthy' | 'failing' | 'unknown';

export interface ServerStatus {
  readonly health: ServerHealth;
  /** A short reason, such as "APIM rejected the subscription key (401)". Never contains a secret. */
  readonly detail?: string;
  readonly at: number;
}

/** The last known status of each server, as seen by this extension's own checks. */
export class ServerStatusStore implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  readonly onDidChange = this._onDidChange.event;
  private readonly statuses = new Map<string, ServerStatus>();

  get(name: string): ServerStatus {
    return this.statuses.get(name) ?? { health: 'unknown', at: 0 };
  }

  set(name: string, health: ServerHealth, detail?: string): void {
    this.statuses.set(name, { health, detail, at: Date.now() });
    this._onDidChange.fire(name);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
