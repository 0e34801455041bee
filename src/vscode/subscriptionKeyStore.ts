import * as vscode from 'vscode';
import { Secret } from '../core/secret';
import type { ServerRecord } from '../core/serverRecord';

export type KeyLookup =
  | { kind: 'found'; key: Secret }
  | { kind: 'missing' }
  /** A key exists but was stored for another origin: the config now points elsewhere, so it is not sent. */
  | { kind: 'originMismatch'; storedOrigin: string };

interface StoredKey {
  readonly origin: string;
  readonly value: string;
}

/** Subscription keys in SecretStorage, each bound to the origin it was entered for. */
export class SubscriptionKeyStore {
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  /** Fires with the server name whose key was stored or deleted. */
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  private static storageKey(serverName: string): string {
    return `apimMcp.subscriptionKey:${serverName}`;
  }

  async get(server: ServerRecord): Promise<KeyLookup> {
    const raw = await this.secrets.get(SubscriptionKeyStore.storageKey(server.name));
    if (!raw) return { kind: 'missing' };
    let stored: StoredKey;
    try {
      stored = JSON.parse(raw) as StoredKey;
    } catch {
      return { kind: 'missing' };
    }
    if (typeof stored.value !== 'string' || typeof stored.origin !== 'string') return { kind: 'missing' };
    if (stored.origin !== server.origin) return { kind: 'originMismatch', storedOrigin: stored.origin };
    return { kind: 'found', key: Secret.of(stored.value) };
  }

  async set(server: ServerRecord, key: Secret): Promise<void> {
    const stored: StoredKey = { origin: server.origin, value: key.reveal() };
    await this.secrets.store(SubscriptionKeyStore.storageKey(server.name), JSON.stringify(stored));
    this._onDidChange.fire(server.name);
  }

  async delete(serverName: string): Promise<void> {
    await this.secrets.delete(SubscriptionKeyStore.storageKey(serverName));
    this._onDidChange.fire(serverName);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
