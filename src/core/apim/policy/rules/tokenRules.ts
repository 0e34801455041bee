import type { PolicyElement } from '../policyReader';
import { attributeValue, childElements, elementsNamed, indentationAt, indentUnit, textContent } from '../policyQueries';
import type { PolicyFix, PolicyRule, RuleContext } from '../policyRule';
import { GUID } from '../../../basics';

const VALIDATORS = ['validate-jwt', 'validate-azure-ad-token'];
const NAMED_VALUE = /^\{\{[^{}]+\}\}$/;
/** v1 `https://sts.windows.net/<tid>/`, with the sovereign-cloud hosts. */
const V1_ISSUER = /^https:\/\/(sts\.windows\.net|sts\.chinacloudapi\.cn|login\.microsoftonline\.us)\/([^/\s]+)\/?$/i;
/** v2 `https://login.microsoftonline.com/<tid>/v2.0`, with the sovereign-cloud hosts. */
const V2_ISSUER = /^https:\/\/(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)\/([^/\s]+)\/v2\.0\/?$/i;
const OPENID_CONFIG = /^https:\/\/(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.chinacloudapi\.cn)\/([^/\s]+)(\/v2\.0)?\/\.well-known\/openid-configuration\/?$/i;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

const V1_HOST_FOR: Record<string, string> = {
  'login.microsoftonline.com': 'sts.windows.net',
  'login.microsoftonline.us': 'login.microsoftonline.us',
  'login.chinacloudapi.cn': 'sts.chinacloudapi.cn',
  'login.partner.microsoftonline.cn': 'sts.chinacloudapi.cn',
};
const V2_HOST_FOR: Record<string, string> = {
  'sts.windows.net': 'login.microsoftonline.com',
  'login.microsoftonline.us': 'login.microsoftonline.us',
  'sts.chinacloudapi.cn': 'login.chinacloudapi.cn',
};

const v1Issuer = (host: string, tenant: string): string => `https://${V1_HOST_FOR[host.toLowerCase()] ?? 'sts.windows.net'}/${tenant}/`;
const v2Issuer = (host: string, tenant: string): string => `https://${V2_HOST_FOR[host.toLowerCase()] ?? 'login.microsoftonline.com'}/${tenant}/v2.0`;

/** Inserts `lines` after `anchor`, each on its own line with `anchor`'s indentation. */
function insertAfter(ctx: RuleContext, anchor: PolicyElement, lines: string[]): { start: number; end: number; newText: string } {
  const indent = indentationAt(ctx.doc.text, anchor.range.start);
  return { start: anchor.range.end, end: anchor.range.end, newText: lines.map((l) => `\n${indent}${l}`).join('') };
}

