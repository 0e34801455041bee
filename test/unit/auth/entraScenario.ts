// The Entra scenario the auth tests share: an MCP API app, VS Code's client, a custom public client, a client that
// is not pre-authorised (its sign-in ends in AADSTS65001 at the redirect) and a daemon with a client secret.
export const API_APP_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
export const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';
export const PUBLIC_CLIENT_ID = '0b1c2d3e-1111-4222-8333-444455556666';
export const UNCONSENTED_CLIENT_ID = '0b1c2d3e-7777-4888-8999-aaaabbbbcccc';
export const DAEMON_CLIENT_ID = '0b1c2d3e-dddd-4eee-8fff-000011112222';
export const DAEMON_SECRET = 'sandbox-daemon-secret-not-real';
export const API_SCOPE = `api://${API_APP_ID}/user_impersonation`;
/** Another team's API in the same tenant: its tokens are well-formed but meant for someone else (a wrong audience). */
export const OTHER_API_APP_ID = '6f1c2d3e-9999-4c6d-8e9f-0a1b2c3d4e5f';
export const OTHER_API_SCOPE = `api://${OTHER_API_APP_ID}/user_impersonation`;
export const USER = 'alex@contoso.onmicrosoft.com';

export function entraScenario(overrides: { tokenLifetimeSeconds?: number } = {}) {
  return {
    name: 'auth-tests',
    description: 'Entra-protected MCP API for the auth tests.',
    expect: { findings: [] },
    gateway: {
      tokenValidation: { policy: 'validate-jwt', openidConfig: 'v2', audiences: [API_APP_ID, `api://${API_APP_ID}`], issuers: ['{issuerV2}'] },
      bearerChallenge: 'none',
    },
    entra: {
      apiAppId: API_APP_ID,
      tokenLifetimeSeconds: overrides.tokenLifetimeSeconds ?? 3600,
      apps: [
        {
          appId: API_APP_ID,
          displayName: 'Products MCP API',
          identifierUris: [`api://${API_APP_ID}`],
          requestedAccessTokenVersion: 2,
          scopes: [{ value: 'user_impersonation' }],
          appRoles: [{ value: 'Products.Read' }],
          preAuthorizedApplications: [
            { appId: VSCODE_CLIENT_ID, scopes: ['user_impersonation'] },
            { appId: PUBLIC_CLIENT_ID, scopes: ['user_impersonation'] },
          ],
        },
        {
          appId: OTHER_API_APP_ID,
          displayName: 'Orders API',
          identifierUris: [`api://${OTHER_API_APP_ID}`],
          requestedAccessTokenVersion: 2,
          scopes: [{ value: 'user_impersonation' }],
          preAuthorizedApplications: [{ appId: VSCODE_CLIENT_ID, scopes: ['user_impersonation'] }],
        },
        { appId: VSCODE_CLIENT_ID, displayName: 'Visual Studio Code', redirectUris: { publicClient: ['http://127.0.0.1', 'http://localhost'] }, allowPublicClient: true },
        { appId: PUBLIC_CLIENT_ID, displayName: 'Contoso MCP client', redirectUris: { publicClient: ['http://127.0.0.1'] }, allowPublicClient: true },
        { appId: UNCONSENTED_CLIENT_ID, displayName: 'Unconsented client', redirectUris: { publicClient: ['http://127.0.0.1'] }, allowPublicClient: true },
        { appId: DAEMON_CLIENT_ID, displayName: 'Contoso daemon', clientSecrets: [DAEMON_SECRET], applicationPermissions: { [API_APP_ID]: ['Products.Read'] } },
      ],
      users: [{ upn: USER, name: 'Alex Wilber', appRoles: { [API_APP_ID]: ['Products.Read'] } }],
    },
  };
}
