import type * as vscode from 'vscode';

/**
 * Resolves true as soon as `condition` holds, checked now and after each event; after the timeout, resolves with
 * a last check of the condition.
 */
export function waitForEvent<T>(event: vscode.Event<T>, condition: () => boolean, timeoutMs: number): Promise<boolean> {
  if (condition()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(condition());
    }, timeoutMs);
    const listener = event(() => {
      if (!condition()) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(true);
    });
  });
}