/** MCP APIs do not inherit API-level policies (G3), so an MCP policy must validate tokens itself. */
export const mcpWithoutTokenValidation: PolicyRule = {
  id: 'apim.policy.mcpWithoutTokenValidation',
  severity: 'warning',
  title: 'MCP server policy without token validation',
  check(ctx) {
    const { doc, scope } = ctx;
    if (scope !== 'mcp') return;
    if (elementsNamed(doc, ...VALIDATORS, 'validate-client-certificate').length > 0) return;
    const customAuth = elementsNamed(doc, 'check-header').some((e) => /^authorization$/i.test(attributeValue(e, 'name') ?? ''));
    if (customAuth || doc.expressions.some((x) => /AsJwt\s*\(/.test(x.code))) return;
    const anchor = elementsNamed(doc, 'inbound')[0] ?? elementsNamed(doc, 'policies')[0] ?? doc.elements[0];
    if (!anchor) return;
    ctx.report({
      message:
        'This MCP server policy has no validate-jwt or validate-azure-ad-token. MCP APIs do not inherit API-level policies, so bearer tokens are not checked unless this policy checks them. Ignore this if the server uses subscription keys only; otherwise run "APIM MCP: Generate MCP Authorization Policy".',
      start: anchor.nameRange.start,
      end: anchor.nameRange.end,
    });
  },
};

interface IssuerInfo {
  readonly element: PolicyElement;
  readonly value: string;
  readonly version: 1 | 2 | undefined;
  readonly host: string;
  readonly tenant: string;
}

function issuersOf(validator: PolicyElement): { container: PolicyElement | undefined; issuers: IssuerInfo[] } {
  const container = childElements(validator, 'issuers')[0];
  const issuers = (container ? childElements(container, 'issuer') : []).map((element) => {
    const value = textContent(element).trim();
    const v1 = V1_ISSUER.exec(value);
    const v2 = V2_ISSUER.exec(value);
    const match = v2 ?? v1;
    return { element, value, version: v2 ? 2 : v1 ? 1 : undefined, host: match?.[1] ?? '', tenant: match?.[2] ?? '' } as IssuerInfo;
  });
  return { container, issuers };
}

/** The token versions a validate-jwt accepts, or undefined when it cannot be told. */
function acceptedVersions(validator: PolicyElement): Set<1 | 2> | undefined {
  if (validator.name === 'validate-azure-ad-token') return new Set([1, 2]);
  const { container, issuers } = issuersOf(validator);
  if (container) {
    const versions = new Set(issuers.map((i) => i.version).filter((v): v is 1 | 2 => v !== undefined));
    return versions.size > 0 ? versions : undefined;
  }
  const config = childElements(validator, 'openid-config')[0];
  const url = config ? OPENID_CONFIG.exec((attributeValue(config, 'url') ?? '').trim()) : null;
  if (!url || MULTI_TENANT.has(url[2]!.toLowerCase())) return undefined;
  return new Set([url[3] ? 2 : 1]);
}

/** G5: one issuer form rejects the other token version with IDX10205. */
export const singleIssuer: PolicyRule = {
  id: 'apim.policy.singleIssuer',
  severity: 'warning',
  title: 'validate-jwt accepts only one Entra issuer form (v1 or v2)',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, 'validate-jwt')) {
      const { container, issuers } = issuersOf(validator);
      if (container) {
        const entra = issuers.filter((i) => i.version !== undefined);
        if (entra.length === 0 || entra.some((i) => i.version !== entra[0]!.version)) continue;
        const version = entra[0]!.version!;
        const missing = [...new Map(entra.map((i) => [`${i.host}|${i.tenant}`, i])).values()].map((i) =>
          version === 1 ? v2Issuer(i.host, i.tenant) : v1Issuer(i.host, i.tenant),
        );
        const last = entra[entra.length - 1]!.element;
        ctx.report({
          message: `Only the ${version === 1 ? 'v1 (https://sts.windows.net/<tenant>/)' : 'v2 (https://login.microsoftonline.com/<tenant>/v2.0)'} issuer is accepted, so ${version === 1 ? 'v2' : 'v1'} tokens fail with IDX10205 (401). Add ${missing.join(' and ')}, or pin requestedAccessTokenVersion on the app registration.`,
          start: container.nameRange.start,
          end: container.nameRange.end,
          fixes: [{ title: `Add the ${version === 1 ? 'v2' : 'v1'} issuer`, edits: [insertAfter(ctx, last, missing.map((m) => `<issuer>${m}</issuer>`))] }],
        });
        continue;
      }
      const config = childElements(validator, 'openid-config')[0];
      const url = config ? OPENID_CONFIG.exec((attributeValue(config, 'url') ?? '').trim()) : null;
      if (!config || !url || MULTI_TENANT.has(url[2]!.toLowerCase())) continue;
      const [, host, tenant, v2] = url;
      const fixes: PolicyFix[] = [];
      if (GUID.test(tenant!) || NAMED_VALUE.test(tenant!)) {
        const unit = indentUnit(ctx.doc.text);
        fixes.push({
          title: 'List both issuers',
          edits: [insertAfter(ctx, config, ['<issuers>', `${unit}<issuer>${v1Issuer(host!, tenant!)}</issuer>`, `${unit}<issuer>${v2Issuer(host!, tenant!)}</issuer>`, '</issuers>'])],
        });
      }
      ctx.report({
        message: `With no <issuers>, only the issuer of this ${v2 ? 'v2' : 'v1'} OpenID configuration is accepted, so ${v2 ? 'v1' : 'v2'} tokens fail with IDX10205 (401). List both issuers${GUID.test(tenant!) || NAMED_VALUE.test(tenant!) ? '' : ' using the tenant ID (issuers carry the tenant GUID, not its domain)'}.`,
        start: config.nameRange.start,
        end: config.nameRange.end,
        fixes,
      });
    }
  },
};

