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
  /** Why this platform, from the client's own source: shown in the fix. */
  readonly why?: string;
  /** Public sources for the platform advice (test/sandbox/FIDELITY.md, VS Code rows). */
  readonly sources?: readonly { readonly label: string; readonly url: string }[];
}

/**
 * VS Code signs in to Entra through its Microsoft provider: msal-node's PublicClientApplication redeems the code
 * in VS Code's own process (PKCE, no client secret, no browser Origin), for the loopback flow and for the
 * protocol-handler flow behind https://vscode.dev/redirect alike. Entra accepts that only for a redirect URI under
 * "Mobile and desktop applications": under "Web" it wants a secret (AADSTS7000218), under "Single-page application"
 * a cross-origin browser redemption (AADSTS9002327).
 */
const VSCODE_PUBLIC_CLIENT =
  'VS Code redeems the code itself with MSAL\'s public client (PKCE, no client secret, no browser Origin), so Entra accepts it only under "Mobile and desktop applications": "Web" wants a client secret (AADSTS7000218), "Single-page application" a browser redemption (AADSTS9002327).';
const VSCODE_SOURCES = [
  { label: 'VS Code flows.ts (redirect https://vscode.dev/redirect)', url: 'https://github.com/microsoft/vscode/blob/e38287edf6e0b1ea09b4de190bd4b1ff08a63b50/extensions/microsoft-authentication/src/node/flows.ts' },
  { label: 'VS Code cachedPublicClientApplication.ts (msal-node PublicClientApplication)', url: 'https://github.com/microsoft/vscode/blob/17d08b81acaf1e61fbc7903fd0dd2adebf251eca/extensions/microsoft-authentication/src/node/cachedPublicClientApplication.ts' },
  { label: 'Microsoft Learn: redirect URI platforms', url: 'https://learn.microsoft.com/entra/identity-platform/how-to-add-redirect-uri' },
  { label: 'Microsoft Learn: AADSTS7000218 (Web makes a confidential client)', url: 'https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/confidential-client-application-authentication-error-aadsts7000218' },
] as const;

export const REDIRECT_URI_CATALOGUE: readonly RedirectUriEntry[] = [
  { client: 'VS Code', uri: 'http://127.0.0.1:33418', platform: 'publicClient', when: 'a non-Entra authorization server with a static client id: VS Code\'s own OAuth loopback (port 33418, another one when busy)', matches: /^http:\/\/127\.0\.0\.1:33418\/?$/ },
  { client: 'VS Code', uri: 'http://localhost', platform: 'publicClient', when: 'custom client id (mcp.json oauth.clientId or VSCODE_CLIENT_ID:) with Entra: MSAL loopback on a random port (http://localhost:<port>)', matches: /^http:\/\/localhost(:\d+)?\/?$/, why: VSCODE_PUBLIC_CLIENT, sources: VSCODE_SOURCES },
  { client: 'VS Code', uri: 'https://vscode.dev/redirect', platform: 'publicClient', when: 'custom client id with Entra: the protocol-handler flow (after the loopback flow, and in remote windows)', matches: /^https:\/\/vscode\.dev\/redirect\/?$/, why: VSCODE_PUBLIC_CLIENT, sources: VSCODE_SOURCES },
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

/**
 * The redirect URIs VS Code's Microsoft provider sends to Entra for a custom client id (mcp.json oauth.clientId):
 * MSAL's loopback http://localhost:<random port> (Entra ignores the port of a localhost redirect registered under
 * "Mobile and desktop", so the bare form stands for all), then the protocol handler https://vscode.dev/redirect.
 * http://127.0.0.1:33418 is VS Code's loopback for non-Entra authorization servers only.
 */
export const VSCODE_ENTRA_REDIRECT_URIS: readonly string[] = ['http://localhost', 'https://vscode.dev/redirect'];

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
