/**
 * Firing and quiet cases for the rules issue 19 added, in the shapes real policies use them (see the corpus in
 * test/fixtures/policy-corpus for whole files).
 */
import { APP, GOOD_JWT, mcpPolicy, TENANT, type Case } from './ruleCases';

const OTHER = { scope: 'other' } as const;

/** An API policy (not MCP) with one validator and the given extra inbound / on-error. */
function apiPolicy(validator: string, inbound = '', onError = '', outbound = ''): string {
  return `<policies>\n<inbound>\n<base />\n${validator}\n${inbound}\n</inbound>\n<backend><base /></backend>\n<outbound><base />${outbound}</outbound>\n<on-error><base />${onError}</on-error>\n</policies>`;
}

const SIGNED = (inner = ''): string => `<validate-jwt header-name="Authorization"><issuer-signing-keys><key>{{signing-key}}</key></issuer-signing-keys>${inner}</validate-jwt>`;
const AAD = (attributes = '', inner = `<audiences><audience>${APP}</audience></audiences>`): string =>
  `<validate-azure-ad-token tenant-id="{{tenant-id}}"${attributes}>${inner}</validate-azure-ad-token>`;
const CLAIMS = (claim: string): string => GOOD_JWT.replace('</validate-jwt>', `<required-claims>${claim}</required-claims></validate-jwt>`);

export const REAL_WORLD_CASES: Case[] = [
  {
    rule: 'apim.policy.checkFragment',
    fires: mcpPolicy('<include-fragment fragment-id="mcp-auth" />', { jwt: '' }),
    quiet: mcpPolicy('<include-fragment fragment-id="mcp-metrics" />'),
  },
  {
    rule: 'apim.policy.multiTenantWithoutIssuers',
    fires: apiPolicy(GOOD_JWT.replace(`/${TENANT}/v2.0/.well-known`, '/organizations/v2.0/.well-known').replace(/<issuers>.*<\/issuers>/, '')),
    quiet: apiPolicy(GOOD_JWT.replace(`/${TENANT}/v2.0/.well-known`, '/organizations/v2.0/.well-known')),
    options: OTHER,
  },
  {
    rule: 'apim.policy.jwtWithoutAudienceOrIssuer',
    fires: apiPolicy(SIGNED()),
    quiet: apiPolicy(SIGNED('<issuers><issuer>https://issuer.contoso.com/</issuer></issuers>')),
    options: OTHER,
  },
  {
    rule: 'apim.policy.aadTokenUnsupportedSetting',
    fires: apiPolicy(AAD(' require-scheme="Bearer" clock-skew="30"')),
    quiet: apiPolicy(AAD(' header-name="Authorization" failed-validation-httpcode="401"')),
    options: OTHER,
  },
  {
    rule: 'apim.policy.requiredClaimNeverMatches',
    fires: apiPolicy(CLAIMS(`<claim name="azp"><value>${APP}</value><value>{{other-client}}</value></claim>`)),
    quiet: apiPolicy(CLAIMS(`<claim name="roles"><value>A</value><value>B</value></claim>`)),
    options: OTHER,
    fixed: '<claim name="azp" match="any">',
  },
  {
    rule: 'apim.policy.scopeClaimWithoutSeparator',
    fires: apiPolicy(CLAIMS('<claim name="scp" match="any"><value>user_impersonate</value></claim>')),
    quiet: apiPolicy(CLAIMS('<claim name="scp" match="any" separator=" "><value>user_impersonate</value></claim>')),
    options: OTHER,
    fixed: '<claim name="scp" separator=" " match="any">',
  },
  {
    rule: 'apim.policy.joinedClaimCompare',
    fires: apiPolicy(GOOD_JWT, '<set-variable name="w" value="@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;, &quot;&quot;).AsJwt()?.Claims.GetValueOrDefault(&quot;roles&quot;, &quot;&quot;) == &quot;Orders.Write&quot;)" />'),
    quiet: apiPolicy(GOOD_JWT, '<set-variable name="w" value="@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;, &quot;&quot;).AsJwt()?.Claims.GetValueOrDefault(&quot;roles&quot;, &quot;&quot;).Split(&apos;,&apos;).Contains(&quot;Orders.Write&quot;))" />'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.challengeHeaderDropped',
    fires: apiPolicy(GOOD_JWT, '', '', '<set-header name="WWW-Authenticate" exists-action="override"><value>Bearer</value></set-header>'),
    quiet: apiPolicy(GOOD_JWT, '', '<set-header name="WWW-Authenticate" exists-action="override"><value>Bearer</value></set-header>'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.onErrorMasksStatus',
    fires: apiPolicy(GOOD_JWT, '', '<return-response><set-status code="200" reason="OK" /></return-response>'),
    quiet: apiPolicy(GOOD_JWT, '', '<choose><when condition="@(context.LastError.Reason == &quot;Timeout&quot;)"><return-response><set-status code="504" /></return-response></when></choose>'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.cacheMissUnguarded',
    fires: apiPolicy(GOOD_JWT, '<cache-lookup-value key="k" variable-name="cached" /><set-header name="x" exists-action="override"><value>@((string)context.Variables["cached"])</value></set-header>'),
    quiet: apiPolicy(GOOD_JWT, '<cache-lookup-value key="k" variable-name="cached" default-value="" /><set-header name="x" exists-action="override"><value>@((string)context.Variables["cached"])</value></set-header>'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.pkcePlainAccepted',
    fires: apiPolicy('', '<set-variable name="c" value="@{ var m = (string)context.Variables[&quot;challengeMethod&quot;]; if (m == &quot;plain&quot;) { return context.Variables[&quot;verifier&quot;]; } return &quot;&quot;; }" />'),
    quiet: apiPolicy('', '<set-variable name="c" value="@{ var m = (string)context.Variables[&quot;challengeMethod&quot;]; if (m != &quot;S256&quot;) { return &quot;&quot;; } return context.Variables[&quot;verifier&quot;]; }" />'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.decodeWithoutTryCatch',
    fires: apiPolicy('', '<set-variable name="k" value="@(Convert.FromBase64String(context.Request.Headers.GetValueOrDefault(&quot;X-Key&quot;, &quot;&quot;)))" />'),
    quiet: apiPolicy('', '<set-variable name="k" value="@{ try { return Convert.FromBase64String(context.Request.Headers.GetValueOrDefault(&quot;X-Key&quot;, &quot;&quot;)); } catch { return null; } }" />'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.tokenInTrace',
    fires: apiPolicy(GOOD_JWT, '<trace source="t"><message>@(context.Request.Headers.GetValueOrDefault("Authorization", ""))</message></trace>'),
    quiet: apiPolicy(GOOD_JWT, '<trace source="t"><message>@(context.Request.Headers.GetValueOrDefault("x-request-id", ""))</message></trace>'),
    options: OTHER,
  },
  {
    rule: 'apim.policy.globalCacheKeyForCallerData',
    fires: apiPolicy(GOOD_JWT, '<cache-store-value key="profile" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-User&quot;, &quot;&quot;))" duration="60" />'),
    quiet: apiPolicy(GOOD_JWT, '<cache-store-value key="@(&quot;profile-&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-User&quot;, &quot;&quot;))" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-User&quot;, &quot;&quot;))" duration="60" />'),
    options: OTHER,
  },
];
