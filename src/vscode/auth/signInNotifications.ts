import * as vscode from 'vscode';
import type { DeviceCodePrompt } from '../../auth/msal/msalTokenSource';

/** Shows the device code in a notification with Copy and Open buttons; the sign-in goes on while it shows. */
export function showDeviceCode(prompt: DeviceCodePrompt, log: vscode.LogOutputChannel): void {
  const copy = vscode.l10n.t('Copy Code');
  const open = vscode.l10n.t('Copy Code & Open Browser');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('APIM MCP: to sign in, open {0} and enter the code {1}.', prompt.verificationUri, prompt.userCode), copy, open)
    .then(async (choice) => {
      if (!choice) return;
      await vscode.env.clipboard.writeText(prompt.userCode);
      log.info('[deviceCode] user code copied to the clipboard');
      if (choice === open) await vscode.env.openExternal(vscode.Uri.parse(prompt.verificationUri));
    });
}

/**
 * A progress notification while a loopback sign-in waits for the browser, with Cancel for a person who closed the
 * tab or whose browser cannot reach back to this machine. Returns what ends it.
 */
export function showBrowserWait(cancel: () => void): () => void {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('APIM MCP: finish signing in to Microsoft Entra ID in your browser…'), cancellable: true },
    (_progress, token) => {
      const listener = token.onCancellationRequested(cancel);
      return ended.finally(() => listener.dispose());
    },
  );
  return end;
}
