/**
 * One firing and one quiet policy per rule (the rules that predate issue 19; ./ruleCasesReal.ts has the rest),
 * each with the text its first fix must produce.
 */
import type { LintOptions } from '../../../src/core/apim/policy/index';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const PRM = 'https://contoso.azure-api.net/.well-known/oauth-protected-resource/products/mcp';
export const CHALLENGE = `<choose><when condition="@(context.Response.StatusCode == 401)"><set-header name="WWW-Authenticate" exists-action="override"><value>Bearer error="invalid_token", resource_metadata="${PRM}"</value></set-header></when></choose>`;
export const GOOD_JWT = `<validate-jwt header-name="Authorization" failed-validation-httpcode="401">
  <openid-config url="https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration" />
  <audiences><audience>api://${APP}</audience><audience>${APP}</audience></audiences>
  <issuers><issuer>https://sts.windows.net/${TENANT}/</issuer><issuer>https://login.microsoftonline.com/${TENANT}/v2.0</issuer></issuers>
</validate-jwt>`;

/** A policy whose other parts are clean, so only the part under test can fire. */
export function mcpPolicy(inbound: string, { outbound = '', onError = CHALLENGE, jwt = GOOD_JWT } = {}): string {
  return `<policies>
<inbound>
<base />
${jwt}
${inbound}
</inbound>
<backend><base /></backend>
<outbound><base />${outbound}</outbound>
<on-error><base />${onError}</on-error>
</policies>`;
}

export const PRM_BODY = (resource: string): string =>
  `<return-response><set-status code="200" reason="OK" /><set-body>{"resource":"${resource}","authorization_servers":["https://login.microsoftonline.com/${TENANT}/v2.0"]}</set-body></return-response>`;

export interface Case {
  readonly rule: string;
  readonly fires: string;
  readonly quiet: string;
  readonly options?: LintOptions;
  /** Other rules the quiet case is expected to trigger (it cannot avoid them). */
  readonly quietAlso?: readonly string[];
  /** The text the fire case's first fix produces (checked as a substring), when the rule offers one. */
  readonly fixed?: string;
}

export const MCP: LintOptions = { scope: 'mcp' };

