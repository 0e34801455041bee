import * as vscode from 'vscode';
import { errorMessage } from '../core/basics';

/**
 * Shows an error with a "Show Logs" button that opens the extension's log, where the details are. Resolves when the
 * notification is closed; callers that do not wait on the person use `void`.
 */
export async function showErrorWithLogs(log: vscode.LogOutputChannel, message: string): Promise<void> {
  const showLogs = vscode.l10n.t('Show Logs');
  if ((await vscode.window.showErrorMessage(message, showLogs)) === showLogs) log.show();
}

/** A command that failed: the error goes to the log under `[operation]` and to the person with "Show Logs". */
export function reportFailure(log: vscode.LogOutputChannel, operation: string, error: unknown): void {
  const message = errorMessage(error);
  log.error(`[${operation}] ${message}`);
  void showErrorWithLogs(log, vscode.l10n.t('APIM MCP: {0}', message));
}
