import * as vscode from 'vscode';

/**
 * Shows an error with a "Show Logs" button that opens the extension's log, where the details are. Resolves when the
 * notification is closed; callers that do not wait on the person use `void`.
 */
export async function showErrorWithLogs(log: vscode.LogOutputChannel, message: string): Promise<void> {
  const showLogs = vscode.l10n.t('Show Logs');
  if ((await vscode.window.showErrorMessage(message, showLogs)) === showLogs) log.show();
}
