/**
 * AADSTS texts the Entra emulator sends. Texts marked `research` are verbatim from
 * shared/research/apim-entra-diagnostics.md §3.2 (runtime form where the research has one, else the official message
 * without its symbolic name). Texts marked `sandbox` are NOT verified against real Entra: the research has no text for
 * them, so they are this emulator's own wording (the code and `error` value follow Entra's conventions).
 */
export interface AadError {
  code: number;
  /** OAuth `error` value. */
  error: string;
  message: string;
  source: 'research' | 'sandbox';
}

const e = (code: number, error: string, message: string, source: AadError['source'] = 'research'): AadError => ({ code, error, message, source });

export const AAD = {
  redirectMismatch: (redirectUri: string, appId: string) =>
    e(
      50011,
      'invalid_request',
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    ),
  noReplyAddress: () => e(500113, 'invalid_request', 'No reply address is registered for the application.'),
  appNotFound: (clientId: string, tenant: string) =>
    e(
      700016,
      'unauthorized_client',
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  // Runtime form names the client app (learn.microsoft.com troubleshoot-consent-issues; FIDELITY.md row E12).
  consentMissing: (clientId: string, clientName: string) =>
    e(65001, 'invalid_grant', `The user or administrator has not consented to use the application with ID '${clientId}' named '${clientName}'. Send an interactive authorization request for this user and resource.`),
  adminConsentRequired: () => e(90094, 'invalid_grant', 'Administrator consent is required.'),
  // Runtime form (captures of live sign-ins; FIDELITY.md row E13).
  userNotAssigned: (appName: string, appId: string, upn: string) =>
    e(
      50105,
      'invalid_grant',
      `Your administrator has configured the application ${appName} ('${appId}') to block users unless they are specifically granted ('assigned') access to the application. The signed in user '${upn}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application.`,
    ),
  clientNotAssigned: (clientId: string, clientName: string, apiId: string, apiName: string) =>
    e(501051, 'invalid_client', `Application '${clientId}'(${clientName}) is not assigned to a role for the application '${apiId}'(${apiName})`),
  secretRequired: () => e(7000218, 'invalid_client', "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  invalidSecret: () => e(7000215, 'invalid_client', 'Invalid client secret is provided.'),
  missingParameter: (name: string) => e(900144, 'invalid_request', `The request body must contain the following parameter: '${name}'.`),
  invalidScope: () => e(70011, 'invalid_scope', "The provided value for the input parameter 'scope' isn't valid."),
  multipleResources: () => e(28000, 'invalid_scope', 'Provided value for the input parameter scope is not valid because it contains more than one resource.'),
  emptyScopeOnCode: () =>
    e(28003, 'invalid_scope', "Provided value for the input parameter scope can't be empty when requesting an access token using the provided authorization code. Specify a valid scope."),
  resourceNotFound: (name: string, tenant: string) => e(500011, 'invalid_resource', `The resource principal named ${name} wasn't found in the tenant named ${tenant}.`),
  resourceScopeMismatch: () => e(9010010, 'invalid_target', "The resource parameter provided in the request doesn't match with the requested scopes."),
  tokenForItself: (appId: string, name: string) =>
    e(90009, 'invalid_request', `Application '${appId}'(${name}) is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier.`),
  codeRedeemed: () => e(54005, 'invalid_grant', 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  crossOriginRedemption: () => e(9002326, 'invalid_request', "Cross-origin token redemption is permitted only for the 'Single-Page Application' client type."),
  refreshInvalid: () => e(70000, 'invalid_grant', "Authentication failed. The refresh token isn't valid."),
  // Public captures of live answers (FIDELITY.md E9, E16).
  tenantNotFound: (tenant: string) =>
    e(
      90002,
      'invalid_tenant',
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  loginRequired: () => e(50058, 'login_required', 'A silent sign-in request was sent but no user is signed in.'),
  // --- sandbox wording (no verified text in the research) ---
  userNotFound: (login: string, tenant: string) =>
    e(50034, 'invalid_request', `The user account ${login} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory.`, 'sandbox'),
  sessionLost: () => e(50089, 'invalid_request', 'Flow token expired - Authentication Failed. Have the user try signing-in again with username -password.', 'sandbox'),
  codeInvalid: () => e(70008, 'invalid_grant', 'The provided authorization code is invalid or has expired.', 'sandbox'),
  pkceMismatch: () => e(501481, 'invalid_grant', 'The Code_Verifier does not match the code_challenge supplied in the authorization request.', 'sandbox'),
  redirectMismatchAtToken: () => e(70000, 'invalid_grant', "The provided value for the input parameter 'redirect_uri' is not valid.", 'sandbox'),
  unsupportedGrant: (grant: string) => e(70003, 'unsupported_grant_type', `The app requested an unsupported grant type '${grant}'.`, 'sandbox'),
  unsupportedResponseType: () => e(70005, 'unsupported_response_type', "The provided value for the input parameter 'response_type' isn't allowed for this request.", 'sandbox'),
  authorizationPending: () => e(70016, 'authorization_pending', 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.', 'sandbox'),
  authorizationDeclined: () => e(70000, 'authorization_declined', 'The end user denied the authorization request.', 'sandbox'),
  deviceCodeExpired: () => e(70020, 'expired_token', 'The provided value for the input parameter device_code has expired.', 'sandbox'),
  deviceCodeInvalid: () => e(70019, 'invalid_grant', 'The provided device code is invalid.', 'sandbox'),
} as const;

/** An Entra refusal raised inside the emulator and answered as a page, a redirect or token-endpoint JSON. */
export class AadFailure extends Error {
  constructor(readonly aad: AadError) {
    super(`AADSTS${aad.code}`);
  }
}

/** Entra's timestamp form in error descriptions: `2016-01-09 02:02:12Z`. */
export function entraTimestamp(date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}
