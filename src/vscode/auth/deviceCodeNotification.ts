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
