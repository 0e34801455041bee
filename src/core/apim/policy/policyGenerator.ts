import { GUID } from '../../basics';
/**
 * Writes an MCP server authorization policy from a tool list and a tool → roles map. The output follows the
 * knowledge base: both issuers (G5), both audience forms (G6), the body read with preserveContent (G2), guarded
 * claims (G4), exact role matches on a parsed array, unknown tools denied, a Bearer challenge with
 * resource_metadata on 401 (G7), and no response-body access (G1). Same input, same bytes.
 */
export type TokenValidator = 'validate-jwt' | 'validate-azure-ad-token';

export interface GeneratePolicyInput {
  /** Directory (tenant) ID. A GUID, or an APIM named value such as `{{McpTenantId}}`: issuers carry the GUID. */
  readonly tenantId: string;
  /** The API app's application (client) ID GUID, its `api://<guid>` URI, or a named value. */
  readonly api: string;
  /** A custom App ID URI (e.g. `https://contoso.azure-api.net/products/mcp`), accepted as audience too. */
  readonly appIdUri?: string;
  /** Tool names (or `tools/list` entries) the server exposes. */
  readonly tools: readonly (string | { readonly name: string })[];
  /** Tool → app roles, any of which allows the call. `[]` allows any caller with a valid token. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
  /** The protected-resource metadata URL for `resource_metadata`. */
  readonly prmUrl: string;
  /** The MCP server URL, needed for the PRM operation policy. */
  readonly mcpUrl?: string;
  readonly validator?: TokenValidator;
  /** Client application IDs to accept (validate-azure-ad-token's `client-application-ids`). */
  readonly clientApplicationIds?: readonly string[];
  /** Also write the PRM operation policy (needs `mcpUrl`). */
  readonly includePrmOperation?: boolean;
  /** Delegated scope published in PRM `scopes_supported`; default `user_impersonate`. */
  readonly scopeName?: string;
  /** Entra authority host; default `login.microsoftonline.com`. */
  readonly authorityHost?: string;
}

