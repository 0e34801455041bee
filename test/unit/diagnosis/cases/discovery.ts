/** Cases for the discovery family: the Bearer challenge, the PRM and the authorization server behind it. */
import { aadstsPreflight, apimError, authServer, AUTHORITY, exchange, healthyPrm, MCP_URL, PRM_URL, prmAttempt, TENANT } from '../observationBuilders';
import { BEARER_401, type FindingCase } from './findingCase';

const NOT_FOUND = { url: PRM_URL, ...apimError(404, 'Resource not found') };
const OTHER_AS = 'https://auth.contoso.example';
const WRONG_RESOURCE = 'https://contoso.azure-api.net/products';

const GATEWAY = 'https://contoso.azure-api.net';

export const DISCOVERY_CASES: readonly FindingCase[] = [
  {
    id: 'mcp.auth.originAuthorizationServer',
    name: 'no PRM, but the MCP origin is its own authorization server (APIM as AS)',
    setup: {
      unauth: { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
      prmAttempts: [{ ...prmAttempt({}), document: undefined, exchange: exchange(NOT_FOUND) }],
      originAuthServer: authServer({ issuer: GATEWAY, authorization_endpoint: `${GATEWAY}/authorize`, registration_endpoint: `${GATEWAY}/register` }, GATEWAY),
    },
    severity: 'info',
    evidence: [/^client fallback: GET https:\/\/contoso\.azure-api\.net\/\.well-known\/openid-configuration → HTTP 200/],
    not: ['mcp.auth.noResourceMetadata'],
  },
  {
    id: 'mcp.prm.missing',
    name: 'the challenge names a missing PRM while a document sits at the well-known path: no fallback',
    setup: {
      unauth: BEARER_401,
      prmAttempts: [
        { ...prmAttempt({}), source: 'challenge', url: `${GATEWAY}/products/prm`, document: undefined, exchange: exchange({ ...NOT_FOUND, url: `${GATEWAY}/products/prm` }) },
        prmAttempt(healthyPrm()),
      ],
    },
    severity: 'error',
    evidence: [/clients fetch only this URL: no well-known fallback/, /^a PRM document exists at https:\/\/contoso\.azure-api\.net\/\.well-known\/oauth-protected-resource\/products\/mcp, but clients do not fetch it here$/],
  },
  {
    id: 'mcp.prm.invalid',
    name: 'PRM is an HTML page',
    setup: { unauth: BEARER_401, prmAttempts: [{ ...prmAttempt({}), document: undefined, problem: 'not JSON' }] },
    severity: 'error',
    evidence: [/^problem: not JSON$/],
  },
  {
    id: 'mcp.auth.noResourceMetadata',
    name: 'a Bearer challenge without resource_metadata and no PRM',
    setup: {
      unauth: { status: 401, headers: { 'www-authenticate': 'Bearer realm="contoso"' } },
      prmAttempts: [{ ...prmAttempt({}), document: undefined, exchange: exchange(NOT_FOUND) }],
      fallbackProbes: [exchange({ url: 'https://contoso.azure-api.net/authorize', ...apimError(404, 'Resource not found') })],
    },
    severity: 'error',
    evidence: [/^client fallback: GET https:\/\/contoso\.azure-api\.net\/authorize → HTTP 404/, /^PRM wellKnownPath: .*HTTP 404/],
  },
  {
    id: 'mcp.prm.missing',
    name: 'the challenge names a PRM that is not there',
    setup: { unauth: BEARER_401, prmAttempts: [{ ...prmAttempt({}), source: 'challenge', document: undefined, exchange: exchange(NOT_FOUND) }] },
    severity: 'error',
    evidence: [/^challenge resource_metadata="https:\/\/contoso\.azure-api\.net\/\.well-known/, /^PRM challenge: .*HTTP 404/],
  },
  {
    id: 'mcp.prm.resourceMismatch',
    name: 'PRM resource without the /mcp path',
    setup: { unauth: BEARER_401, prm: healthyPrm({ resource: WRONG_RESOURCE }) },
    severity: 'error',
    evidence: [/"resource": "https:\/\/contoso\.azure-api\.net\/products"$/, /^MCP URL: "https:\/\/contoso\.azure-api\.net\/products\/mcp"$/],
  },
  {
    id: 'mcp.prm.resourceMismatch',
    name: 'Entra refuses the wrong resource too (AADSTS9010010 folded in)',
    setup: { unauth: BEARER_401, prm: healthyPrm({ resource: WRONG_RESOURCE }), preflights: [aadstsPreflight(9010010, { resource: WRONG_RESOURCE })] },
    severity: 'error',
    evidence: [/^with resource=https:\/\/contoso\.azure-api\.net\/products: AADSTS9010010/],
    not: ['entra.resource.mismatch'],
  },
  {
    id: 'mcp.prm.noAuthorizationServer',
    name: 'PRM without authorization_servers',
    setup: { unauth: BEARER_401, prm: healthyPrm({ authorization_servers: undefined }) },
    severity: 'error',
    evidence: [/^PRM at https:\/\/.*"resource"/],
  },
  {
    id: 'mcp.prm.authServerVersion',
    name: 'PRM names the v1 authority',
    setup: { unauth: BEARER_401, prm: healthyPrm({ authorization_servers: [`https://login.microsoftonline.com/${TENANT}`] }) },
    severity: 'error',
    evidence: [new RegExp(`^authorization_servers\\[0\\] = "https://login\\.microsoftonline\\.com/${TENANT}"$`)],
    says: new RegExp(`${TENANT}/v2\\.0`),
  },
  {
    id: 'entra.metadata.unreachable',
    name: 'the authority has no OpenID configuration',
    setup: { unauth: BEARER_401, prm: healthyPrm(), authServer: authServer(undefined, AUTHORITY, apimError(404, 'Not found')) },
    severity: 'error',
    evidence: [/openid-configuration → HTTP 404/],
  },
  {
    id: 'mcp.auth.noClientRegistration',
    name: 'a non-Entra authorization server without dynamic registration and no client id',
    setup: {
      unauth: BEARER_401,
      prm: healthyPrm({ authorization_servers: [OTHER_AS] }),
      authServer: authServer({ issuer: OTHER_AS, authorization_endpoint: `${OTHER_AS}/authorize` }, OTHER_AS),
    },
    severity: 'error',
    evidence: [/^https:\/\/auth\.contoso\.example: no registration_endpoint in its metadata$/],
  },
  {
    id: 'mcp.prm.noScopes',
    name: 'PRM without scopes',
    setup: { unauth: BEARER_401, prm: healthyPrm({ scopes_supported: [] }) },
    severity: 'warning',
    evidence: [/^PRM at https:\/\//],
  },
  {
    id: 'mcp.prm.scopeResource',
    name: 'scopes under another Application ID URI than the resource',
    setup: { unauth: BEARER_401, prm: healthyPrm({ scopes_supported: ['api://contoso-products/user_impersonate'] }) },
    severity: 'warning',
    evidence: [/^scopes_supported: "api:\/\/contoso-products\/user_impersonate"$/],
    says: /AADSTS9010010/,
  },
  {
    id: 'entra.signIn.required',
    name: 'before sign-in, with discovery working',
    setup: { unauth: BEARER_401, prm: healthyPrm({ scopes_supported: [`${MCP_URL}/user_impersonate`] }), authServer: authServer({ issuer: AUTHORITY }) },
    severity: 'info',
    evidence: [/HTTP 401 · WWW-Authenticate: Bearer/, new RegExp(`^authorization server: ${AUTHORITY}$`)],
  },
];
