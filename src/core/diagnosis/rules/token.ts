/**
 * Token family: what the access token's claims say about why the gateway rejected it (or would). Expiry, tenant,
 * audience, issuer version, client application, scope and proof-of-possession, compared with the policy's
 * expectations when known and with the PRM otherwise. Claims are decoded, never verified. A claim problem is an
 * error when the gateway answered 401 to the token, a warning when it accepted it.
 */
import * as l10n from '@vscode/l10n';
import { FIX_COMMANDS } from '../fixCommands';
import { GUID } from '../../basics';
import { issuerShape, scopeName, VSCODE_CLIENT_ID } from '../../entra/authority';
import { claimList, claimString, claimTime, type DecodedToken } from '../../entra/jwt';
import type { HttpExchange } from '../../probe/probeHttpClient';
import { PORTAL, quote } from '../finding';
import type { DiagnoseInput, Observations, PolicyExpectationKey } from '../observe';
import { expectedFromPrm, guidIn, prmScopes, type PrmExpectations } from './prmExpectations';
import { isTokenRefusal } from './response';
import { describeExchange, report, sentHeader, type FindingText, type RuleContext } from './ruleContext';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const API_APP = '<api-app-id>';
/** The claims a validate-jwt policy checks, quoted when the gateway rejected a token for no visible reason. */
const SHOWN_CLAIMS = ['aud', 'iss', 'tid', 'azp', 'appid', 'ver', 'scp', 'roles'];

/** A claim problem's text; its severity depends on whether the gateway rejected the token. */
type ClaimText = Omit<FindingText, 'severity'>;

interface ClaimProblem extends ClaimText {
  readonly evidence: string[];
}

const SIGN_IN_AGAIN =
  'Get a new token: in VS Code sign out of the account (Accounts menu) and start the server again; ' +
  'with the CLI, mint a new token (az account get-access-token --scope <api-scope>).';

