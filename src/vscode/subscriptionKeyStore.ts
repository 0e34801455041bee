import * as vscode from 'vscode';
import { Secret } from '../core/secret';
import { decodeBoundSecret, encodeBoundSecret, subscriptionKeySecretId, type BoundSecretLookup } from '../core/secrets/secretBinding';
import type { ServerRecord } from '../core/serverRecord';

export type KeyLookup =
  | { kind: 'found'; key: Secret }
  | { kind: 'missing' }
  /** A key exists but was stored for another origin: the config now points elsewhere, so it is not sent. */
  | { kind: 'originMismatch'; storedOrigin: string };

/** Subscription keys in SecretStorage, each bound to the origin it was entered for (core/secrets/secretBinding). */
export class SubscriptionKeyStore {
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  /** Fires with the server name whose key was stored or deleted. */
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The id used before keys were bound with `secretBinding`; read once and moved to the new id. */
  private static legacyId(serverName: string): string {
    return `apimMcp.subscriptionKey:${serverName}`;
  }

  async get(server: ServerRecord): Promise<KeyLookup> {
    const result = await this.lookup(server.name, server.origin);
    if (result.kind === 'found') return { kind: 'found', key: result.secret };
    if (result.kind === 'originMismatch') return { kind: 'originMismatch', storedOrigin: result.storedFor };
    return { kind: 'missing' };
  }

  /** The key for `serverName`, released only to `origin`. */
  async lookup(serverName: string, origin: string): Promise<BoundSecretLookup> {
    return decodeBoundSecret(await this.stored(serverName), origin);
  }

  async set(server: Pick<ServerRecord, 'name' | 'origin'>, key: Secret): Promise<void> {
    await this.secrets.store(subscriptionKeySecretId(server.name), encodeBoundSecret(server.origin, key));
    await this.secrets.delete(SubscriptionKeyStore.legacyId(server.name));
    this._onDidChange.fire(server.name);
  }

  async has(serverName: string): Promise<boolean> {
    return (await this.stored(serverName)) !== undefined;
  }

  async delete(serverName: string): Promise<void> {
    await this.secrets.delete(subscriptionKeySecretId(serverName));
    await this.secrets.delete(SubscriptionKeyStore.legacyId(serverName));
    this._onDidChange.fire(serverName);
  }

  private async stored(serverName: string): Promise<string | undefined> {
    const current = await this.secrets.get(subscriptionKeySecretId(serverName));
    if (current) return current;
    const legacy = await this.secrets.get(SubscriptionKeyStore.legacyId(serverName));
    if (!legacy) return undefined;
    try {
      const old = JSON.parse(legacy) as { origin?: unknown; value?: unknown };
      if (typeof old.origin !== 'string' || typeof old.value !== 'string' || !old.value) return undefined;
      const migrated = encodeBoundSecret(old.origin, Secret.of(old.value));
      await this.secrets.store(subscriptionKeySecretId(serverName), migrated);
      await this.secrets.delete(SubscriptionKeyStore.legacyId(serverName));
      return migrated;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
