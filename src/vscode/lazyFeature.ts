import { join } from 'node:path';
import type * as vscode from 'vscode';

/**
 * The feature bundles built next to extension.js (scripts/bundles.mjs). Activation registers command stubs only; a
 * bundle is required the first time its feature is used, so starting VS Code never parses the wizard, Add from Azure,
 * the diagnostics panel, the policy linter, the config lint or the config commands.
 */
export const FEATURE_CHUNKS = ['wizard', 'azure', 'panel', 'policy', 'configLint', 'configCommands', 'entra'] as const;
export type FeatureChunk = (typeof FEATURE_CHUNKS)[number];

/** Requires one feature bundle (Node caches it: a second call returns the same module). */
export function requireChunk<T>(chunk: FeatureChunk): T {
  // A computed path, so esbuild leaves this require alone and the chunk stays out of extension.js.
  return require(join(__dirname, `${chunk}.js`)) as T;
}

/**
 * One feature, made on first use and then shared: every command of the feature gets the same instance, built from
 * the core services handed to `make` (the registry, the key store, the status store...), never from copies of its own.
 */
export class LazyFeature<T extends object> implements vscode.Disposable {
  private instance: Promise<T> | undefined;
  private made: T | undefined;
  private disposed = false;

  constructor(
    private readonly label: string,
    private readonly log: Pick<vscode.LogOutputChannel, 'info'>,
    private readonly make: () => T | Promise<T>,
  ) {}

  /** The feature, loading its bundle the first time. A load that failed is tried again on the next use. */
  get(): Promise<T> {
    this.instance ??= this.load().catch((error: unknown) => {
      this.instance = undefined;
      throw error;
    });
    return this.instance;
  }

  /** The feature if it has been loaded, without loading it. */
  get loaded(): T | undefined {
    return this.made;
  }

  dispose(): void {
    this.disposed = true;
    disposeOf(this.made);
  }

  private async load(): Promise<T> {
    const started = performance.now();
    const made = await this.make();
    if (this.disposed) {
      disposeOf(made);
      throw new Error(`${this.label} was loaded after the extension was deactivated`);
    }
    this.made = made;
    this.log.info(`[lazy] ${this.label} loaded in ${Math.round(performance.now() - started)} ms`);
    return made;
  }
}

/** A feature that holds resources (listeners, panels, watchers) has a dispose(); one made of handlers only has none. */
function disposeOf(feature: object | undefined): void {
  (feature as Partial<vscode.Disposable> | undefined)?.dispose?.();
}