/** What each token finding says; the checks below only decide which applies and gather the evidence. */
const TEXT = {
  notJwt: (): FindingText => ({
    id: 'entra.token.notJwt',
    severity: 'error',
    title: l10n.t('The access token is not a JWT'),
    fix: {
      summary:
        l10n.t('Pass the access token itself (three base64url parts separated by dots), without quotes; an opaque token or an ID token is not what APIM validates.'),
    },
  }),
  rejected: (): FindingText => ({
    id: 'entra.token.rejected',
    severity: 'error',
    title: l10n.t('The gateway rejected the token, and its claims do not show why'),
    fix: {
      summary:
        l10n.t('Compare the claims with the validate-jwt / validate-azure-ad-token policy (audiences, issuers, required-claims, client-application-ids). A signature failure (token from another tenant\'s keys, or a signing key the gateway has not fetched yet) looks the same from outside: run an APIM trace (Apim-Debug-Authorization) to see the IDX reason.'),
    },
  }),
  expired: (): ClaimText => ({
    id: 'entra.token.expired',
    title: l10n.t('The access token has expired'),
    fix: { summary: l10n.t('{0} APIM\'s clock-skew is 0 s by default; clients must refresh before exp.', SIGN_IN_AGAIN) },
  }),
  notYetValid: (): ClaimText => ({
    id: 'entra.token.notYetValid',
    title: l10n.t('The access token is not valid yet'),
    fix: { summary: l10n.t('Check the clock of the machine that issued or checks the token; allow a small clock-skew in validate-jwt (clock-skew="60").') },
  }),
  tenant: (expectedTenant: string): ClaimText => ({
    id: 'entra.token.tenant',
    title: l10n.t('The token comes from another tenant'),
    fix: {
      summary:
        l10n.t('Sign in to tenant {0}: VS Code takes the tenant from the PRM authorization server; otherwise use VSCODE_TENANT:{0} or az login --tenant {0}.', expectedTenant),
    },
  }),
  graphAudience: (apiScope: string | undefined, apiAppId: string | undefined): ClaimText => ({
    id: 'entra.token.audience',
    title: l10n.t('The token is for Microsoft Graph, not for this API'),
    fix: {
      summary: l10n.t({
        message:
          'The client asked only for Graph scopes (User.Read/openid), so Entra issued a Microsoft Graph token. Request the API scope ({0}) and publish it in PRM scopes_supported.',
        args: [apiScope ?? `api://${API_APP}/user_impersonate`],
        comment: ['{0} is an OAuth scope such as api://<app-id>/user_impersonate.'],
      }),
      snippet: undefined,
      commands: [FIX_COMMANDS.showApiApp(apiAppId)],
    },
  }),
  audience: (apiAppId: string | undefined): ClaimText => ({
    id: 'entra.token.audience',
    title: l10n.t('The token audience is not one the gateway accepts'),
    fix: {
      summary:
        l10n.t('v2 tokens carry the API\'s application id (GUID) as aud; v1 tokens may carry the Application ID URI (api://…). List both forms in the policy\'s <audiences>, or pin v2 tokens (requestedAccessTokenVersion: 2) and accept the GUID.'),
      snippet: {
        language: 'xml',
        code: `<audiences>\n    <audience>${apiAppId ?? API_APP}</audience>\n    <audience>api://${apiAppId ?? API_APP}</audience>\n</audiences>`,
      },
      commands: [FIX_COMMANDS.showApiApp(apiAppId)],
    },
  }),
  issuer: (version: number | undefined, apiAppId: string | undefined, tenantId: string | undefined): ClaimText => ({
    id: 'entra.token.issuer',
    title: l10n.t({ message: 'The token has a v{0} issuer the gateway does not accept', args: [version ?? '?'], comment: ['{0} is the token version, 1 or 2.'] }),
    fix: {
      summary:
        l10n.t('Entra has two issuers, not one: v1 https://sts.windows.net/<tenant-id>/ and v2 https://login.microsoftonline.com/<tenant-id>/v2.0. The API app decides which tokens are issued. Set requestedAccessTokenVersion: 2 on the API app, and accept both issuers in validate-jwt until old tokens expire (or use validate-azure-ad-token, which accepts both).'),
      commands: [FIX_COMMANDS.pinV2Tokens(apiAppId)],
      snippet: {
        language: 'xml',
        code:
          `<issuers>\n    <issuer>https://login.microsoftonline.com/${tenantId ?? '<tenant-id>'}/v2.0</issuer>\n` +
          `    <issuer>https://sts.windows.net/${tenantId ?? '<tenant-id>'}/</issuer>\n</issuers>`,
      },
      links: [{ label: 'API app → Manifest', url: PORTAL.appManifest(apiAppId ?? API_APP) }],
    },
  }),
  clientApp: (clientId: string): ClaimText => ({
    id: 'entra.token.clientApp',
    title: l10n.t('The client application is not in the policy\'s client-application-ids'),
    fix: {
      summary: l10n.t('Add {0} to <client-application-ids> in validate-azure-ad-token (VS Code\'s client id is {1}).', clientId, VSCODE_CLIENT_ID),
      snippet: { language: 'xml', code: `<client-application-ids>\n    <application-id>${clientId}</application-id>\n</client-application-ids>` },
    },
  }),
  scope: (wantedScope: string | undefined): ClaimText => ({
    id: 'entra.token.scope',
    title: l10n.t('The token lacks the API scope'),
    fix: { summary: l10n.t('Request the API scope ({0}) when signing in, and publish it in PRM scopes_supported so clients ask for it.', String(wantedScope)) },
  }),
  deviceBound: (): ClaimText => ({
    id: 'entra.token.deviceBound',
    title: l10n.t('The token is device-bound (cnf claim)'),
    fix: {
      summary:
        l10n.t('VS Code ≥ 1.121 with the WAM broker issues proof-of-possession (cnf) tokens that APIM rejects: set "microsoft-authentication.implementation": "msal-no-broker" in VS Code settings and sign in again.'),
      snippet: { language: 'json', code: '{\n  "microsoft-authentication.implementation": "msal-no-broker"\n}' },
    },
  }),
} satisfies Record<string, FindingText | ClaimText | ((...args: never[]) => ClaimText)>;

export function tokenRules(ctx: RuleContext, primaryFail: HttpExchange | undefined): void {
  const { obs } = ctx;
  if (!obs.token) return;
  if (!obs.token.ok) {
    report(ctx, TEXT.notJwt(), [obs.token.error]);
    return;
  }
  // A 401 (or validate-jwt's 403) to the token, unless the key or a token the gateway could not find already explains it.
  const rejected = Boolean(
    primaryFail &&
      (primaryFail.status === 401 || (primaryFail.status === 403 && isTokenRefusal(ctx, primaryFail))) &&
      sentHeader(primaryFail, 'Authorization') &&
      !ctx.out.some((f) => f.id.startsWith('apim.key.') || f.id === 'entra.token.missing'),
  );
  const problems = claimProblems(obs, obs.token.token);
  const gateway = primaryFail ? describeExchange(primaryFail) : undefined;
  for (const p of problems) {
    report(ctx, { ...p, severity: rejected ? 'error' : 'warning' }, rejected && gateway ? [gateway, ...p.evidence] : p.evidence);
  }
  if (rejected && !problems.length) {
    const c = obs.token.token.claims;
    const claimLines = SHOWN_CLAIMS.filter((k) => c[k] !== undefined).map((k) => `${k} = ${quote(JSON.stringify(c[k]), 200)}`);
    report(ctx, TEXT.rejected(), [gateway!, ...claimLines]);
  }
}

