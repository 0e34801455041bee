import * as vscode from 'vscode';
import type { UrlStepFinding } from '../../core/config/wizardRoute';
import type { AuthKind } from '../../core/serverRecord';

/** An auth kind as the wizard's auth step names it. */
export function authChoiceLabel(auth: AuthKind): string {
  switch (auth) {
    case 'subscriptionKey':
      return vscode.l10n.t('Subscription key');
    case 'entra':
      return vscode.l10n.t('Microsoft Entra ID');
    case 'subscriptionKeyAndEntra':
      return vscode.l10n.t('Subscription key and Entra ID');
    case 'none':
      return vscode.l10n.t('None');
  }
}

/** The tooltip of the URL step's one-click fix. */
export function pathFixTooltip(suggestedUrl: string): string {
  return vscode.l10n.t('Use {0}', suggestedUrl);
}

const warning = (message: string): vscode.InputBoxValidationMessage => ({ message, severity: vscode.InputBoxValidationSeverity.Warning });

/**
 * The URL step's finding, as a warning (issue 18.6): it may be overruled, so it is never shown as an error. `typed`
 * while the URL is being typed (nothing was sent yet), `accepted` after Enter, when Enter again goes on with it.
 */
export function urlFindingMessage(finding: UrlStepFinding, when: 'typed' | 'accepted', origin = ''): vscode.InputBoxValidationMessage {
  const again = when === 'accepted' ? ` ${vscode.l10n.t('Press Enter again to keep it.')}` : '';
  switch (finding.kind) {
    case 'pathMistake': {
      const fix = vscode.l10n.t('Click the wand button "Use {0}" in the title bar, or edit the URL.', finding.suggestedUrl);
      const what =
        finding.mistake === 'sse'
          ? finding.notFound
            ? vscode.l10n.t('APIM has no API at this legacy SSE endpoint (it answered 404); it serves MCP at {0}.', finding.suggestedUrl)
            : vscode.l10n.t('This is the legacy SSE endpoint; APIM serves MCP at {0}.', finding.suggestedUrl)
          : finding.notFound
            ? vscode.l10n.t('APIM has no API at this SSE message channel (it answered 404); it serves MCP at {0}.', finding.suggestedUrl)
            : vscode.l10n.t('This is the SSE message channel, not the server; APIM serves MCP at {0}.', finding.suggestedUrl);
      return warning(`${what} ${fix}${again}`);
    }
    case 'notFound':
      return warning(vscode.l10n.t('APIM has no API at this path (it answered {0}). Check the URL in the Azure portal, or press Enter again to continue.', finding.status));
    case 'unreachable':
      return warning(vscode.l10n.t('Could not reach {0} ({1}). Check the URL and your network, or press Enter again to continue without detection.', origin, finding.error));
  }
}
