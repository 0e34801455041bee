import { GUID } from '../basics';
import type { RedirectPlatform } from '../entra/redirectUris';
import { fillIn, shellCommand, shellValue } from './shellCommand';

/**
 * Every shell command a finding offers for copying, in one place, so each is built the same way: words quoted by
 * `shellCommand`, values from elsewhere through `shellValue`, ids that go inside a URL checked as GUIDs first.
 * test/unit/diagnosis/fixCommands.property.test.ts runs each one through sh with hostile values.
 */
const GRAPH_APPLICATIONS = 'https://graph.microsoft.com/v1.0/applications';
const API_APP = fillIn('api-app-id');

/** An app id as `--id` takes it: az accepts an app id or an identifier URI, so any value, quoted. */
function appIdWord(appId: string | undefined): string {
  return appId === undefined ? API_APP : shellValue(appId, 'app id');
}

/** Graph's `applications(appId='…')`: only a GUID goes inside the URL; anything else is left for the user to fill in. */
function graphApplication(appId: string | undefined): string {
  return `${GRAPH_APPLICATIONS}(appId='${appId !== undefined && GUID.test(appId) ? appId : API_APP}')`;
}

const REDIRECT_URI_OPTION: Readonly<Record<Exclude<RedirectPlatform, 'spa'>, { option: string; existing: string }>> = {
  publicClient: { option: '--public-client-redirect-uris', existing: 'existing public-client URIs' },
  web: { option: '--web-redirect-uris', existing: 'existing web URIs' },
};

export const FIX_COMMANDS = {
  showRedirectUris: (appId: string) =>
    shellCommand('az', 'ad', 'app', 'show', '--id', appIdWord(appId), '--query', '{publicClient:publicClient.redirectUris, web:web.redirectUris, spa:spa.redirectUris}'),

  addRedirectUri: (appId: string, platform: RedirectPlatform, redirectUri: string) => {
    const uri = shellValue(redirectUri, 'redirect URI');
    if (platform === 'spa') {
      const body = `{"spa":{"redirectUris":[${fillIn('existing SPA URIs')},${JSON.stringify(uri)}]}}`;
      return shellCommand('az', 'rest', '--method', 'PATCH', '--uri', graphApplication(appId), '--body', body);
    }
    const { option, existing } = REDIRECT_URI_OPTION[platform];
    return shellCommand('az', 'ad', 'app', 'update', '--id', appIdWord(appId), option, fillIn(existing), uri);
  },

  showApiScopes: (apiAppId: string) => shellCommand('az', 'ad', 'app', 'show', '--id', appIdWord(apiAppId), '--query', 'api.oauth2PermissionScopes[].{value:value,id:id}'),

  preAuthorizeClient: (apiAppId: string, clientId: string) => {
    const body = { api: { preAuthorizedApplications: [{ appId: shellValue(clientId, 'client id'), delegatedPermissionIds: [fillIn('scope-id')] }] } };
    return shellCommand('az', 'rest', '--method', 'PATCH', '--uri', graphApplication(apiAppId), '--body', JSON.stringify(body));
  },

  showAssignmentRequired: (apiAppId: string) => shellCommand('az', 'ad', 'sp', 'show', '--id', appIdWord(apiAppId), '--query', 'appRoleAssignmentRequired'),

  turnOffAssignmentRequired: (apiAppId: string) => shellCommand('az', 'ad', 'sp', 'update', '--id', appIdWord(apiAppId), '--set', 'appRoleAssignmentRequired=false'),

  addIdentifierUri: (apiAppId: string | undefined, resource: string) =>
    shellCommand('az', 'ad', 'app', 'update', '--id', appIdWord(apiAppId), '--identifier-uris', fillIn('existing URIs'), shellValue(resource, 'resource')),

  showApiApp: (apiAppId: string | undefined) =>
    shellCommand('az', 'ad', 'app', 'show', '--id', appIdWord(apiAppId), '--query', '{identifierUris:identifierUris, tokenVersion:api.requestedAccessTokenVersion}'),

  pinV2Tokens: (apiAppId: string | undefined) =>
    shellCommand('az', 'rest', '--method', 'PATCH', '--uri', graphApplication(apiAppId), '--body', '{"api":{"requestedAccessTokenVersion":2}}'),

  assignAppRole: (role: string) => {
    const user = fillIn('user-object-id');
    const body = { principalId: user, resourceId: fillIn('api-service-principal-object-id'), appRoleId: fillIn(`app-role-id of ${shellValue(role, 'role')}`) };
    return shellCommand('az', 'rest', '--method', 'POST', '--uri', `https://graph.microsoft.com/v1.0/users/${user}/appRoleAssignments`, '--body', JSON.stringify(body));
  },

  turnOffSubscriptionRequired: () =>
    shellCommand('az', 'apim', 'api', 'update', '--resource-group', fillIn('rg'), '--service-name', fillIn('apim'), '--api-id', fillIn('api-id'), '--subscription-required', 'false'),

  listSubscriptionSecrets: () =>
    shellCommand(
      'az', 'rest', '--method', 'POST', '--uri',
      `https://management.azure.com/subscriptions/${fillIn('sub')}/resourceGroups/${fillIn('rg')}/providers/Microsoft.ApiManagement/service/${fillIn('apim')}` +
        `/subscriptions/${fillIn('subscription-id')}/listSecrets?api-version=2022-08-01`,
    ),

  /** Reads the certificate chain; stdin from /dev/null so openssl exits after the handshake. */
  showCertificates: (hostname: string, port: string) => {
    const host = shellValue(hostname, 'host');
    return `${shellCommand('openssl', 's_client', '-connect', `${host}:${/^\d{1,5}$/.test(port) ? port : '443'}`, '-servername', host, '-showcerts')} </dev/null`;
  },

  assignRole: (assigneeObjectId: string | undefined, role: string, scope: string) =>
    shellCommand(
      'az', 'role', 'assignment', 'create', '--assignee-object-id', assigneeObjectId === undefined ? fillIn('your-object-id') : shellValue(assigneeObjectId, 'object id'),
      '--assignee-principal-type', 'User', '--role', shellValue(role, 'role'), '--scope', shellValue(scope, 'scope'),
    ),

  createKeyReaderRole: (actions: readonly string[], scope: string) => {
    const definition = { Name: 'APIM subscription key reader', Actions: actions.map((a) => shellValue(a, 'action')), AssignableScopes: [shellValue(scope, 'scope')] };
    return shellCommand('az', 'role', 'definition', 'create', '--role-definition', JSON.stringify(definition));
  },
} as const;
