import * as vscode from 'vscode';
import type { ServerStatusStore } from './serverStatus';

/** The Getting Started walkthrough's steps, as package.json names them. */
export type WalkthroughStep = 'addServer' | 'setKey' | 'start' | 'diagnose' | 'policies';

/** The context key a step's `onContext:` completion event waits for (package.json, contributes.walkthroughs). */
export function walkthroughContextKey(step: WalkthroughStep): string {
  return `apimMcp.walkthrough.${step}Done`;
}

/**
 * Ticks a walkthrough step because its action succeeded, wherever it was started from (the step's button, the
 * palette, the Servers view): a cancelled wizard or prompt never gets here (issue 18.7). VS Code keeps a step
 * ticked once its completion event has fired, so a session-only context key is enough.
 */
export function walkthroughStepDone(step: WalkthroughStep): void {
  void Promise.resolve(vscode.commands.executeCommand('setContext', walkthroughContextKey(step), true)).catch(() => undefined);
}

/** Steps ticked by what the stores observe: a key stored (by any prompt), a server VS Code started healthy. */
export function registerWalkthroughProgress(keys: { readonly onDidChange: vscode.Event<string>; has(name: string): Promise<boolean> }, status: ServerStatusStore): vscode.Disposable {
  return vscode.Disposable.from(
    keys.onDidChange((name) => {
      void keys.has(name).then((stored) => stored && walkthroughStepDone('setKey'), () => undefined);
    }),
    status.onDidChange((name) => {
      if (status.get(name).health === 'healthy') walkthroughStepDone('start');
    }),
  );
}
