import * as vscode from 'vscode';
import type { AddServerPlan } from '../../core/config/addServerPlan';
import { suggestedSignInMethod, type KeyDetectedWarning, type WizardSignInMethod } from '../../core/config/wizardRoute';
import type { AuthKind } from '../../core/serverRecord';
import type { MultiStepInput, StepPosition } from '../multiStepInput';
import { authChoiceLabel } from './wizardWords';

// The wizard's Entra choices: the key route when the gateway asked for a key, and how to sign in.

/**
 * The gateway sent APIM's key challenge and the person chose an auth kind that sends no key (issue 18.5): said here,
 * where it arises, with the key route one Enter away.
 */
export async function confirmKeyless(input: MultiStepInput, position: StepPosition, chosen: AuthKind, warning: KeyDetectedWarning): Promise<AuthKind> {
  const items: (vscode.QuickPickItem & { auth: AuthKind })[] = [
    {
      auth: warning.suggested,
      label: `$(key) ${vscode.l10n.t('Switch to: {0}', authChoiceLabel(warning.suggested))}`,
      description: vscode.l10n.t('Recommended'),
      detail: vscode.l10n.t('The gateway answered with APIM\'s subscription key challenge ({0}): it refuses a call without a key before it reads any token.', warning.headerName),
    },
    {
      auth: chosen,
      label: `$(warning) ${vscode.l10n.t('Keep: {0}', authChoiceLabel(chosen))}`,
      detail: vscode.l10n.t('Every call will be refused until the API stops requiring a subscription key ("Subscription required" off).'),
    },
  ];
  const placeholder = vscode.l10n.t('Warning: a subscription key was detected, and {0} sends none.', authChoiceLabel(chosen));
  const picked = await input.showQuickPick({ ...position, items, activeItem: items[0], placeholder });
  return picked.auth;
}

/**
 * VS Code for the browser only (issue 18.5): a browser sign-in cannot return to the window there, so device code is
 * pre-selected and called recommended. The choice is the `apimMcp.entra.signInMethod` setting, for every Entra server.
 */
export async function askSignInMethod(input: MultiStepInput, plan: AddServerPlan, position: StepPosition): Promise<void> {
  const suggested = suggestedSignInMethod(vscode.env.uiKind === vscode.UIKind.Web);
  const recommended = (method: WizardSignInMethod) => (method === suggested ? vscode.l10n.t('Recommended in VS Code for the browser') : undefined);
  const items: (vscode.QuickPickItem & { method: WizardSignInMethod })[] = [
    {
      method: 'deviceCode',
      label: `$(device-mobile) ${vscode.l10n.t('Device code')}`,
      description: recommended('deviceCode'),
      detail: vscode.l10n.t('Type a short code on Microsoft\'s sign-in page, on any device. Needs your own app registration\'s client id, with "Allow public client flows".'),
    },
    {
      method: 'vscode',
      label: `$(account) ${vscode.l10n.t('VS Code\'s Microsoft sign-in')}`,
      description: recommended('vscode'),
      detail: vscode.l10n.t('A sign-in in a browser tab that must return to VS Code; in VS Code for the browser it may not be able to.'),
    },
  ];
  const placeholder = vscode.l10n.t('How should APIM MCP sign in to Entra ID? Saved as apimMcp.entra.signInMethod, for every Entra ID server.');
  const picked = await input.showQuickPick({ ...position, items, activeItem: items.find((i) => i.method === (plan.signInMethod ?? suggested)), placeholder });
  plan.signInMethod = picked.method;
}

export async function saveSignInMethod(method: WizardSignInMethod, log: vscode.LogOutputChannel): Promise<void> {
  const config = vscode.workspace.getConfiguration('apimMcp.entra');
  if (config.get<string>('signInMethod', 'vscode') === method) return;
  await config.update('signInMethod', method, vscode.ConfigurationTarget.Global);
  log.info(`[addServer] Entra sign-in method set to ${method} (apimMcp.entra.signInMethod)`);
}

