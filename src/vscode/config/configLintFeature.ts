/**
 * Entry of dist/configLint.js: the plaintext-key lint of MCP config files and its quick fix. It is loaded just after
 * activation (registerConfigFeatures.ts), off the activation path, and then scans every config source once.
 */
import type * as vscode from 'vscode';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { PlaintextKeyDiagnostics } from './plaintextKeyDiagnostics';
import type { TargetLocator } from './targetLocations';

export interface ConfigLintDeps {
  readonly locator: TargetLocator;
  readonly fs: ConfigFileSystem;
  readonly keys: SubscriptionKeyStore;
  readonly log: vscode.LogOutputChannel;
  /** The key header names of the servers configured now (they change as servers are added). */
  readonly keyHeaderNames: () => readonly string[];
}

export function createConfigLint(deps: ConfigLintDeps): PlaintextKeyDiagnostics {
  const lint = new PlaintextKeyDiagnostics(deps.locator, deps.fs, deps.keys, deps.log, deps.keyHeaderNames);
  void lint.scanAll();
  return lint;
}
