import type * as vscode from 'vscode';
import { errorMessage } from '../core/basics';

/**
 * Registers one feature of the extension. A feature that throws while registering is logged and skipped, and
 * activation goes on, so a failure in, say, the policy tools leaves adding, starting and diagnosing servers working.
 * What the feature registered before it threw cannot be taken back from here; features register their parts last.
 * Returns whether the feature started.
 */
export function safeRegister(
  context: { readonly subscriptions: { push(...items: vscode.Disposable[]): unknown } },
  log: Pick<vscode.LogOutputChannel, 'error'>,
  feature: string,
  register: () => vscode.Disposable,
): boolean {
  try {
    context.subscriptions.push(register());
    return true;
  } catch (error: unknown) {
    log.error(`[activate] ${feature} could not start and is skipped: ${errorMessage(error)}`);
    return false;
  }
}