/** A decoded token whose claims show no problem against the policy (when known) or the PRM. */
export function tokenLooksAccepted(obs: Observations): boolean {
  return Boolean(obs.token?.ok && claimProblems(obs, obs.token.token).length === 0);
}

/** The claims the checks read, and what the policy (when known) or the PRM expects of them. */
interface TokenFacts {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly now: number;
  readonly aud?: string;
  readonly iss?: string;
  readonly tid?: string;
  readonly ver?: string;
  /** `azp` (v2) or `appid` (v1): the client application. */
  readonly azp?: string;
  readonly scp?: string[];
  readonly audienceWrong: boolean;
  readonly prm: PrmExpectations;
  readonly expect: NonNullable<DiagnoseInput['expect']>;
  /** The PRM's first scope as published, for the fix text. */
  readonly firstPrmScope?: string;
}

type ClaimCheck = (t: TokenFacts) => ClaimProblem | undefined;

function claimProblems(obs: Observations, token: DecodedToken): ClaimProblem[] {
  const c = token.claims;
  const prm = expectedFromPrm(obs);
  const expect = obs.input.expect ?? {};
  const aud = claimString(c, 'aud');
  const facts: TokenFacts = {
    claims: c,
    now: Math.floor(obs.now / 1000),
    aud,
    iss: claimString(c, 'iss'),
    tid: claimString(c, 'tid'),
    ver: claimString(c, 'ver'),
    azp: claimString(c, 'azp') ?? claimString(c, 'appid'),
    scp: claimList(c, 'scp'),
    audienceWrong: Boolean(aud && audienceMismatch(aud, expect.audiences, prm.apiAppId)),
    prm,
    expect,
    firstPrmScope: prmScopes(obs)[0],
  };
  const checks: ClaimCheck[] = [expiredCheck, notYetValidCheck, tenantCheck, audienceCheck, issuerCheck, clientAppCheck, scopeCheck, deviceBoundCheck];
  return checks.map((check) => check(facts)).filter((p): p is ClaimProblem => p !== undefined);
}

const iso = (t: number): string => new Date(t * 1000).toISOString();

const expiredCheck: ClaimCheck = ({ claims, now }) => {
  const exp = claimTime(claims, 'exp');
  if (exp === undefined || exp > now) return undefined;
  return { ...TEXT.expired(), evidence: [`exp = ${exp} (${iso(exp)})`, `now = ${now} (${iso(now)})`, `expired ${now - exp} s ago`] };
};

const notYetValidCheck: ClaimCheck = ({ claims, now }) => {
  const nbf = claimTime(claims, 'nbf');
  if (nbf === undefined || nbf <= now) return undefined;
  return { ...TEXT.notYetValid(), evidence: [`nbf = ${nbf} (${iso(nbf)})`, `now = ${now} (${iso(now)})`] };
};

/** Where an expectation comes from, for the evidence line: the policy line that says it, or the PRM. */
function expectedBy(expect: TokenFacts['expect'], key: PolicyExpectationKey, fromPolicy: boolean, otherwise: string): string {
  if (!fromPolicy) return otherwise;
  return expect.source?.lines[key] ?? expect.source?.label ?? 'policy';
}

/** The tenant the token should come from (the policy's, else the PRM authority's), when it is a tenant id. */
function expectedTenantOf({ expect, prm }: TokenFacts): string | undefined {
  const tenant = expect.tenantId ?? prm.tenant;
  return tenant && GUID.test(tenant) ? tenant : undefined;
}

const tenantCheck: ClaimCheck = (facts) => {
  const { tid, expect } = facts;
  const expectedTenant = expectedTenantOf(facts);
  if (!tid || !expectedTenant || tid.toLowerCase() === expectedTenant.toLowerCase()) return undefined;
  const source = expectedBy(expect, 'tenantId', Boolean(expect.tenantId), 'PRM authorization_servers');
  return { ...TEXT.tenant(expectedTenant), evidence: [`tid = "${quote(tid, 60)}"`, `expected tenant = "${expectedTenant}" (${source})`] };
};