export const CASES: Case[] = [
  {
    rule: 'apim.policy.bodyWithoutPreserveContent',
    fires: mcpPolicy('<set-variable name="b" value="@(context.Request.Body.As<JObject>())" />'),
    quiet: mcpPolicy('<set-variable name="b" value="@(context.Request.Body.As<JObject>(preserveContent: true))" />'),
    fixed: 'As<JObject>(preserveContent: true)',
  },
  {
    rule: 'apim.policy.responseBodyInMcp',
    fires: mcpPolicy('', { outbound: '<set-variable name="r" value="@(context.Response.Body.As<string>(preserveContent: true))" />' }),
    quiet: mcpPolicy('', { outbound: '<set-header name="x" exists-action="override"><value>@(context.Response.StatusCode.ToString())</value></set-header>' }),
  },
  {
    rule: 'apim.policy.mcpWithoutTokenValidation',
    fires: mcpPolicy('<set-header name="x-a" exists-action="override"><value>a</value></set-header>', { jwt: '' }),
    quiet: mcpPolicy('<set-header name="x-a" exists-action="override"><value>a</value></set-header>'),
  },
  {
    rule: 'apim.policy.singleIssuer',
    fires: mcpPolicy('', { jwt: GOOD_JWT.replace(`<issuer>https://sts.windows.net/${TENANT}/</issuer>`, '') }),
    quiet: mcpPolicy(''),
    fixed: `<issuer>https://login.microsoftonline.com/${TENANT}/v2.0</issuer>\n  <issuer>https://sts.windows.net/${TENANT}/</issuer></issuers>`,
  },
  {
    rule: 'apim.policy.singleIssuer',
    fires: mcpPolicy('', { jwt: GOOD_JWT.replace(/<issuers>.*<\/issuers>/, '') }),
    quiet: mcpPolicy('', { jwt: GOOD_JWT.replace(`/${TENANT}/v2.0/.well-known`, '/common/v2.0/.well-known').replace(/<issuers>.*<\/issuers>/, '') }),
    quietAlso: ['apim.policy.multiTenantWithoutIssuers'],
    fixed: `<issuers>\n    <issuer>https://sts.windows.net/${TENANT}/</issuer>\n    <issuer>https://login.microsoftonline.com/${TENANT}/v2.0</issuer>\n  </issuers>`,
  },
  {
    rule: 'apim.policy.audienceForms',
    fires: mcpPolicy('', { jwt: GOOD_JWT.replace(`<audience>${APP}</audience>`, '') }),
    quiet: mcpPolicy(''),
    fixed: `<audience>api://${APP}</audience>\n  <audience>${APP}</audience>`,
  },
  {
    // Class 1: a v2-only validator whose audiences hold no client ID rejects every token; the samples' GUID-only
    // audience (v2 pinned on the app registration) is quiet.
    rule: 'apim.policy.audienceForms',
    fires: mcpPolicy('', { jwt: GOOD_JWT.replace(`<audience>${APP}</audience>`, '').replace(`<issuer>https://sts.windows.net/${TENANT}/</issuer>`, '') }),
    quiet: mcpPolicy('', { jwt: GOOD_JWT.replace(`<audience>api://${APP}</audience>`, '').replace(`<issuer>https://sts.windows.net/${TENANT}/</issuer>`, '') }),
    fixed: `<audience>api://${APP}</audience>\n  <audience>${APP}</audience>`,
  },
  {
    rule: 'apim.policy.aadTokenWithoutAudiences',
    fires: mcpPolicy('', { jwt: `<validate-azure-ad-token tenant-id="${TENANT}" />` }),
    quiet: mcpPolicy('', { jwt: `<validate-azure-ad-token tenant-id="${TENANT}"><client-application-ids><application-id>${APP}</application-id></client-application-ids></validate-azure-ad-token>` }),
  },
  {
    rule: 'apim.policy.unguardedClaimIndex',
    fires: mcpPolicy('<set-variable name="r" value="@{ var jwt = (Jwt)context.Variables[&quot;t&quot;]; return jwt.Claims["roles"].Length; }" />'),
    quiet: mcpPolicy('<set-variable name="r" value="@{ var jwt = (Jwt)context.Variables[&quot;t&quot;]; return jwt.Claims.ContainsKey("roles") ? jwt.Claims["roles"].Length : 0; }" />'),
    fixed: '(jwt.Claims.ContainsKey("roles") ? jwt.Claims["roles"] : new string[0]).Length',
  },
  {
    rule: 'apim.policy.letNotSupported',
    fires: mcpPolicy('<set-variable name="u" value="@(context.Request.Url.Path.Let(p => p.ToLower()))" />'),
    quiet: mcpPolicy('<set-variable name="u" value="@{ var p = context.Request.Url.Path; return p.ToLower(); }" />'),
  },
  {
    rule: 'apim.policy.lastErrorMessageInHeader',
    fires: mcpPolicy('', { onError: `${CHALLENGE}<set-header name="X-Error" exists-action="override"><value>@(context.LastError.Message)</value></set-header>` }),
    quiet: mcpPolicy('', { onError: `${CHALLENGE}<set-body>@(context.LastError.Message)</set-body>` }),
    fixed: '<value>@(context.LastError.Reason)</value>',
  },
  {
    rule: 'apim.policy.substringRoleCheck',
    fires: mcpPolicy(
      '<set-variable name="roles" value="@(string.Join(&quot;,&quot;, ((Jwt)context.Variables[&quot;t&quot;]).Claims.GetValueOrDefault(&quot;roles&quot;, new string[0])))" /><choose><when condition="@(((string)context.Variables["roles"]).Contains("Products.Write"))"><base /></when></choose>',
    ),
    quiet: mcpPolicy(
      '<choose><when condition="@(((Jwt)context.Variables["t"]).Claims.GetValueOrDefault("roles", "").Split(\',\').Any(r => r.Trim() == "Products.Write"))"><base /></when></choose>',
    ),
  },
  {
    rule: 'apim.policy.substringRoleCheck',
    fires: mcpPolicy('<choose><when condition="@(((Jwt)context.Variables["t"]).Claims.GetValueOrDefault("roles", "").Contains("Products.Write"))"><base /></when></choose>'),
    quiet: mcpPolicy('<choose><when condition="@(((Jwt)context.Variables["t"]).Claims.GetValueOrDefault("roles", "").Split(\',\').Contains("Products.Write"))"><base /></when></choose>'),
  },
  {
    rule: 'apim.policy.denyOnlyNamedTools',
    fires: mcpPolicy('<choose><when condition="@((string)context.Variables["tool"] == "deleteProduct")"><return-response><set-status code="403" /></return-response></when></choose>'),
    quiet: mcpPolicy(
      '<choose><when condition="@((string)context.Variables["tool"] == "listProducts")" /><otherwise><return-response><set-status code="403" /></return-response></otherwise></choose>',
    ),
  },
  {
    rule: 'apim.policy.denyOnlyNamedTools',
    fires: mcpPolicy('<set-variable name="d" value="@{ var tool = (string)context.Variables[&quot;tool&quot;]; switch (tool) { case &quot;deleteProduct&quot;: return &quot;no&quot;; } return &quot;&quot;; }" />'),
    quiet: mcpPolicy('<set-variable name="d" value="@{ var tool = (string)context.Variables[&quot;tool&quot;]; switch (tool) { case &quot;listProducts&quot;: return &quot;&quot;; default: return &quot;no&quot;; } }" />'),
  },
  {
    rule: 'apim.policy.toolNotCovered',
    fires: mcpPolicy('<choose><when condition="@((string)context.Variables["tool"] == "listProducts")" /><otherwise><return-response><set-status code="403" /></return-response></otherwise></choose>'),
    quiet: mcpPolicy(
      '<choose><when condition="@(new[] { "listProducts", "getProduct" }.Contains((string)context.Variables["tool"]))" /><otherwise><return-response><set-status code="403" /></return-response></otherwise></choose>',
    ),
    options: { ...MCP, tools: ['listProducts', 'getProduct'] },
  },
  {
    rule: 'apim.policy.challengeWithoutResourceMetadata',
    fires: mcpPolicy('', { onError: '' }),
    quiet: mcpPolicy(''),
    options: { ...MCP, prmUrl: PRM },
    fixed: `<on-error><base />\n<choose>`,
  },
  {
    rule: 'apim.policy.challengeWithoutResourceMetadata',
    fires: mcpPolicy('<return-response><set-status code="401" reason="Unauthorized" /></return-response>'),
    quiet: mcpPolicy(
      `<return-response><set-status code="401" reason="Unauthorized" /><set-header name="WWW-Authenticate" exists-action="override"><value>Bearer resource_metadata="${PRM}"</value></set-header></return-response>`,
    ),
    options: { ...MCP, prmUrl: PRM },
    fixed: `<set-status code="401" reason="Unauthorized" />\n<set-header name="WWW-Authenticate" exists-action="override">\n  <value>Bearer error="invalid_token", resource_metadata="${PRM}"</value>\n</set-header>`,
  },
  {
    rule: 'apim.policy.prmResourceMismatch',
    fires: `<policies><inbound>${PRM_BODY('https://contoso.azure-api.net/products')}</inbound></policies>`,
    quiet: `<policies><inbound>${PRM_BODY('https://contoso.azure-api.net/products/mcp')}</inbound></policies>`,
    options: { mcpUrl: 'https://contoso.azure-api.net/products/mcp' },
    fixed: '"resource":"https://contoso.azure-api.net/products/mcp"',
  },
  {
    rule: 'apim.policy.prmResourceMismatch',
    fires: `<policies><inbound>${PRM_BODY(`api://${APP}`)}</inbound></policies>`,
    quiet: `<policies><inbound>${PRM_BODY('{{APIMGatewayURL}}/{{McpApiPath}}')}</inbound></policies>`,
    options: {},
  },
  {
    rule: 'apim.policy.prmResourceMismatch',
    fires: `<policies><inbound>${PRM_BODY('https://mcp.contoso.com/')}</inbound></policies>`,
    quiet: `<policies><inbound>${PRM_BODY('https://mcp.contoso.com')}</inbound></policies>`,
    options: {},
    fixed: '"resource":"https://mcp.contoso.com"',
  },
  {
    rule: 'apim.policy.prmBehindTokenValidation',
    fires: `<policies>\n<inbound>\n    <base />\n    ${PRM_BODY('https://mcp.contoso.com')}\n</inbound>\n</policies>`,
    quiet: `<policies>\n<inbound>\n    ${PRM_BODY('https://mcp.contoso.com')}\n    <base />\n</inbound>\n</policies>`,
    // Whether a parent scope validates tokens is not in the file: the <base /> order is checked only when stated.
    options: { scope: 'prm' },
    fixed: '<inbound>\n    <return-response>',
  },
  {
    rule: 'apim.policy.rateLimitOnBearerOnly',
    fires: mcpPolicy('<rate-limit calls="10" renewal-period="60" />'),
    quiet: mcpPolicy('<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />'),
    fixed: '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Subject ?? context.Request.IpAddress)" />',
  },
  {
    rule: 'apim.policy.authorizationNotForwarded',
    fires: mcpPolicy('<set-header name="Authorization" exists-action="delete" />'),
    quiet: mcpPolicy('<set-header name="Authorization" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("Authorization"))</value></set-header>'),
    options: { ...MCP, backendNeedsAuthorization: true },
    fixed: '<set-header name="Authorization" exists-action="override">\n  <value>@(context.Request.Headers.GetValueOrDefault("Authorization"))</value>\n</set-header>',
  },
];
