import { PLATFORM_LABEL, type RedirectPlatform } from '../entra/redirectUris';
import { FIX_COMMANDS } from './fixCommands';
import { PORTAL, type Fix } from './finding';

/** Fix texts shared by several rules. Placeholders in <angle brackets> are the only parts the user fills in. */
export function mcpJsonKeySnippet(url: string, headerName: string): string {
  return JSON.stringify(
    {
      inputs: [{ type: 'promptString', id: 'apim-subscription-key', description: 'APIM subscription key', password: true }],
      servers: { '<server-name>': { type: 'http', url, headers: { [headerName]: '${input:apim-subscription-key}' } } },
    },
    null,
    2,
  );
}

export function bearerChallengePolicy(prmUrl: string): string {
  return [
    '<on-error>',
    '    <base />',
    '    <choose>',
    '        <when condition="@(context.Response.StatusCode == 401)">',
    '            <set-header name="WWW-Authenticate" exists-action="override">',
    `                <value>Bearer error="invalid_token", resource_metadata="${prmUrl}"</value>`,
    '            </set-header>',
    '        </when>',
    '    </choose>',
    '</on-error>',
  ].join('\n');
}

export function prmOperationPolicy(mcpUrl: string, authority: string, scopes: readonly string[]): string {
  const body = JSON.stringify({ resource: mcpUrl, authorization_servers: [authority], bearer_methods_supported: ['header'], scopes_supported: scopes });
  return [
    '<!-- Anonymous operation GET /.well-known/oauth-protected-resource on the MCP API: return before <base /> -->',
    '<inbound>',
    '    <return-response>',
    '        <set-status code="200" reason="OK" />',
    '        <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>',
    `        <set-body>${body}</set-body>`,
    '    </return-response>',
    '</inbound>',
  ].join('\n');
}

export function redirectUriFix(appId: string, redirectUri: string, platform: RedirectPlatform): Fix {
  const commands = [FIX_COMMANDS.showRedirectUris(appId), FIX_COMMANDS.addRedirectUri(appId, platform, redirectUri)];
  return {
    summary: `On app registration ${appId} → Authentication, add the redirect URI ${redirectUri} under the "${PLATFORM_LABEL[platform]}" platform (exact match: scheme, host, port, path, trailing slash). The az commands replace the whole list, so pass the existing URIs too. Changes can take three to five minutes to apply.`,
    commands,
    links: [{ label: 'App registration → Authentication', url: PORTAL.appAuthentication(appId) }],
  };
}
