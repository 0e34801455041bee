/**
 * The Entra ID token service as a bundle of its own (dist/entra.js, scripts/bundles.mjs): the service, VS Code's
 * session source and the msal-node wrapper. Required the first time a server needs a token or an Entra command runs
 * (./lazyEntraTokens.ts); msal-node itself is a further bundle, loaded on the first msal-node sign-in.
 */
import type * as vscode from 'vscode';
import type { ServerRecord } from '../../core/serverRecord';
import { EntraTokenService } from './entraTokens';

export function createEntraTokenService(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel, findServer: (name: string) => ServerRecord | undefined): EntraTokenService {
  return new EntraTokenService(secrets, log, findServer);
}
