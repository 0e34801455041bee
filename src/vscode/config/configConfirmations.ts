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

/** What a server has in SecretStorage: its subscription key, and its Entra ID client secret or token caches. */
export interface StoredSecrets {
  readonly key: boolean;
  readonly entra: boolean;
}

/**
 * The Remove dialog's question, saying only what Remove really does to this server's credentials (issue 18.8): the
 * stored key, client secret and cached tokens go when there are any; a VS Code Accounts sign-in stays there; a
 * server without either is just removed.
 */
export function removeQuestion(name: string, where: string, auth: AuthKind | undefined, stored: StoredSecrets): string {
  const entra = auth !== undefined && usesEntra(auth);
  const secrets = secretsClause(stored);
  if (secrets && entra && !stored.entra) return vscode.l10n.t('Remove {0} from {1}? {2} Your Entra ID sign-in stays under Accounts.', name, where, secrets);
  if (secrets) return vscode.l10n.t('Remove {0} from {1}? {2}', name, where, secrets);
  if (entra) return vscode.l10n.t('Remove {0} from {1}? Your Entra ID sign-in stays under Accounts.', name, where);
  return vscode.l10n.t('Remove {0} from {1}?', name, where);
}

function secretsClause(stored: StoredSecrets): string | undefined {
  if (stored.key && stored.entra) return vscode.l10n.t('Its stored subscription key and Entra ID secrets (client secret, cached tokens) are deleted too.');
  if (stored.key) return vscode.l10n.t('Its stored subscription key is deleted too.');
  if (stored.entra) return vscode.l10n.t('Its stored Entra ID secrets (client secret, cached tokens) are deleted too.');
  return undefined;
}

/** Forget Secrets asks first (issue 18.8): a secret cannot be shown again, only typed again. */
export async function confirmForget(name: string, stored: StoredSecrets): Promise<boolean> {
  const forget = stored.key ? vscode.l10n.t('Forget Key') : vscode.l10n.t('Forget');
  const answer = await vscode.window.showWarningMessage(
    stored.key && stored.entra
      ? vscode.l10n.t('Forget the subscription key and Entra ID secrets (client secret, cached tokens) stored for {0}?', name)
      : stored.key
        ? vscode.l10n.t('Forget the subscription key stored for {0}?', name)
        : vscode.l10n.t('Forget the Entra ID secrets (client secret, cached tokens) stored for {0}?', name),
    {
      modal: true,
      detail:
        stored.key && !stored.entra
          ? vscode.l10n.t('It is deleted from secret storage. The server needs it typed again before it can start.')
          : vscode.l10n.t('They are deleted from secret storage. The server needs them entered again, or a new sign-in, before it can start.'),
    },
    forget,
  );
  return answer === forget;
}