const audienceCheck: ClaimCheck = ({ aud, ver, scp, audienceWrong, expect, prm, firstPrmScope }) => {
  if (!aud || !audienceWrong) return undefined;
  const graph = aud === GRAPH_APP_ID;
  const form = GUID.test(aud) ? 'an application id (GUID)' : aud.startsWith('api://') ? 'an api:// Application ID URI' : 'a URI';
  const accepted = expect.audiences?.length ? [...expect.audiences] : prm.audiences;
  const evidence = [
    `aud = "${quote(aud, 200)}" (${graph ? 'Microsoft Graph' : form})`,
    `ver = "${ver ?? '(none)'}"`,
    ...(scp ? [`scp = "${quote(scp.join(' '), 200)}"`] : []),
    `accepted audiences = ${accepted.map((a) => `"${a}"`).join(', ') || '(unknown)'} (${expectedBy(expect, 'audiences', Boolean(expect.audiences?.length), 'PRM scopes_supported')})`,
  ];
  const text = graph ? TEXT.graphAudience(prm.scopes.length ? firstPrmScope : undefined, prm.apiAppId) : TEXT.audience(prm.apiAppId);
  return { ...text, evidence };
};

const issuerCheck: ClaimCheck = (facts) => {
  const { iss, ver, tid, expect, prm } = facts;
  // A token from another tenant has another issuer as a consequence: the tenant finding says it.
  const tenant = expectedTenantOf(facts);
  if (!iss || (tid && tenant && tid.toLowerCase() !== tenant.toLowerCase())) return undefined;
  const shape = issuerShape(iss);
  // The policy's issuers: exact membership; its openid-config alone: that metadata's version; the PRM alone: only a
  // v1 token against a v2 authority.
  let mismatch: boolean;
  let accepted: string;
  if (expect.issuers?.length) {
    mismatch = !expect.issuers.includes(iss);
    accepted = `accepted issuers = ${expect.issuers.map((i) => `"${i}"`).join(', ')} (${expectedBy(expect, 'issuers', true, '')})`;
  } else if (expect.issuerVersion) {
    mismatch = shape?.version !== expect.issuerVersion;
    accepted = `validate-jwt takes its issuer from v${expect.issuerVersion} metadata, so only v${expect.issuerVersion} tokens pass (${expectedBy(expect, 'issuers', true, '')})`;
  } else {
    mismatch = shape?.version === 1 && prm.v2Authority;
    accepted = 'PRM authorization server is the v2.0 authority';
  }
  if (!mismatch) return undefined;
  return { ...TEXT.issuer(shape?.version, prm.apiAppId, tid), evidence: [`iss = "${quote(iss, 200)}"`, `ver = "${ver ?? '(none)'}"`, accepted] };
};

const clientAppCheck: ClaimCheck = ({ azp, claims, expect }) => {
  const allowed = expect.clientApplicationIds;
  if (!azp || !allowed?.length || allowed.some((id) => id.toLowerCase() === azp.toLowerCase())) return undefined;
  const claimName = claimString(claims, 'azp') ? 'azp' : 'appid';
  const evidence = [
    `${claimName} = "${quote(azp, 60)}"${azp === VSCODE_CLIENT_ID ? ' (VS Code)' : ''}`,
    `client-application-ids = ${allowed.map((i) => `"${i}"`).join(', ')} (${expectedBy(expect, 'clientApplicationIds', true, '')})`,
  ];
  return { ...TEXT.clientApp(azp), evidence };
};

const scopeCheck: ClaimCheck = ({ scp, audienceWrong, expect, prm }) => {
  const wanted = expect.scopes?.length ? expect.scopes.map(scopeName) : prm.scopes;
  // A token for another resource lacks the scope as a consequence: the audience finding says it.
  if (audienceWrong || !scp || !wanted.length || wanted.some((s) => scp.includes(s))) return undefined;
  return { ...TEXT.scope(wanted[0]), evidence: [`scp = "${quote(scp.join(' '), 200)}"`, `expected one of: ${wanted.map((s) => `"${s}"`).join(', ')}`] };
};

const deviceBoundCheck: ClaimCheck = ({ claims, azp }) => {
  if (claims['cnf'] === undefined) return undefined;
  return { ...TEXT.deviceBound(), evidence: [`cnf = ${quote(JSON.stringify(claims['cnf']), 200)}`, `azp = "${azp ?? ''}"`] };
};

/**
 * Audience check. With the policy's audiences known, exact membership. From PRM alone only what is certain:
 * a Graph token, or a GUID-bearing aud that names another app than the API's (api://<guid> scope).
 * An https App ID URI does not reveal the API's app id, so a v2 GUID aud cannot be judged from outside.
 */
function audienceMismatch(aud: string, policyAudiences: readonly string[] | undefined, apiAppId: string | undefined): boolean {
  if (aud === GRAPH_APP_ID) return true;
  if (policyAudiences?.length) return !policyAudiences.some((a) => a.toLowerCase() === aud.toLowerCase());
  const guid = guidIn(aud);
  return Boolean(apiAppId && guid && guid !== apiAppId);
}
