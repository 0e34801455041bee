/**
 * Inputs of N items for the scaling bench (bench/scaling.ts): an mcp.json with N APIM servers, each with a literal
 * subscription key; an APIM policy with N tool rules (the generator's switch form and the hand-written `<when>`
 * form); a policy with N validate-jwt blocks; a policy with N set-header elements holding expressions.
 * The keys are made-up strings of the right shape, never a real secret.
 */

/** An mcp.json as VS Code writes it, with N APIM-fronted servers, comments and trailing commas, every key in plaintext. */
export function mcpJsonWithServers(n: number): string {
  const lines = ['{', '\t// Team MCP servers (generated for the scaling bench)', '\t"servers": {'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `\t\t// server ${i}`,
      `\t\t"server-${i}": {`,
      '\t\t\t"type": "http",',
      `\t\t\t"url": "https://contoso-${i % 50}.azure-api.net/api-${i}/mcp",`,
      `\t\t\t"headers": { "Ocp-Apim-Subscription-Key": "${fakeKey(i)}" },`,
      '\t\t},',
    );
  }
  lines.push('\t},', '}', '');
  return lines.join('\n');
}

/** 32 hex digits that differ per server: the shape of an APIM key, not a key. */
function fakeKey(i: number): string {
  return (i.toString(16).padStart(8, '0') + 'bench').repeat(3).slice(0, 32).replace(/[^0-9a-f]/g, 'f');
}

/** A policy whose tool → role map has N tools: half as generator `case`s, half as hand-written `<when>` checks. */
export function policyWithToolRules(n: number): string {
  const half = Math.ceil(n / 2);
  const cases: string[] = [];
  for (let i = 0; i < half; i++) cases.push(`                case "tool-${i}": return roles.Any(r => r == "Role.${i % 7}") ? "" : "Role.${i % 7}";`);
  const whens: string[] = [];
  for (let i = half; i < n; i++) {
    whens.push(
      `            <when condition="@(context.Variables.GetValueOrDefault<string>("tool") == "tool-${i}" && !((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("roles", "").Contains("Role.${i % 7}"))">`,
      '                <return-response><set-status code="403" reason="Forbidden" /></return-response>',
      '            </when>',
    );
  }
  return [
    '<policies>',
    '    <inbound>',
    '        <base />',
    '        <set-variable name="missingRole" value="@{',
    '            var roles = ((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("roles", new string[0]);',
    '            switch ((string)context.Variables["tool"]) {',
    ...cases,
    '                default: return "";',
    '            }',
    '        }" />',
    '        <choose>',
    ...whens,
    '        </choose>',
    '    </inbound>',
    '    <backend><base /></backend>',
    '    <outbound><base /></outbound>',
    '    <on-error><base /></on-error>',
    '</policies>',
    '',
  ].join('\n');
}

const appId = (i: number): string => `11111111-2222-3333-4444-${String(i).padStart(12, '0')}`;

/** One `<when>` branch per API version, each with its own token validation (the N validate-jwt blocks). */
function validateJwtBranch(i: number): string[] {
  return [
    `            <when condition="@(context.Request.Headers.GetValueOrDefault("api-version", "") == "v${i}")">`,
    '                <validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer">',
    `                    <openid-config url="https://login.microsoftonline.com/00000000-0000-0000-0000-${String(i).padStart(12, '0')}/v2.0/.well-known/openid-configuration" />`,
    // Both forms of one app's ID under a v2-only openid-config: the single-issuer finding and its fix, per block.
    `                    <audiences><audience>${appId(i)}</audience><audience>api://${appId(i)}</audience></audiences>`,
    '                </validate-jwt>',
    '            </when>',
  ];
}

/** A set-header that writes an expression, some of them the LastError.Message one the linter flags. */
function setHeaderElement(i: number): string[] {
  const value = i % 4 === 0 ? '@(context.LastError.Message)' : `@(context.Request.Headers.GetValueOrDefault("x-in-${i}", ""))`;
  return [`        <set-header name="x-bench-${i}" exists-action="override">`, `            <value>${value}</value>`, '        </set-header>'];
}

function policyAround(inbound: string[], onError: string[] = []): string {
  return ['<policies>', '    <inbound>', '        <base />', ...inbound, '    </inbound>', '    <backend><base /></backend>', '    <outbound><base /></outbound>', '    <on-error>', '        <base />', ...onError, '    </on-error>', '</policies>', ''].join('\n');
}

export function policyWithValidateJwt(n: number): string {
  const branches: string[] = [];
  for (let i = 0; i < n; i++) branches.push(...validateJwtBranch(i));
  return policyAround(['        <choose>', ...branches, '        </choose>']);
}

export function policyWithSetHeaders(n: number): string {
  const headers: string[] = [];
  for (let i = 0; i < n; i++) headers.push(...setHeaderElement(i));
  return policyAround(headers.slice(0, Math.ceil(headers.length / 2)), headers.slice(Math.ceil(headers.length / 2)));
}

/** About `bytes` of policy: validate-jwt branches and set-header elements in turn (the 1 MB figure). */
export function policyOfSize(bytes: number): string {
  const branches: string[] = [];
  const headers: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const branch = validateJwtBranch(i);
    const header = setHeaderElement(i);
    branches.push(...branch);
    headers.push(...header);
    size += branch.join('\n').length + header.join('\n').length + 2;
  }
  return policyAround(['        <choose>', ...branches, '        </choose>', ...headers]);
}
