import * as vscode from 'vscode';
import type { FieldProblem } from '../../core/config/addServerPlan';

/** The words for a problem the core found in a field of Add Secured MCP Server. */
export function fieldProblemText(problem: FieldProblem): string {
  switch (problem.kind) {
    case 'nameEmpty':
      return vscode.l10n.t('Enter a name.');
    case 'nameTooLong':
      return vscode.l10n.t('Use at most 100 characters.');
    case 'nameBadCharacter':
      return vscode.l10n.t('A name cannot contain "/" or control characters.');
    case 'tenantEmpty':
      return vscode.l10n.t('Enter the tenant id or domain (for example contoso.onmicrosoft.com).');
    case 'tenantInvalid':
      return vscode.l10n.t('A tenant is a GUID or a domain such as contoso.onmicrosoft.com.');
    case 'scopesEmpty':
      return vscode.l10n.t('Enter the API scope (api://<app-id>/<scope>) or its app ID URI.');
    case 'scopeInvalid':
      return vscode.l10n.t('"{0}" is not a scope.', problem.scope);
    case 'clientIdInvalid':
      return vscode.l10n.t('A client id is a GUID (the Application (client) ID of your app registration), or leave it empty.');
    case 'clientIdRequired':
      return vscode.l10n.t('Device code signs in with your own app registration: enter its Application (client) ID, or go back and choose VS Code\'s sign-in.');
  }
}

/** For input validation: no problem, no message. */
export function problemText(problem: FieldProblem | undefined): string | undefined {
  return problem && fieldProblemText(problem);
}
