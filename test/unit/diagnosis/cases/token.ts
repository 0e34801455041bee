/** Cases for the token and role families: claims that explain a rejected token, and tools the token's roles deny. */
import { VSCODE_CLIENT_ID } from '../../../../src/core/entra/authority';
import { API_APP, API_SCOPE, apimError, goodClaims, healthyPrm, NOW_S, OTHER_TENANT, TENANT, toolCallAnswer, type Setup } from '../observationBuilders';
import { BEARER_401, TOKEN_ACCEPTED, TOKEN_REJECTED, type FindingCase } from './findingCase';

const GRAPH = '00000003-0000-0000-c000-000000000000';
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** The gateway answered 401 to a token with these claims; the PRM is healthy. */
function rejected(claims: Record<string, unknown>, over: Setup = {}): Setup {
  return { auth: TOKEN_REJECTED, claims, prm: healthyPrm(), unauth: BEARER_401, ...over };
}

export const TOKEN_CASES: readonly FindingCase[] = [
  {
    id: 'entra.token.notJwt',
    name: 'an opaque token',
    setup: { claims: 'The token is not a JWT (it does not have three dot-separated parts).' },
    severity: 'error',
    evidence: [/not a JWT/],
  },
  {
    id: 'entra.token.expired',
    name: 'an expired token the gateway rejected',
    setup: rejected(goodClaims({ exp: NOW_S - 120 })),
    severity: 'error',
    evidence: [/HTTP 401.*Invalid JWT/, /^expired 120 s ago$/],
  },
  {
    id: 'entra.token.expired',
    name: '15.b an expired token refused with failed-validation-httpcode="403"',
    setup: rejected(goodClaims({ exp: NOW_S - 120 }), { auth: { ...apimError(403, 'Invalid JWT.'), sentSecretHeaders: ['Authorization'] } }),
    severity: 'error',
    evidence: [/HTTP 403.*Invalid JWT/, /^expired 120 s ago$/],
    not: ['apim.forbidden'],
  },
  {
    id: 'entra.token.expired',
    name: 'an expired token the gateway still accepted',
    setup: rejected(goodClaims({ exp: NOW_S - 5 }), { auth: TOKEN_ACCEPTED }),
    severity: 'warning',
    evidence: [/^expired 5 s ago$/],
  },
  {
    id: 'entra.token.notYetValid',
    name: 'nbf in the future',
    setup: rejected(goodClaims({ nbf: NOW_S + 600 })),
    severity: 'error',
    evidence: [/^nbf = 1800000600 \(2027-01-15T08:10:00\.000Z\)$/],
  },
  {
    id: 'entra.token.tenant',
    name: 'a token of another tenant',
    setup: rejected(goodClaims({ tid: OTHER_TENANT })),
    severity: 'error',
    evidence: [new RegExp(`^tid = "${OTHER_TENANT}"$`), new RegExp(`^expected tenant = "${TENANT}" \\(PRM authorization_servers\\)$`)],
  },
  {
    id: 'entra.token.audience',
    name: 'a Microsoft Graph token',
    setup: rejected(goodClaims({ aud: GRAPH, scp: 'User.Read openid' })),
    severity: 'error',
    evidence: [/^aud = "00000003-0000-0000-c000-000000000000" \(Microsoft Graph\)$/],
    says: new RegExp(`Request the API scope \\(${escape(API_SCOPE)}\\)`),
    not: ['entra.token.scope'],
  },
  {
    id: 'entra.token.audience',
    name: 'the GUID audience where the policy lists only the api:// form',
    setup: rejected(goodClaims(), { input: { expect: { audiences: [`api://${API_APP}`] } } }),
    severity: 'error',
    evidence: [/ \(an application id \(GUID\)\)$/, new RegExp(`^accepted audiences = "api://${API_APP}" \\(policy\\)$`)],
  },
  {
    id: 'entra.token.issuer',
    name: 'a v1 token where the PRM names the v2 authority',
    setup: rejected(goodClaims({ iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' })),
    severity: 'error',
    evidence: [/^iss = "https:\/\/sts\.windows\.net\//, /^PRM authorization server is the v2\.0 authority$/],
    says: /v1 issuer/,
  },
  {
    id: 'entra.token.clientApp',
    name: 'VS Code not in client-application-ids',
    setup: rejected(goodClaims(), { input: { expect: { clientApplicationIds: ['0a0b0c0d-1111-4222-8333-444455556666'] } } }),
    severity: 'error',
    evidence: [new RegExp(`^azp = "${VSCODE_CLIENT_ID}" \\(VS Code\\)$`)],
  },
  {
    id: 'entra.token.scope',
    name: 'a token without the API scope',
    setup: rejected(goodClaims({ scp: 'Files.Read' })),
    severity: 'error',
    evidence: [/^scp = "Files\.Read"$/, /^expected one of: "user_impersonate"$/],
  },
  {
    id: 'entra.token.deviceBound',
    name: 'a proof-of-possession token',
    setup: rejected(goodClaims({ cnf: { kid: 'pop-key' } })),
    severity: 'error',
    evidence: [/^cnf = \{"kid":"pop-key"\}$/],
    says: /msal-no-broker/,
  },
  {
    id: 'entra.token.rejected',
    name: 'a 401 to a token whose claims look right',
    setup: rejected(goodClaims()),
    severity: 'error',
    evidence: [/HTTP 401.*Invalid JWT/, new RegExp(`^aud = "${API_APP}"$`)],
  },
  {
    id: 'entra.token.roleMissing',
    name: 'the token lacks the role of one tool',
    setup: {
      input: { toolRoles: { listProducts: 'Products.Read', deleteProduct: 'Products.Admin' } },
      auth: TOKEN_ACCEPTED,
      authAttempt: { tools: [{ name: 'listProducts' }, { name: 'deleteProduct' }], toolCall: { name: 'listProducts' } },
      claims: goodClaims({ roles: ['Products.Read'] }),
      prm: healthyPrm(),
      exchanges: [toolCallAnswer({ status: 200 })],
    },
    severity: 'error',
    evidence: [
      /^deleteProduct: needs Products\.Admin → denied \(403\)$/,
      /^listProducts: needs Products\.Read → allowed$/,
      /^checked with a read-only call: tools\/call listProducts → HTTP 200$/,
    ],
    says: /Products\.Admin/,
  },
];
