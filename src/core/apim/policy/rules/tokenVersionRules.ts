/**
 * Entra token versions against the issuers and audiences a validator accepts. Both rules fire only where the
 * configuration contradicts itself, so that a token fails whatever the app registration says: a policy that pins one
 * version consistently (Microsoft's samples pin v2 and list the bare client ID) is not reported.
 */
import { attributeValue, childElements, elementsNamed, indentationAt, indentUnit, textContent } from '../policyQueries';
import type { PolicyFix, PolicyRule, RuleContext } from '../policyRule';
import type { PolicyElement } from '../policyTypes';
import { isPlaceholder } from '../templateText';
import { GUID } from '../../../basics';

/** v1 `https://sts.windows.net/<tid>/`, with the sovereign-cloud hosts. */
const V1_ISSUER = /^https:\/\/(sts\.windows\.net|sts\.chinacloudapi\.cn|login\.microsoftonline\.us)\/([^/\s]+)\/?$/i;
/** v2 `https://login.microsoftonline.com/<tid>/v2.0`, with the sovereign-cloud hosts. */
const V2_ISSUER = /^https:\/\/(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)\/([^/\s]+)\/v2\.0\/?$/i;
const OPENID_CONFIG = /^https:\/\/(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.chinacloudapi\.cn)\/([^/\s]+)(\/v2\.0)?\/\.well-known\/openid-configuration\/?$/i;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
/** Audiences owned by Microsoft (Graph, Azure resources, APIM's shared credential-manager audience): not the API's own app. */
const MICROSOFT_RESOURCE = /^https:\/\/(?:[^/]*\.)?(?:microsoft\.com|microsoftonline\.com|azure\.com|azure\.net|azure-api\.net|windows\.net|azure\.cn|usgovcloudapi\.net|dynamics\.com|office\.com|office365\.com|sharepoint\.com|powerbi\.com|cognitiveservices\.azure\.com)(?:\/|$)/i;

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
const isClientId = (value: string): boolean => GUID.test(value) || isPlaceholder(value);

interface IssuerInfo {
  readonly element: PolicyElement;
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
    return { element, version: v2 ? 2 : v1 ? 1 : undefined, host: match?.[1] ?? '', tenant: match?.[2] ?? '' } as IssuerInfo;
  });
  return { container, issuers };
}

interface VersionPin {
  readonly versions: ReadonlySet<1 | 2>;
  /** What pins them, for the message: the issuers, or the OpenID configuration used without issuers. */
  readonly because: string;
  readonly anchor: PolicyElement;
}

/** The token versions a validate-jwt can accept, when its issuers (or its single-tenant configuration) decide them. */
function pinnedVersions(validator: PolicyElement): VersionPin | undefined {
  if (validator.name !== 'validate-jwt') return undefined;
  const { container, issuers } = issuersOf(validator);
  if (container && issuers.length > 0) {
    if (issuers.some((i) => i.version === undefined)) return undefined;
    const versions = new Set(issuers.map((i) => i.version!));
    return { versions, because: `the issuers (${versions.size > 1 ? 'v1 and v2' : `v${[...versions][0]} only`})`, anchor: container };
  }
  const config = childElements(validator, 'openid-config')[0];
  const url = config ? OPENID_CONFIG.exec((attributeValue(config, 'url') ?? '').trim()) : null;
  if (!config || !url || MULTI_TENANT.has(url[2]!.toLowerCase()) || childElements(validator, 'openid-config').length > 1) return undefined;
  return { versions: new Set([url[3] ? 2 : 1]), because: `the ${url[3] ? 'v2' : 'v1'} OpenID configuration, with no <issuers>`, anchor: config };
}

function audiencesOf(validator: PolicyElement): { container: PolicyElement | undefined; values: { element: PolicyElement; value: string }[] } {
  const container = childElements(validator, 'audiences')[0];
  const values = (container ? childElements(container, 'audience') : []).map((element) => ({ element, value: textContent(element).trim() }));
  return { container, values };
}

function insertAfter(ctx: RuleContext, anchor: PolicyElement, lines: string[]): { start: number; end: number; newText: string } {
  const indent = indentationAt(ctx.doc.text, anchor.range.start);
  return { start: anchor.range.end, end: anchor.range.end, newText: lines.map((l) => `\n${indent}${l}`).join('') };
}

