/**
 * Every AADSTS code in research/apim-entra-diagnostics.md §3.2, with what it means when a VS Code / Copilot /
 * Inspector client signs in to an API behind APIM, and the fix. Lookup is by the code number only:
 * Microsoft warns the message text changes, so `message` is shown as a hint and never matched.
 */
export interface AadstsEntry {
  readonly code: number;
  /** Official message prefix (or runtime capture) as quoted in the research; informative only. */
  readonly message: string;
  readonly meaning: string;
  readonly fix: string;
  readonly findingId: string;
}

const REDIRECT = 'entra.redirectUri.mismatch';
const CONSENT = 'entra.consent.required';
const ASSIGNMENT = 'entra.assignment.required';

export const AADSTS_CATALOGUE: readonly AadstsEntry[] = [
  {
    code: 50011,
    message: "InvalidReplyTo - The reply address is missing, misconfigured, or doesn't match reply addresses configured for the app.",
    meaning: 'The redirect URI the client sent is not registered on the app that owns the client_id (exact match: scheme, host, port, path and trailing slash all count).',
    fix: 'Add the exact redirect URI from the error to the app that owns the client_id (Authentication blade), under the platform the client needs: "Mobile and desktop applications" for loopback/native clients (VS Code, Copilot CLI), "Web" for confidential connectors (Copilot Studio), "Single-page application" for browser clients (MCP Inspector web UI). Changes can take three to five minutes to apply.',
    findingId: REDIRECT,
  },
  {
    code: 500113,
    message: 'AADSTS500113: No reply address is registered for the application.',
    meaning: 'The client app has no redirect URI at all, typically a fresh app registration used as VS Code\'s client id (oauth.clientId / VSCODE_CLIENT_ID).',
    fix: 'Add a platform and the client\'s redirect URIs to the client app (Authentication blade). For VS Code: "Mobile and desktop applications" with http://127.0.0.1:33418, http://localhost and https://vscode.dev/redirect. Use two app registrations: one for the API, one for the client.',
    findingId: 'entra.redirectUri.none',
  },
  {
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    meaning: 'A public client (VS Code loopback, MCP Inspector, device code) has its redirect URI registered as Web, so Entra treats it as a confidential client and wants a secret.',
    fix: 'Move the redirect URI from the "Web" platform to "Mobile and desktop applications" (or SPA for browser clients), or set "Allow public client flows" = Yes for flows without a redirect. Confidential clients (Copilot Studio connector) must send their client secret.',
    findingId: 'entra.redirectUri.platform',
  },
  {
    code: 9002326,
    message: "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client type.",
    meaning: 'A browser-hosted client (MCP Inspector web UI, a webview) redeemed the code from a browser while its redirect URI is registered as Web or Mobile and desktop.',
    fix: 'Register that redirect URI under the "Single-page application" platform, or redeem the code from a non-browser context.',
    findingId: 'entra.redirectUri.platform',
  },
  {
    code: 9002327,
    message: "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    meaning: 'The redirect URI is registered under "Single-page application", but the client redeems the code from outside a browser (no Origin header): VS Code, Copilot CLI and other native clients do.',
    fix: 'Register that redirect URI under "Mobile and desktop applications" instead (public clients redeeming from a process, with PKCE and no secret); keep SPA only for browser-hosted clients.',
    findingId: 'entra.redirectUri.platform',
  },
  {
    code: 9002313,
    message: 'Invalid request. Request is malformed or invalid.',
    meaning: 'Entra could not read the request (a malformed or duplicated parameter, a broken PKCE pair, a code from another request); matched by its code, the text varies.',
    fix: 'Start the sign-in again from the client; if it repeats, compare the authorize and token requests the client sends (client id, redirect_uri, code_verifier) and the trace id with Entra\'s sign-in logs.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 500011,
    message: "InvalidResourceServicePrincipalNotFound - The resource principal named {name} wasn't found in the tenant named {tenant}.",
    meaning: 'The scope/resource names an API with no service principal in the signing-in tenant: a typo in the App ID URI (PRM scopes_supported or client config), a multitenant API not provisioned in that tenant, or the wrong tenant.',
    fix: 'Fix the App ID URI in the scope, create the API\'s service principal in that tenant (admin consent), or sign in to the API\'s own tenant.',
    findingId: 'entra.resource.notFound',
  },
  {
    code: 65001,
    message: "DelegationDoesNotExist - The user or administrator hasn't consented to use the application with ID X. Send an interactive authorization request for this user and resource.",
    meaning: 'The client (VS Code is aebc6443-996d-45c2-90f0-388ff96faa56) is not pre-authorized for the API scope and nobody consented; VS Code shows no consent prompt.',
    fix: 'API app → Expose an API → Authorized client applications: add the client id for the scope (api.preAuthorizedApplications), or grant tenant-wide admin consent.',
    findingId: CONSENT,
  },
  {
    code: 90094,
    message: 'AdminConsentRequired - Administrator consent is required.',
    meaning: 'The scope needs admin consent, user consent is disabled by tenant policy, or the app requires assignment (which disables user consent).',
    fix: 'A tenant admin grants consent (Enterprise applications → Permissions → Grant admin consent), or pre-authorize the client on the API\'s scope.',
    findingId: CONSENT,
  },
  {
    code: 65004,
    message: 'UserDeclinedConsent - User declined to consent to access the app.',
    meaning: 'The user pressed Cancel on the consent prompt.',
    fix: 'Sign in again and accept, or have an admin grant consent / pre-authorize the client.',
    findingId: CONSENT,
  },
  {
    code: 90008,
    message: "TokenForItselfRequiresGraphPermission - The user or administrator hasn't consented to use the application. At the minimum, the application requires access to Microsoft Entra ID by specifying the sign-in and read user profile permission.",
    meaning: 'The app requests a token for itself without the Microsoft Graph sign-in permission.',
    fix: 'Add Microsoft Graph User.Read (or openid/profile) to the app\'s API permissions and consent.',
    findingId: CONSENT,
  },
  {
    code: 700016,
    message: "UnauthorizedClient_DoesNotMatchRequest - The application wasn't found in the directory/tenant.",
    meaning: 'The client id is wrong (object id or name pasted instead of the Application (client) ID) or the sign-in went to a tenant where the single-tenant client does not exist.',
    fix: 'Use the Application (client) ID from the app\'s Overview blade, and the tenant where the app lives (or make the client multitenant).',
    findingId: 'entra.client.notFound',
  },
  {
    code: 90002,
    message: "InvalidTenantName - The tenant name wasn't found in the data store. Check to make sure that you have the correct tenant ID.",
    meaning: 'The tenant in the authority (PRM authorization_servers, --authority, VSCODE_TENANT:) does not exist: a typo in the tenant id or domain, or a tenant of another cloud.',
    fix: 'Use the Directory (tenant) ID from the Entra admin center (Overview) in the PRM authorization_servers (https://login.microsoftonline.com/<tenant-id>/v2.0) and wherever the client names a tenant.',
    findingId: 'entra.tenant.notFound',
  },
  {
    code: 50020,
    message: "UserUnauthorized - Users are unauthorized to call this endpoint. User account '{email}' from identity provider '{idp}' does not exist in tenant '{tenant}' and cannot access the application '{appid}'({appName}) in that tenant.",
    meaning: 'A personal Microsoft account or an account from another tenant signed in to a single-tenant API.',
    fix: 'Sign in with an account of the API\'s tenant, or invite the user as a B2B guest; use a tenant-specific authority.',
    findingId: 'entra.account.wrongTenant',
  },
  {
    code: 90009,
    message: "TokenForItselfMissingIdenticalAppIdentifier - The application is requesting a token for itself. This scenario is supported only if the resource that's specified is using the GUID-based application ID.",
    meaning: 'One app registration is used as both the client and the API (for example mcp.json oauth.clientId = the API\'s app id) with an api:// or https:// scope.',
    fix: 'Use two app registrations (client and API), or request {apiAppId-GUID}/.default.',
    findingId: 'entra.client.sameAsApi',
  },
  {
    code: 50105,
    message: "EntitlementGrantsNotFound - The signed in user isn't assigned to a role for the signed in app. Assign the user to the app.",
    meaning: '"Assignment required?" is Yes on the enterprise app and the user is not assigned directly or through a (non-nested) group.',
    fix: 'Enterprise applications → <API app> → Users and groups → Add user/group (optionally with an app role), or set Properties → "Assignment required?" = No.',
    findingId: ASSIGNMENT,
  },
  {
    code: 501051,
    message: "AADSTS501051: Application '<clientAppId>'(<name>) is not assigned to a role for the application '<apiAppId>'(<name>)",
    meaning: 'The API requires assignment and the client service principal (daemon, connector app, managed identity) has no app-role assignment.',
    fix: 'Assign an app role (or the default role 00000000-0000-0000-0000-000000000000) to the client service principal on the API.',
    findingId: ASSIGNMENT,
  },
  {
    code: 650057,
    message: "Invalid resource. The client has requested access to a resource which isn't listed in the requested permissions in the client's application registration.",
    meaning: 'Your client (or the Copilot Studio connector app) asks for the API but its API permissions do not list it.',
    fix: 'Client app → API permissions → Add a permission → My APIs → the API\'s delegated scope; then grant consent.',
    findingId: 'entra.client.permissionMissing',
  },
  {
    code: 700024,
    message: 'AADSTS700024: Client assertion is not within its valid time range.',
    meaning: 'An expired client assertion or clock skew, e.g. a managed-identity federated credential used by an APIM callback policy or CI OIDC.',
    fix: 'Obtain a fresh assertion right before the token call and fix clock synchronisation.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 50076,
    message: 'UserStrongAuthClientAuthNRequired - … the user must use multifactor authentication to access the resource. Retry with a new authorize request for the resource.',
    meaning: 'Conditional Access requires MFA and a silent/refresh path cannot satisfy it.',
    fix: 'Sign in interactively (VS Code: Accounts → sign out and sign in again).',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 50079,
    message: 'UserStrongAuthEnrollmentRequired - … the user is required to use multifactor authentication.',
    meaning: 'The user has not registered MFA.',
    fix: 'The user registers security info (https://aka.ms/mysecurityinfo).',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 530003,
    message: 'AADSTS530003: Your device is required to be managed to access this resource.',
    meaning: 'Conditional Access requires a compliant or managed device; browser-only or device-code flows on an unmanaged machine fail.',
    fix: 'Sign in from a managed device (with the broker), or an admin adjusts the Conditional Access policy for this client app.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 530084,
    message: '(message text not captured; reported as a sign-in rejected by Conditional Access Token Protection)',
    meaning: 'VS Code ≥ 1.121 with the WAM broker on an Entra-joined Windows machine: Token Protection rejects the sign-in (device-bound tokens).',
    fix: 'Exclude this client from the Token Protection policy, or set "microsoft-authentication.implementation": "msal-no-broker" in VS Code settings.',
    findingId: 'entra.token.deviceBound',
  },
  {
    code: 70011,
    message: 'InvalidScope - The scope requested by the app is invalid.',
    meaning: 'The scope is not exposed or is mistyped, lacks the /<scope> or /.default part, or mixes .default with other scopes.',
    fix: 'Request <AppIdURI>/<scope> or <AppIdURI>/.default exactly as exposed in the API\'s "Expose an API" blade (and publish the same value in PRM scopes_supported).',
    findingId: 'entra.scope.invalid',
  },
  {
    code: 28000,
    message: 'AADSTS28000 Provided value for the input parameter scope is not valid because it contains more than one resource.',
    meaning: 'One request asks for scopes of two resources (e.g. Graph User.Read plus api://…/user_impersonation).',
    fix: 'Request scopes of one resource per token request (plus OIDC scopes).',
    findingId: 'entra.scope.invalid',
  },
  {
    code: 28003,
    message: "Provided value for the input parameter scope can't be empty when requesting an access token using the provided authorization code. Specify a valid scope.",
    meaning: 'The code was redeemed without a scope, e.g. by an APIM token-proxy policy.',
    fix: 'Include scope in the /token POST.',
    findingId: 'entra.scope.invalid',
  },
  {
    code: 900144,
    message: "The request body must contain the following parameter: '{name}'.",
    meaning: 'A /token request is missing client_id, grant_type, code, redirect_uri or code_verifier, typically when a proxy policy builds the body by hand.',
    fix: 'Add the named parameter to the token request.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 90014,
    message: "MissingRequiredField - This error code might appear in various cases when an expected field isn't present in the credential.",
    meaning: 'A malformed client assertion or request.',
    fix: 'Fix the request so it carries every required field.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 50126,
    message: 'InvalidUserNameOrPassword - Error validating credentials due to invalid username or password.',
    meaning: 'Wrong password at interactive sign-in.',
    fix: 'The user retries or resets the password.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 70001,
    message: 'UnauthorizedClient - The application is disabled.',
    meaning: 'The client app is disabled or not found.',
    fix: 'Re-enable or register the client app.',
    findingId: 'entra.client.notFound',
  },
  {
    code: 7000112,
    message: 'UnauthorizedClientApplicationDisabled - The application is disabled.',
    meaning: 'The service principal is disabled ("Enabled for users to sign-in?" = No) in the resource tenant.',
    fix: 'Enterprise applications → <app> → Properties → "Enabled for users to sign-in?" = Yes.',
    findingId: 'entra.client.notFound',
  },
  {
    code: 700054,
    message: "Response_type 'id_token' isn't enabled for the application.",
    meaning: 'The client asks for response_type=id_token (implicit/hybrid) without it being enabled.',
    fix: 'Use the authorization-code flow, or enable ID tokens under Authentication → Implicit grant and hybrid flows.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 50194,
    message: "Application '{appId}'({appName}) isn't configured as a multitenant application. Usage of the /common endpoint isn't supported for such applications created after '{time}'. Use a tenant-specific endpoint or configure the application to be multitenant.",
    meaning: 'The authority is /common (VS Code defaults to /organizations) while the client app is single-tenant.',
    fix: 'Use a tenant-specific authority: PRM authorization_servers with the tenant GUID (https://login.microsoftonline.com/<tenant-id>/v2.0), or VSCODE_TENANT:<tenant-id>.',
    findingId: 'entra.authority.tenant',
  },
  {
    code: 50000,
    message: "TokenIssuanceError - There's an issue with the sign-in service.",
    meaning: 'Revoked password/session, bad OBO parameters, consent problems with device code, a symmetric signing key on the app, or an API exposing only application permissions used with .default in OBO.',
    fix: 'Check each cause in turn; expose a delegated scope for OBO and remove symmetric keys.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 54005,
    message: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    meaning: 'A client or proxy (APIM token policy, retries) redeemed the same code twice.',
    fix: 'Never retry code redemption; restart the sign-in.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 700082,
    message: 'ExpiredOrRevokedGrantInactiveToken - The refresh token has expired due to inactivity.',
    meaning: 'A long-idle cached session (VS Code or a Copilot Studio connection).',
    fix: 'Sign in again interactively.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 7000215,
    message: 'Invalid client secret is provided.',
    meaning: 'The secret ID was pasted instead of its value, the secret belongs to another app, or it was rotated (7000222 = expired).',
    fix: 'Create a new client secret (Certificates & secrets) and paste its Value.',
    findingId: 'entra.client.secret',
  },
  {
    code: 7000222,
    message: '(message text not captured; the code means the client secret has expired)',
    meaning: 'The client secret has expired (Copilot Studio connector, APIM named value).',
    fix: 'Create a new client secret (Certificates & secrets) and update every place that stores it.',
    findingId: 'entra.client.secret',
  },
  {
    code: 70000,
    message: "InvalidGrant - Authentication failed. The refresh token isn't valid.",
    meaning: 'The refresh token the client holds was revoked or is not valid any more.',
    fix: 'Sign in again interactively (VS Code: sign out of the account and start the server again).',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 500133,
    message: "Assertion isn't within its valid time range. Ensure that the access token isn't expired before using it for user assertion, or request a new token.",
    meaning: 'On-behalf-of with an expired incoming token (the backend MCP server doing OBO).',
    fix: 'Refresh the incoming token before OBO.',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 50173,
    message: 'FreshTokenNeeded - The provided grant has expired due to it being revoked, and a fresh auth token is needed.',
    meaning: 'Tokens were revoked (password change, "revoke sessions").',
    fix: 'Sign in again interactively (VS Code: sign out of the account and start the server again).',
    findingId: 'entra.signIn.failed',
  },
  {
    code: 9010010,
    message: "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.",
    meaning: 'MCP clients send RFC 8707 resource=<PRM resource> (the APIM URL) while the scope belongs to an app whose Application ID URIs do not include that exact URL (trailing slash, api:// vs https://), or the scope is from another app.',
    fix: 'On the API app: set requestedAccessTokenVersion to 2, add the exact PRM resource URL (no trailing slash) to identifierUris, and publish scopes under that same URI in PRM scopes_supported.',
    findingId: 'entra.resource.mismatch',
  },
  {
    code: 901002,
    message: "'resource' request parameter is not supported",
    meaning: 'The client sent RFC 8707 resource to an Entra v2 endpoint that rejected it (microsoft/vscode#254009).',
    fix: 'Publish PRM with an https resource equal to an Application ID URI of the API, and v2 authorization_servers.',
    findingId: 'entra.resource.mismatch',
  },
];

const BY_CODE = new Map(AADSTS_CATALOGUE.map((e) => [e.code, e]));

export function lookupAadsts(code: number): AadstsEntry | undefined {
  return BY_CODE.get(code);
}

export function aadstsErrorUrl(code: number): string {
  return `https://login.microsoftonline.com/error?code=${code}`;
}
