import * as vscode from 'vscode';
import { AUTH_KINDS, usesEntra, type AuthKind } from '../../core/serverRecord';
import type { ServerRegistry } from '../serverRegistry';

/**
 * The auth kind of the server a config command was given: from the Servers view's node (any config source) or the
 * extension-managed record of that name; undefined for a name picked from a file the view has not read.
 */
export function authKindOf(arg: unknown, name: string, registry: ServerRegistry): AuthKind | undefined {
  const entryAuth = typeof arg === 'object' && arg !== null && 'entry' in arg ? (arg.entry as { auth?: unknown } | undefined)?.auth : undefined;
  if (typeof entryAuth === 'string' && (AUTH_KINDS as readonly string[]).includes(entryAuth)) return entryAuth as AuthKind;
  return registry.find(name)?.auth;
}

/**
 * The Remove dialog's question, saying only what Remove really does to this server's credentials (issue 18.8): the
 * stored key goes when there is one; an Entra ID sign-in stays in VS Code's Accounts; a server without either is
 * just removed.
 */
export function removeQuestion(name: string, where: string, auth: AuthKind | undefined, hasStoredKey: boolean): string {
  const entra = auth !== undefined && usesEntra(auth);
  if (hasStoredKey && entra) {
    return vscode.l10n.t('Remove {0} from {1}? Its stored subscription key is deleted too. Your Entra ID sign-in stays under Accounts.', name, where);
  }
  if (hasStoredKey) return vscode.l10n.t('Remove {0} from {1}? Its stored subscription key is deleted too.', name, where);
  if (entra) return vscode.l10n.t('Remove {0} from {1}? Your Entra ID sign-in stays under Accounts.', name, where);
  return vscode.l10n.t('Remove {0} from {1}?', name, where);
}

/** Forget Secrets asks first (issue 18.8): the key cannot be shown again, only typed again. */
export async function confirmForget(name: string): Promise<boolean> {
  const forget = vscode.l10n.t('Forget Key');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Forget the subscription key stored for {0}?', name),
    { modal: true, detail: vscode.l10n.t('It is deleted from secret storage. The server needs it typed again before it can start.') },
    forget,
  );
  return answer === forget;
}
