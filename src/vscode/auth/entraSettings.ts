import * as vscode from 'vscode';

export type SignInMethod = 'vscode' | 'deviceCode' | 'loopback' | 'clientCredentials';
const SIGN_IN_METHODS: readonly SignInMethod[] = ['vscode', 'deviceCode', 'loopback', 'clientCredentials'];

/** `apimMcp.entra.signInMethod`: VS Code's authentication provider (the default) or one of msal-node's flows. */
export function signInMethod(): SignInMethod {
  const value = vscode.workspace.getConfiguration('apimMcp.entra').get<string>('signInMethod', 'vscode');
  return (SIGN_IN_METHODS as readonly string[]).includes(value) ? (value as SignInMethod) : 'vscode';
}

/** `apimMcp.authProviderId`: the VS Code authentication provider asked for tokens when the sign-in method is `vscode`. */
export function authProviderId(): string {
  return vscode.workspace.getConfiguration('apimMcp').get<string>('authProviderId', 'microsoft') || 'microsoft';
}
