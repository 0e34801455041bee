/**
 * The redirect URIs each MCP client uses with Entra, and the platform each must be registered under on the
 * client app registration (research/vscode-mcp-platform.md §4.3, apim-entra-diagnostics.md §3.2, anchors.md).
 * The platform decides public vs confidential: a loopback URI registered as "Web" gives AADSTS7000218.
 */
export type RedirectPlatform = 'publicClient' | 'web' | 'spa';

export const PLATFORM_LABEL: Record<RedirectPlatform, string> = {
  publicClient: 'Mobile and desktop applications (public client)',
  web: 'Web',
  spa: 'Single-page application',
};

export interface RedirectUriEntry {
  readonly client: string;
  /** The URI to register. `<client-id>` / `<connector-id>` are placeholders filled in by `redirectUrisFor`. */
  readonly uri: string;
  readonly platform: RedirectPlatform;
  readonly when: string;
  /** Matches URIs the client may actually send (e.g. any loopback port). */
  readonly matches: RegExp;
  /** True when the exact form is not confirmed by a source in the research. */
  readonly unverified?: boolean;
}

export const REDIRECT_URI_CATALOGUE: readonly RedirectUriEntry[] = [
  { client: 'VS Code', uri: 'http://127.0.0.1:33418', platform: 'publicClient', when: 'custom client id (mcp.json oauth.clientId or VSCODE_CLIENT_ID:), loopback flow', matches: /^http:\/\/127\.0\.0\.1:33418\/?$/ },
  { client: 'VS Code', uri: 'http://localhost', platform: 'publicClient', when: 'custom client id, MSAL loopback on a random port (http://localhost:<port>)', matches: /^http:\/\/localhost(:\d+)?\/?$/ },
  { client: 'VS Code', uri: 'https://vscode.dev/redirect', platform: 'publicClient', when: 'custom client id, protocol-handler flow and remote extension hosts', matches: /^https:\/\/vscode\.dev\/redirect\/?$/ },
  { client: 'VS Code', uri: 'ms-appx-web://Microsoft.AAD.BrokerPlugin/<client-id>', platform: 'publicClient', when: 'Windows broker (WAM)', matches: /^ms-appx-web:\/\/Microsoft\.AAD\.BrokerPlugin\//i },
  { client: 'VS Code', uri: 'msauth.com.microsoft.VSCode://auth', platform: 'publicClient', when: 'macOS broker (Stable)', matches: /^msauth\.com\.microsoft\.VSCode(\.helper)?:\/\/auth\/?$/ },
  { client: 'VS Code', uri: 'msauth.com.microsoft.VSCodeInsiders://auth', platform: 'publicClient', when: 'macOS broker (Insiders)', matches: /^msauth\.com\.microsoft\.VSCodeInsiders:\/\/auth\/?$/ },
  { client: 'VS Code', uri: 'msauth.com.microsoft.VSCode.helper://auth', platform: 'publicClient', when: 'macOS broker, seen in the field (microsoft/vscode-copilotstudio#88)', matches: /^msauth\.com\.microsoft\.VSCode\.helper:\/\/auth\/?$/ },
  { client: 'VS Code', uri: 'msauth.com.msauth.unsignedapp://auth', platform: 'publicClient', when: 'macOS broker (OSS builds)', matches: /^msauth\.com\.msauth\.unsignedapp:\/\/auth\/?$/ },
  { client: 'VS Code', uri: 'https://login.microsoftonline.com/common/oauth2/nativeclient', platform: 'publicClient', when: 'Linux broker', matches: /^https:\/\/login\.microsoftonline\.com\/common\/oauth2\/nativeclient\/?$/ },
  { client: 'Copilot CLI', uri: 'http://127.0.0.1:<auth.redirectPort>', platform: 'publicClient', when: 'static oauthClientId with a loopback redirect on the port set by auth.redirectPort (exact form not confirmed)', matches: /^http:\/\/(127\.0\.0\.1|localhost):\d+(\/.*)?$/, unverified: true },
  { client: 'Copilot Studio', uri: 'https://global.consent.azure-apim.net/redirect/<connector-id>', platform: 'web', when: 'per custom connector: copy the Redirect URL from the connector\'s Security tab', matches: /^https:\/\/global\.consent\.azure-apim\.net\/redirect\//i },
  { client: 'MCP Inspector', uri: 'http://localhost:6274/oauth/callback', platform: 'spa', when: 'web UI (the browser redeems the code: SPA, or AADSTS9002326)', matches: /^http:\/\/localhost:6274\/oauth\/callback\/?$/ },
  { client: 'MCP Inspector', uri: 'http://localhost:6274/oauth/callback/debug', platform: 'spa', when: 'web UI, guided OAuth debug flow', matches: /^http:\/\/localhost:6274\/oauth\/callback\/debug\/?$/ },
  { client: 'MCP Inspector', uri: 'http://127.0.0.1:6276/oauth/callback', platform: 'publicClient', when: 'CLI/TUI (v2); localhost and 127.0.0.1 are different URIs', matches: /^http:\/\/127\.0\.0\.1:6276\/oauth\/callback\/?$/ },
  { client: 'Postman', uri: 'https://oauth.pstmn.io/v1/callback', platform: 'web', when: '"Authorize using browser" in the OAuth 2.0 tab (confidential: Postman sends the client secret)', matches: /^https:\/\/oauth\.pstmn\.io\/v1\/(browser-)?callback\/?$/, unverified: true },
  { client: 'Insomnia', uri: '<the Redirect URL entered in the request\'s OAuth 2.0 settings>', platform: 'web', when: 'Insomnia sends whatever its OAuth 2.0 "Redirect URL" field holds; register that exact value', matches: /^$/, unverified: true },
];

export function redirectUrisFor(client: string, clientId?: string): RedirectUriEntry[] {
  return REDIRECT_URI_CATALOGUE.filter((e) => e.client.toLowerCase() === client.toLowerCase()).map((e) =>
    clientId ? { ...e, uri: e.uri.replace('<client-id>', clientId) } : e,
  );
}

/** Which known client a redirect URI belongs to, so a fix can say "register it under <platform>". */
export function identifyRedirectUri(uri: string): RedirectUriEntry | undefined {
  const exact = REDIRECT_URI_CATALOGUE.find((e) => e.uri === uri);
  return exact ?? REDIRECT_URI_CATALOGUE.find((e) => e.matches.test(uri));
}
