import * as vscode from 'vscode';
import { checkGatewayAccess } from '../core/apim/startupCheck';
import { Secret } from '../core/secret';
import { subscriptionKeyInputProblem } from './secretInput';
import type { ServerRecord } from '../core/serverRecord';

const CHECK_TIMEOUT_MS = 10_000;

/**
 * Asks for a subscription key in a password box and checks it against the gateway before accepting it:
 * APIM's "invalid subscription key" answer keeps the box open with that message, so a typo is caught at once.
 * Resolves to undefined when the user cancels.
 */
export function promptForSubscriptionKey(server: ServerRecord, log: vscode.LogOutputChannel): Promise<Secret | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = vscode.l10n.t('Subscription key for {0}', server.name);
    box.prompt = vscode.l10n.t('Paste the APIM subscription key. It is sent as the {0} header to {1} only.', server.keyHeaderName, server.origin);
    box.placeholder = vscode.l10n.t('APIM subscription key');
    box.password = true;
    box.ignoreFocusOut = true;
    let settled = false;
    let acceptUnverified = false;
    const finish = (value: Secret | undefined) => {
      if (settled) return;
      settled = true;
      resolve(value);
      box.dispose();
    };
    box.onDidChangeValue(() => {
      box.validationMessage = undefined;
      acceptUnverified = false;
    });
    box.onDidHide(() => finish(undefined));
    box.onDidAccept(async () => {
      const value = box.value.trim();
      if (!value) {
        box.validationMessage = vscode.l10n.t('Enter a key, or press Escape to cancel.');
        return;
      }
      const problem = subscriptionKeyInputProblem(value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      const key = Secret.of(value);
      if (acceptUnverified) return finish(key);
      box.busy = true;
      box.enabled = false;
      const result = await checkGatewayAccess(fetch, server.url, { [server.keyHeaderName]: key }, CHECK_TIMEOUT_MS);
      box.busy = false;
      box.enabled = true;
      if (!result.reached) {
        log.warn(`[setKey] ${server.name}: could not verify the key, ${result.error}`);
        box.validationMessage = vscode.l10n.t('Could not reach {0} to check the key ({1}). Press Enter again to save it anyway.', server.origin, result.error);
        acceptUnverified = true;
        return;
      }
      log.info(`[setKey] ${server.name}: gateway answered ${result.status} (${result.outcome.kind})`);
      if (result.outcome.kind === 'keyInvalid') {
        box.validationMessage = vscode.l10n.t('APIM rejected this key: "{0}"', result.message ?? 'invalid subscription key');
        return;
      }
      if (result.outcome.kind === 'keyNotRecognised') {
        box.validationMessage = vscode.l10n.t('APIM did not recognise this key (it answered "{0}"). Check that the whole key was pasted.', result.message ?? 'missing subscription key');
        return;
      }
      finish(key);
    });
    box.show();
  });
}
