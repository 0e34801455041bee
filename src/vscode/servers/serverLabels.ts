import * as vscode from 'vscode';
import type { AuthKind } from '../../core/serverRecord';
import type { ServerHealth } from '../serverStatus';

/** How a server authenticates, as the Servers view and the diagnostics panel say it. */
export function authLabel(auth: AuthKind): string {
  switch (auth) {
    case 'subscriptionKey':
      return vscode.l10n.t('subscription key');
    case 'entra':
      return vscode.l10n.t('Entra ID');
    case 'subscriptionKeyAndEntra':
      return vscode.l10n.t({ message: 'key + Entra ID', comment: ['Auth kind of a server that needs an APIM subscription key and a Microsoft Entra ID token.'] });
    case 'none':
      return vscode.l10n.t({ message: 'no auth', comment: ['Auth kind of a server that needs no credentials.'] });
  }
}

/** A server's last known status, for the tooltip and the screen reader. */
export function healthLabel(health: ServerHealth): string {
  switch (health) {
    case 'healthy':
      return vscode.l10n.t({ message: 'healthy', comment: ['Status of an MCP server: the last check connected.'] });
    case 'failing':
      return vscode.l10n.t({ message: 'failing', comment: ['Status of an MCP server: the last check failed.'] });
    case 'unknown':
      return vscode.l10n.t({ message: 'not started in this window', comment: ['Status of an MCP server: VS Code has not started it (or it was not checked) since the window opened.'] });
    case 'vscode':
      return vscode.l10n.t({ message: 'managed by VS Code', comment: ['Status of an MCP server in an mcp.json: VS Code starts it and keeps its key; MCP: List Servers shows its state.'] });
  }
}
