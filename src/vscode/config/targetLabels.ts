import * as vscode from 'vscode';
import type { ConfigTargetKind } from '../../core/config/targets';

export interface TargetLabel {
  /** Codicon id, for the Servers view's group and the wizard's choice. */
  readonly icon: string;
  /** The target's short name, in the Servers view, the panel and messages ("Removed from …"). */
  readonly name: string;
  /** The wizard's choice: where exactly the server will be written. */
  readonly choice: string;
}

/** The one table of words for the five config targets, localised when asked for (after the l10n bundle is loaded). */
export function targetLabel(kind: ConfigTargetKind): TargetLabel {
  switch (kind) {
    case 'extension':
      return { icon: 'shield', name: vscode.l10n.t('APIM MCP settings'), choice: vscode.l10n.t('VS Code, managed by APIM MCP') };
    case 'workspaceMcpJson':
      return { icon: 'json', name: vscode.l10n.t('Workspace mcp.json'), choice: vscode.l10n.t('Workspace .vscode/mcp.json') };
    case 'userMcpJson':
      return { icon: 'account', name: vscode.l10n.t('User mcp.json'), choice: vscode.l10n.t('User mcp.json') };
    case 'rootDotMcpJson':
      return { icon: 'root-folder', name: vscode.l10n.t('Workspace .mcp.json'), choice: vscode.l10n.t('Workspace root .mcp.json (Copilot agents)') };
    case 'copilotCli':
      return { icon: 'terminal', name: vscode.l10n.t('Copilot CLI config'), choice: vscode.l10n.t('Copilot CLI (~/.copilot/mcp-config.json)') };
  }
}

/** Target names joined for a message, in the order given. */
export function targetNames(kinds: readonly ConfigTargetKind[]): string {
  return kinds.map((kind) => targetLabel(kind).name).join(', ');
}
