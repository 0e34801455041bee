import * as vscode from 'vscode';
import { credentialAccess, type CredentialAccess } from '../../core/config/credentialAccess';
import type { ServerEntry } from '../../core/config/configEntries';
import { Secret } from '../../core/secret';
import { envReference } from '../../core/secrets/envVars';
import { secretValueFault } from '../../core/secrets/secretValue';
import { usesEntra, usesSubscriptionKey, type ServerRecord } from '../../core/serverRecord';
import type { RunnerDeps } from './diagnosisRunner';

/** A silent token lookup that does not answer soon is treated as "not signed in" rather than holding up the run. */
const SILENT_TOKEN_TIMEOUT_MS = 5_000;

/**
 * The key and token a diagnosis run may use for a server, and notes that say what was and was not used. Which secrets
 * may be used at all is the core's decision (`credentialAccess`: Restricted Mode, the https rule, `APIM_MCP_KEY_*`).
 */
export async function runCredentials(
  entry: ServerEntry,
  deps: RunnerDeps,
  typed: { readonly pastedToken?: Secret; readonly oneTimeKey?: Secret },
  notes: string[],
): Promise<{ key?: Secret; token?: Secret }> {
  const access = credentialAccess(entry, vscode.workspace.isTrusted);
  if (!access.allowed) {
    notes.push(refusalNote(entry, access));
    return {};
  }
  return { key: await subscriptionKey(entry, deps, access, typed.oneTimeKey, notes), token: await accessToken(entry, deps, typed.pastedToken, notes) };
}

function refusalNote(entry: ServerEntry, access: CredentialAccess): string {
  return access.refusal === 'restrictedMode'
    ? vscode.l10n.t('This folder is not trusted (Restricted Mode) and defines this server in {0}: the diagnosis ran without any key or token. Trust the folder to diagnose with credentials.', entry.file ?? entry.source)
    : vscode.l10n.t('{0} is http to a host other than this machine: no key or token is sent over it. Use https.', entry.url);
}

async function subscriptionKey(entry: ServerEntry, deps: RunnerDeps, access: CredentialAccess, oneTimeKey: Secret | undefined, notes: string[]): Promise<Secret | undefined> {
  if (!usesSubscriptionKey(entry.auth)) return undefined;
  if (oneTimeKey) {
    notes.push(vscode.l10n.t('This run used the key typed for it; it was not stored.'));
    return oneTimeKey;
  }
  const origin = new URL(entry.url).origin;
  // Keys are stored by server name and released only to the origin they were entered for.
  const lookup = await deps.keys.get({ ...(entry.record ?? {}), name: entry.name, origin } as ServerRecord);
  if (lookup.kind === 'found') return lookup.key;
  if (lookup.kind === 'originMismatch') {
    notes.push(vscode.l10n.t('The stored subscription key was entered for {0}, not {1}, so it was not sent.', lookup.storedOrigin, origin));
    return undefined;
  }
  const variable = access.keyEnvVar;
  if (variable !== undefined) {
    const fromEnv = process.env[variable]?.trim();
    if (!fromEnv) {
      // What Claude Code and Copilot CLI send when the variable is unset: the diagnosis names the variable.
      notes.push(vscode.l10n.t('{0} is not set in VS Code\'s environment and no key is stored: the diagnosis sent the unexpanded reference as the key, as Claude Code and Copilot CLI do.', variable));
      return Secret.of(envReference(variable));
    }
    if (secretValueFault(fromEnv) === undefined) {
      notes.push(vscode.l10n.t('The subscription key was read from the environment variable {0}.', variable));
      return Secret.of(fromEnv);
    }
    notes.push(vscode.l10n.t('The environment variable {0} holds a value that cannot be sent in a header (a line break or another control character): it was not used.', variable));
    return undefined;
  }
  if (access.envVarIgnored) {
    notes.push(
      access.envVarIgnored.why === 'notKeyVariable'
        ? vscode.l10n.t('The key refers to the environment variable {0}, which is not read: only APIM_MCP_KEY_* variables are, so a config cannot send another secret from your environment.', access.envVarIgnored.name)
        : vscode.l10n.t('The key refers to the environment variable {0}; environment variables are not read in Restricted Mode.', access.envVarIgnored.name),
    );
    return undefined;
  }
  notes.push(
    entry.keySupply === 'input'
      ? vscode.l10n.t('The key is in an mcp.json password input, which VS Code keeps to itself: these checks ran without it, so what the key decides is not judged. Use "Diagnose with the Key…" for the full diagnosis.')
      : vscode.l10n.t('No subscription key is stored for this server: the diagnosis ran without one. Use Set/Rotate Key, then re-run.'),
  );
  return undefined;
}

async function accessToken(entry: ServerEntry, deps: RunnerDeps, pastedToken: Secret | undefined, notes: string[]): Promise<Secret | undefined> {
  if (pastedToken) {
    notes.push(vscode.l10n.t('This run used a pasted access token; it was not stored.'));
    return pastedToken;
  }
  if (!usesEntra(entry.auth)) return undefined;
  if (!entry.record || !deps.tokens) {
    notes.push(vscode.l10n.t('No Entra ID token was available to this extension for this server: the diagnosis checked discovery and sign-in only.'));
    return undefined;
  }
  let token: Secret;
  try {
    // Silent only: a diagnosis never opens a sign-in on its own.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('timeout')), SILENT_TOKEN_TIMEOUT_MS)));
    try {
      token = (await Promise.race([deps.tokens.tokenFor(entry.record, 'silent'), timeout])).token;
    } finally {
      clearTimeout(timer);
    }
  } catch {
    notes.push(vscode.l10n.t('Not signed in to Entra ID for this server: the diagnosis checked discovery and sign-in only. Sign in (or diagnose with a pasted token), then re-run.'));
    return undefined;
  }
  // The person asked for this run, so the first token for an origin is asked about here, as at a start.
  if (!deps.tokenConsent || !(await deps.tokenConsent.allows(entry.record))) {
    notes.push(vscode.l10n.t('The Entra ID token was not sent: you have not allowed tokens for this server to go to {0}. The diagnosis checked discovery and sign-in only.', entry.record.origin));
    return undefined;
  }
  return token;
}