/** G6: a v2 token's aud is always the client ID, so a v2-only validator whose audiences hold no client ID rejects every token. */
export const audienceForms: PolicyRule = {
  id: 'apim.policy.audienceForms',
  severity: 'warning',
  title: 'Audiences that the accepted token version never carries',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, 'validate-jwt')) {
      const pin = pinnedVersions(validator);
      const { container, values } = audiencesOf(validator);
      if (!pin || !pin.versions.has(2) || !container || values.length === 0) continue;
      const hasClientId = values.some((a) => isClientId(a.value));
      const opaque = values.some((a) => !/^(api|https?):\/\//i.test(a.value) || MICROSOFT_RESOURCE.test(a.value));
      if (hasClientId || opaque) continue;
      const last = values[values.length - 1]!.element;
      for (const audience of values) {
        const id = /^api:\/\/(.+?)\/?$/i.exec(audience.value)?.[1];
        const fixes: PolicyFix[] = id && isClientId(id) ? [{ title: `Add the audience ${id}`, edits: [insertAfter(ctx, last, [`<audience>${id}</audience>`])] }] : [];
        const onlyV2 = pin.versions.size === 1;
        ctx.report({
          message: `${onlyV2 ? 'Only v2 tokens are accepted' : 'v2 tokens are accepted'} (${pin.because}), and a v2 access token always carries the API's client ID (GUID) as aud, never ${audience.value}. No audience here is a client ID, so ${onlyV2 ? 'every token fails' : 'every v2 token fails'} with IDX10214 (401). Add the API app's client ID${id && isClientId(id) ? ` (${id})` : ''}.`,
          start: audience.element.range.start,
          end: audience.element.range.end,
          fixes,
        });
      }
    }
  },
};

/** G5: one issuer version, while the audiences list both forms of the app: the other version's tokens fail with IDX10205. */
export const singleIssuer: PolicyRule = {
  id: 'apim.policy.singleIssuer',
  severity: 'warning',
  title: 'One issuer version, while the audiences expect both token versions',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, 'validate-jwt')) {
      const pin = pinnedVersions(validator);
      if (!pin || pin.versions.size !== 1) continue;
      const { values } = audiencesOf(validator);
      const ids = new Set(values.filter((a) => isClientId(a.value)).map((a) => a.value.toLowerCase()));
      const paired = values.some((a) => ids.has(/^api:\/\/(.+?)\/?$/i.exec(a.value)?.[1]?.toLowerCase() ?? '\u0000'));
      if (!paired) continue;
      const version = [...pin.versions][0]!;
      const other = version === 1 ? 2 : 1;
      ctx.report({
        message: `The audiences list both the client ID and its api:// URI, as for v1 and v2 tokens, but only v${version} tokens are accepted (${pin.because}): v${other} tokens fail with IDX10205 (401). ${missingIssuerAdvice(validator, version)}`,
        start: pin.anchor.nameRange.start,
        end: pin.anchor.nameRange.end,
        fixes: issuerFixes(ctx, validator, version),
      });
    }
  },
};

function missingIssuerAdvice(validator: PolicyElement, version: 1 | 2): string {
  const issuers = issuersOf(validator).issuers.filter((i) => i.version);
  if (issuers.length > 0) {
    const missing = [...new Set(issuers.map((i) => (version === 1 ? v2Issuer(i.host, i.tenant) : v1Issuer(i.host, i.tenant))))];
    return `Add ${missing.join(' and ')}, or pin requestedAccessTokenVersion on the app registration.`;
  }
  return 'List both issuers using the tenant ID (issuers carry the tenant GUID, not its domain), or pin requestedAccessTokenVersion.';
}

function issuerFixes(ctx: RuleContext, validator: PolicyElement, version: 1 | 2): PolicyFix[] {
  const entra = issuersOf(validator).issuers.filter((i) => i.version);
  if (entra.length > 0) {
    const missing = [...new Set(entra.map((i) => (version === 1 ? v2Issuer(i.host, i.tenant) : v1Issuer(i.host, i.tenant))))];
    const last = entra[entra.length - 1]!.element;
    return [{ title: `Add the v${version === 1 ? 2 : 1} issuer`, edits: [insertAfter(ctx, last, missing.map((m) => `<issuer>${m}</issuer>`))] }];
  }
  const config = childElements(validator, 'openid-config')[0];
  const url = config ? OPENID_CONFIG.exec((attributeValue(config, 'url') ?? '').trim()) : null;
  if (!config || !url || !(GUID.test(url[2]!) || isPlaceholder(url[2]!))) return [];
  const unit = indentUnit(ctx.doc);
  const [, host, tenant] = url;
  return [
    {
      title: 'List both issuers',
      edits: [insertAfter(ctx, config, ['<issuers>', `${unit}<issuer>${v1Issuer(host!, tenant!)}</issuer>`, `${unit}<issuer>${v2Issuer(host!, tenant!)}</issuer>`, '</issuers>'])],
    },
  ];
}
