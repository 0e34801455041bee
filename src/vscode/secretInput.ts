import * as vscode from 'vscode';
import { secretValueFault } from '../core/secrets/secretValue';

/**
 * Why a key, token or client secret typed or pasted into a password box cannot be used, in words that never quote it.
 * A value with a line break or NUL would otherwise leak whole through the error text of the HTTP header it goes into.
 */
export function secretInputProblem(value: string): string | undefined {
  switch (secretValueFault(value)) {
    case undefined:
      return undefined;
    case 'empty':
      return vscode.l10n.t('Enter a value, or press Escape to cancel.');
    case 'controlCharacter':
      return vscode.l10n.t('This contains a control character (a line break, tab or NUL, for example). Paste the value alone, on one line.');
    case 'notLatin1':
      return vscode.l10n.t('This contains a character that cannot be sent in an HTTP header. Paste the value exactly as it was given to you.');
  }
}

/** A subscription key as pasted: one word of characters a header can carry. */
export function subscriptionKeyInputProblem(value: string): string | undefined {
  if (/\s/.test(value)) return vscode.l10n.t('A subscription key has no spaces or line breaks.');
  return secretInputProblem(value);
}