export type GeneratePolicyResult =
  | { readonly ok: true; readonly policy: string; readonly prmPolicy?: string; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

const NAMED_VALUE = /^\{\{[A-Za-z0-9._-]+\}\}$/;
const TOOL_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;
/** App role values the policy can hold verbatim: no spaces, commas (roles are split on commas), quotes or markup. */
const ROLE_VALUE = /^[A-Za-z0-9_\-:/][A-Za-z0-9_.\-:/]{0,119}$/;
const V1_HOST: Record<string, string> = {
  'login.microsoftonline.com': 'sts.windows.net',
  'login.microsoftonline.us': 'login.microsoftonline.us',
  'login.chinacloudapi.cn': 'sts.chinacloudapi.cn',
};
const I = '    ';

const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlAttr = (s: string): string => xmlText(s).replace(/"/g, '&quot;');
/** A C# string literal; inputs are validated, so only `\` and `"` could need escaping. */
const cs = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** Text for a C# string inside a message: single quotes read well in JSON and need no escaping. */
const roleList = (roles: readonly string[]): string => roles.map((r) => `'${r}'`).join(', ');

export function generateMcpPolicy(input: GeneratePolicyInput): GeneratePolicyResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const checked = checkInput(input, errors, warnings);
  if (!checked) return { ok: false, errors };
  const validator = input.validator ?? 'validate-jwt';
  if (validator === 'validate-jwt' && checked.clientIds.length > 0) {
    warnings.push('validate-jwt has no client application list; use validate-azure-ad-token to restrict client applications.');
  }
  const policy = serverPolicy(checked, validator);
  const { mcpUrl } = checked;
  if (!input.includePrmOperation || !mcpUrl) return { ok: true, policy, warnings };
  const resource = mcpUrl.replace(/\/+$/, '');
  if (resource !== mcpUrl) warnings.push('The trailing slash was removed from the MCP URL: an Application ID URI cannot end with one.');
  return { ok: true, policy, prmPolicy: prmOperationPolicy(resource, checked), warnings };
}

/** The input, trimmed, de-duplicated and sorted; undefined when `errors` received any. */
interface CheckedInput {
  readonly tenant: string;
  readonly apiId: string;
  readonly appIdUri?: string;
  readonly prmUrl: string;
  readonly authorityHost: string;
  readonly tools: readonly string[];
  readonly roleMap: ReadonlyMap<string, readonly string[]>;
  readonly clientIds: readonly string[];
  readonly mcpUrl?: string;
  readonly scopeName: string;
}

function checkInput(input: GeneratePolicyInput, errors: string[], warnings: string[]): CheckedInput | undefined {
  const tenant = input.tenantId.trim();
  if (!GUID.test(tenant) && !NAMED_VALUE.test(tenant)) {
    errors.push('The tenant must be the directory (tenant) ID GUID or a {{named value}}: token issuers carry the GUID, not the domain.');
  }
  const api = input.api.trim().replace(/\/+$/, '');
  const apiId = GUID.test(api) || NAMED_VALUE.test(api) ? api : /^api:\/\/(.+)$/i.exec(api)?.[1];
  if (!apiId || !(GUID.test(apiId) || NAMED_VALUE.test(apiId))) {
    errors.push('The API must be its application (client) ID GUID or api://<client ID>: v2 tokens always carry the client ID as aud.');
  }
  const appIdUri = input.appIdUri?.trim().replace(/\/+$/, '');
  if (appIdUri !== undefined && appIdUri !== '' && !/^(api|https):\/\/\S+$/i.test(appIdUri)) errors.push('The App ID URI must start with api:// or https://.');
  const prmUrl = input.prmUrl.trim();
  if (!/^https?:\/\/[^\s"]+$/i.test(prmUrl)) errors.push('The protected-resource metadata URL must be an http(s) URL.');
  const authorityHost = (input.authorityHost ?? 'login.microsoftonline.com').toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(authorityHost)) errors.push('The authority host must be a host name.');
  const { tools, roleMap } = checkTools(input, errors, warnings);
  const clientIds = [...new Set((input.clientApplicationIds ?? []).map((c) => c.trim()).filter(Boolean))].sort(ordinal);
  for (const id of clientIds) if (!GUID.test(id) && !NAMED_VALUE.test(id)) errors.push(`The client application ID ${JSON.stringify(id)} is not a GUID.`);
  const mcpUrl = input.mcpUrl?.trim();
  if (input.includePrmOperation) {
    if (!mcpUrl || !/^https:\/\/[^\s"]+$/i.test(mcpUrl)) errors.push('The PRM operation needs the MCP server URL (https).');
  }
  const scopeName = (input.scopeName ?? 'user_impersonate').trim();
  if (!/^[A-Za-z0-9_.\-]{1,120}$/.test(scopeName)) errors.push('The scope name may only hold letters, digits, _ . -.');
  if (errors.length > 0 || !apiId) return undefined;
  return { tenant, apiId, appIdUri, prmUrl, authorityHost, tools, roleMap, clientIds, mcpUrl, scopeName };
}

function checkTools(input: GeneratePolicyInput, errors: string[], warnings: string[]): { tools: string[]; roleMap: Map<string, string[]> } {
  const tools = [...new Set(input.tools.map((t) => (typeof t === 'string' ? t : t.name).trim()))].filter(Boolean).sort(ordinal);
  if (tools.length === 0) errors.push('No tools given: the policy would deny every tool call.');
  for (const tool of tools) if (!TOOL_NAME.test(tool)) errors.push(`The tool name ${JSON.stringify(tool)} has characters MCP tool names do not use.`);
  const roleMap = new Map<string, string[]>();
  for (const tool of tools) {
    const roles = input.roles[tool];
    if (roles === undefined) {
      errors.push(`No roles given for the tool ${tool}. Give [] to allow any caller with a valid token.`);
      continue;
    }
    const clean = [...new Set(roles.map((r) => r.trim()).filter(Boolean))].sort(ordinal);
    for (const role of clean) if (!ROLE_VALUE.test(role)) errors.push(`The role ${JSON.stringify(role)} is not an app role value this policy can hold (letters, digits, _ - . : /; at most 120 characters).`);
    roleMap.set(tool, clean);
  }
  for (const tool of Object.keys(input.roles).sort(ordinal)) {
    if (!tools.includes(tool)) warnings.push(`The role map names ${tool}, which is not in the tool list; it is left out, so calls to it are denied.`);
  }
  return { tools, roleMap };
}

type AddLine = (depth: number, text: string) => void;

function serverPolicy(c: CheckedInput, validator: TokenValidator): string {
  const lines: string[] = [];
  const add: AddLine = (depth, text) => {
    lines.push(`${I.repeat(depth)}${text}`);
  };
  add(0, '<!--');
  add(1, 'MCP server authorization policy, written by APIM MCP: Generate MCP Authorization Policy.');
  add(1, 'Apply it at the MCP server\'s own scope: MCP APIs do not inherit API-level policies.');
  add(1, 'Expressions hold unescaped quotes, so deploy it with format \'rawxml\'.');
  add(0, '-->');
  add(0, '<policies>');
  add(1, '<inbound>');
  add(2, '<base />');
  addTokenValidation(add, c, validator);
  addToolDenial(add, c);
  add(1, '</inbound>');
  add(1, '<backend>');
  add(2, '<base />');
  add(1, '</backend>');
  add(1, '<outbound>');
  add(2, '<base />');
  add(1, '</outbound>');
  add(1, '<on-error>');
  add(2, '<base />');
  add(2, '<choose>');
  add(3, '<when condition="@(context.Response.StatusCode == 401)">');
  add(4, '<set-header name="WWW-Authenticate" exists-action="override">');
  add(5, `<value>Bearer error="invalid_token", resource_metadata="${xmlText(c.prmUrl)}"</value>`);
  add(4, '</set-header>');
  add(3, '</when>');
  add(2, '</choose>');
  add(1, '</on-error>');
  add(0, '</policies>');
  return `${lines.join('\n')}\n`;
}

function addTokenValidation(add: AddLine, c: CheckedInput, validator: TokenValidator): void {
  const { tenant, authorityHost, clientIds } = c;
  const audiences = [...new Set([`api://${c.apiId}`, c.apiId, ...(c.appIdUri ? [c.appIdUri] : [])])];
  const failure = 'failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid." output-token-variable-name="mcpToken"';
  if (validator === 'validate-jwt') {
    add(2, `<validate-jwt header-name="Authorization" require-scheme="Bearer" ${failure}>`);
    add(3, `<openid-config url="https://${authorityHost}/${xmlAttr(tenant)}/v2.0/.well-known/openid-configuration" />`);
    add(3, '<audiences>');
    for (const audience of audiences) add(4, `<audience>${xmlText(audience)}</audience>`);
    add(3, '</audiences>');
    add(3, '<issuers>');
    add(4, `<issuer>${xmlText(`https://${V1_HOST[authorityHost] ?? 'sts.windows.net'}/${tenant}/`)}</issuer>`);
    add(4, `<issuer>${xmlText(`https://${authorityHost}/${tenant}/v2.0`)}</issuer>`);
    add(3, '</issuers>');
    add(2, '</validate-jwt>');
    return;
  }
  const endpoint = authorityHost === 'login.microsoftonline.com' ? '' : ` authentication-endpoint="https://${authorityHost}/"`;
  add(2, `<validate-azure-ad-token tenant-id="${xmlAttr(tenant)}"${endpoint} header-name="Authorization" ${failure}>`);
  if (clientIds.length > 0) {
    add(3, '<client-application-ids>');
    for (const id of clientIds) add(4, `<application-id>${xmlText(id)}</application-id>`);
    add(3, '</client-application-ids>');
  }
  add(3, '<audiences>');
  for (const audience of audiences) add(4, `<audience>${xmlText(audience)}</audience>`);
  add(3, '</audiences>');
  add(2, '</validate-azure-ad-token>');
}

/** The tools/call check: exact role matches on the parsed roles claim, unknown tools denied, a 403 that says why. */
function addToolDenial(add: AddLine, c: CheckedInput): void {
  add(2, '<!-- Only tools/call names a tool. GET (the SSE stream) and DELETE (end of session) carry no JSON-RPC body. -->');
  add(2, '<set-variable name="mcpToolDenial" value="@{');
  add(3, 'if (context.Request.Method != "POST") { return ""; }');
  add(3, 'string method;');
  add(3, 'string tool;');
  add(3, 'try {');
  add(4, 'var body = JObject.Parse(context.Request.Body.As<string>(preserveContent: true));');
  add(4, 'method = body["method"]?.ToString() ?? "";');
  add(4, 'tool = body["params"]?["name"]?.ToString() ?? "";');
  add(3, '} catch {');
  add(4, 'return "The request is not a single JSON-RPC message.";');
  add(3, '}');
  add(3, 'if (method != "tools/call") { return ""; }');
  add(3, 'var token = context.Variables.GetValueOrDefault<Jwt>("mcpToken");');
  add(3, 'string[] roles = token == null ? new string[0] : token.Claims.GetValueOrDefault("roles", "").Split(\',\').Select(r => r.Trim()).ToArray();');
  add(3, 'switch (tool) {');
  for (const tool of c.tools) {
    const roles = c.roleMap.get(tool) ?? [];
    add(4, `case ${cs(tool)}:`);
    if (roles.length === 0) {
      add(5, 'return "";');
    } else {
      const test = roles.map((r) => `r == ${cs(r)}`).join(' || ');
      const need = roles.length === 1 ? `the app role ${roleList(roles)}` : `one of the app roles ${roleList(roles)}`;
      add(5, `return roles.Any(r => ${test}) ? "" : ${cs(`Tool '${tool}' requires ${need}.`)};`);
    }
  }
  add(4, 'default:');
  add(5, 'return "Tool \'" + tool + "\' is not allowed.";');
  add(3, '}');
  add(2, '}" />');
  add(2, '<choose>');
  add(3, '<when condition="@(context.Variables.GetValueOrDefault<string>("mcpToolDenial", "") != "")">');
  add(4, '<return-response>');
  add(5, '<set-status code="403" reason="Forbidden" />');
  add(5, '<set-header name="Content-Type" exists-action="override">');
  add(6, '<value>application/json</value>');
  add(5, '</set-header>');
  add(5, '<set-body>@(new JObject(new JProperty("statusCode", 403), new JProperty("message", context.Variables.GetValueOrDefault<string>("mcpToolDenial", ""))).ToString())</set-body>');
  add(4, '</return-response>');
  add(3, '</when>');
  add(2, '</choose>');
}

/** The protected-resource metadata (RFC 9728) operation policy for `resource`. */
function prmOperationPolicy(resource: string, c: CheckedInput): string {
  const metadata = JSON.stringify({
    resource,
    authorization_servers: [`https://${c.authorityHost}/${c.tenant}/v2.0`],
    bearer_methods_supported: ['header'],
    scopes_supported: [`${resource}/${c.scopeName}`],
  });
  return [
    '<!--',
    `${I}Protected-resource metadata (RFC 9728) for ${resource}, written by APIM MCP.`,
    `${I}No <base /> in inbound: clients fetch this without a token, before they know how to get one.`,
    `${I}Add ${resource} to the API app's identifierUris, or Entra rejects the resource (AADSTS9010010).`,
    '-->',
    '<policies>',
    `${I}<inbound>`,
    `${I.repeat(2)}<return-response>`,
    `${I.repeat(3)}<set-status code="200" reason="OK" />`,
    `${I.repeat(3)}<set-header name="Content-Type" exists-action="override">`,
    `${I.repeat(4)}<value>application/json</value>`,
    `${I.repeat(3)}</set-header>`,
    `${I.repeat(3)}<set-body>${xmlText(metadata)}</set-body>`,
    `${I.repeat(2)}</return-response>`,
    `${I}</inbound>`,
    `${I}<backend>`,
    `${I.repeat(2)}<base />`,
    `${I}</backend>`,
    `${I}<outbound>`,
    `${I.repeat(2)}<base />`,
    `${I}</outbound>`,
    `${I}<on-error>`,
    `${I.repeat(2)}<base />`,
    `${I}</on-error>`,
    '</policies>',
    '',
  ].join('\n');
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