/** G6: v2 tokens carry the app ID GUID as `aud`; v1 tokens may carry the App ID URI. */
export const audienceForms: PolicyRule = {
  id: 'apim.policy.audienceForms',
  severity: 'warning',
  title: 'Audience list without both the App ID URI and the client ID',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, ...VALIDATORS)) {
      const container = childElements(validator, 'audiences')[0];
      if (!container) continue;
      const audiences = childElements(container, 'audience').map((element) => ({ element, value: textContent(element).trim() }));
      if (audiences.length === 0) continue;
      const versions = acceptedVersions(validator);
      const mayVary = !versions || versions.has(1);
      const bare = new Set(audiences.filter((a) => GUID.test(a.value) || NAMED_VALUE.test(a.value)).map((a) => a.value.toLowerCase()));
      const uris = audiences.filter((a) => /^(api|https?):\/\//i.test(a.value));
      const last = audiences[audiences.length - 1]!.element;
      for (const audience of uris) {
        const id = /^api:\/\/(.+?)\/?$/i.exec(audience.value)?.[1];
        if (!id || !(GUID.test(id) || NAMED_VALUE.test(id)) || bare.has(id.toLowerCase())) continue;
        ctx.report({
          message: `The audience ${audience.value} has no matching client ID ${id}. v2 tokens always carry the client ID (GUID) as aud, so they fail with IDX10214 (401).`,
          start: audience.element.range.start,
          end: audience.element.range.end,
          fixes: [{ title: `Add the audience ${id}`, edits: [insertAfter(ctx, last, [`<audience>${id}</audience>`])] }],
        });
      }
      if (bare.size === 0 && uris.length > 0 && uris.every((u) => !/^api:\/\/(\{\{[^{}]+\}\}|[0-9a-f-]{36})\/?$/i.test(u.value))) {
        ctx.report({
          message: `No audience is an application (client) ID. v2 tokens always carry the API's client ID (GUID) as aud, so they fail with IDX10214 (401). Add the API app's client ID.`,
          start: container.nameRange.start,
          end: container.nameRange.end,
        });
      }
      if (mayVary && uris.length === 0) {
        for (const id of bare) {
          const element = audiences.find((a) => a.value.toLowerCase() === id)!.element;
          const value = textContent(element).trim();
          ctx.report({
            message: `Only the client ID ${value} is accepted, but this validation also accepts v1 tokens, whose aud can be the App ID URI (api://${value}). Add api://${value}, or pin requestedAccessTokenVersion to 2.`,
            start: element.range.start,
            end: element.range.end,
            fixes: [{ title: `Add the audience api://${value}`, edits: [insertAfter(ctx, last, [`<audience>api://${value}</audience>`])] }],
          });
        }
      }
    }
  },
};

/** validate-azure-ad-token with neither audiences nor client application ids accepts any token of the tenant. */
export const aadTokenWithoutAudiences: PolicyRule = {
  id: 'apim.policy.aadTokenWithoutAudiences',
  severity: 'error',
  title: 'validate-azure-ad-token without audiences or client-application-ids',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, 'validate-azure-ad-token')) {
      const audiences = childElements(validator, 'audiences').flatMap((c) => childElements(c, 'audience'));
      const clients = childElements(validator, 'client-application-ids').flatMap((c) => childElements(c, 'application-id'));
      if (audiences.length > 0 || clients.length > 0) continue;
      ctx.report({
        message:
          'validate-azure-ad-token has no <audiences> and no <client-application-ids>, so any token issued in the tenant (for example a Microsoft Graph token) is accepted. Add <audiences> with the API app ID URI and client ID.',
        start: validator.nameRange.start,
        end: validator.nameRange.end,
      });
    }
  },
};
