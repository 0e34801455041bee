/** Whether tokens are validated at all, and validator configurations that accept far more than intended. */
import { factsOf } from '../policyFacts';
import { attributeValue, childElements, elementsNamed, textContent } from '../policyQueries';
import type { PolicyRule, RuleContext } from '../policyRule';
import type { PolicyDocument, PolicyElement } from '../policyTypes';

const AUTHORIZATION = /^authorization$/i;
const SUBSCRIPTION_KEY = /context\s*\.\s*Subscription\b|Ocp-Apim-Subscription-Key|subscription-key/i;

/** The text uses a subscription key. Each form contains "subscription", a much cheaper test that most texts fail. */
export const mentionsSubscriptionKey = (text: string): boolean => /subscription/i.test(text) && SUBSCRIPTION_KEY.test(text);

export const isFragment = (doc: PolicyDocument): boolean => doc.elements[0]?.name === 'fragment' && !doc.elements[0].parent;

function authorizationChecks(doc: PolicyDocument): { presenceOnly: PolicyElement[]; withValues: PolicyElement[] } {
  const checks = elementsNamed(doc, 'check-header').filter((e) => AUTHORIZATION.test((attributeValue(e, 'name') ?? '').trim()));
  const withValues = checks.filter((e) => childElements(e, 'value').length > 0);
  return { presenceOnly: checks.filter((e) => !withValues.includes(e)), withValues };
}

/** The policy does no token validation of its own; `undefined` when it does, or when keys / fragments may. */
export function missingValidation(doc: PolicyDocument): { anchor: PolicyElement; message: string } | undefined {
  if (factsOf(doc).validators.length > 0 || elementsNamed(doc, 'validate-client-certificate').length > 0) return undefined;
  const { presenceOnly, withValues } = authorizationChecks(doc);
  if (withValues.length > 0 || mentionsSubscriptionKey(factsOf(doc).uncommented)) return undefined;
  const anchor = presenceOnly[0] ?? elementsNamed(doc, 'inbound')[0] ?? doc.elements[0];
  if (!anchor) return undefined;
  const code = doc.expressions.map((x) => x.code).join('\n');
  const opaque = /Decrypt\s*\(|FromBase64String\s*\(/.test(code) || elementsNamed(doc, 'cache-lookup-value').length > 0;
  const base = 'This MCP server policy has no validate-jwt or validate-azure-ad-token. MCP APIs do not inherit API-level policies, so bearer tokens are not checked unless this policy checks them.';
  const detail =
    presenceOnly.length > 0
      ? opaque
        ? ' check-header only tests that Authorization is present; the policy then treats it as an opaque session key (decrypted or looked up), which proves the caller holds a key this gateway issued, not a token Entra signed for this API.'
        : ' check-header only tests that Authorization is present: any value passes.'
      : /AsJwt\s*\(/.test(code)
        ? ' AsJwt() only parses the token: its signature, audience, issuer and expiry are not checked.'
        : '';
  return { anchor, message: `${base}${detail} Ignore this if the server uses subscription keys only; otherwise run "APIM MCP: Generate MCP Authorization Policy".` };
}

/** MCP APIs do not inherit API-level policies (G3), so an MCP policy must validate tokens itself. */
export const mcpWithoutTokenValidation: PolicyRule = {
  id: 'apim.policy.mcpWithoutTokenValidation',
  severity: 'warning',
  title: 'MCP server policy without token validation',
  check(ctx) {
    const { doc } = ctx;
    if (ctx.scope !== 'mcp' || isFragment(doc) || factsOf(doc).fragments.length > 0) return;
    const missing = missingValidation(doc);
    if (missing) ctx.report({ message: missing.message, start: missing.anchor.nameRange.start, end: missing.anchor.nameRange.end });
  },
};

const MULTI_TENANT_CONFIG = /^https:\/\/login\.(?:microsoftonline\.(?:com|us)|chinacloudapi\.cn)\/(common|organizations|consumers)(?:\/v2\.0)?\/\.well-known\/openid-configuration\/?$/i;

function requiredClaimNames(validator: PolicyElement): Set<string> {
  return new Set(childElements(validator, 'required-claims').flatMap((c) => childElements(c, 'claim')).map((c) => (attributeValue(c, 'name') ?? '').toLowerCase()));
}

const entries = (validator: PolicyElement, container: string, item: string): PolicyElement[] =>
  childElements(validator, container).flatMap((c) => childElements(c, item)).filter((e) => textContent(e).trim() !== '');

/** A `common` / `organizations` / `consumers` configuration without `<issuers>` lets every tenant's tokens through. */
export const multiTenantWithoutIssuers: PolicyRule = {
  id: 'apim.policy.multiTenantWithoutIssuers',
  severity: 'warning',
  title: 'Multi-tenant OpenID configuration without issuers',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, 'validate-jwt')) {
      if (entries(validator, 'issuers', 'issuer').length > 0) continue;
      const claims = requiredClaimNames(validator);
      if (claims.has('tid') || claims.has('iss')) continue;
      for (const config of childElements(validator, 'openid-config')) {
        const tenant = MULTI_TENANT_CONFIG.exec((attributeValue(config, 'url') ?? '').trim())?.[1]?.toLowerCase();
        if (!tenant) continue;
        const who = tenant === 'consumers' ? 'any personal Microsoft account' : tenant === 'organizations' ? 'any work or school tenant' : 'any Microsoft Entra tenant and any personal account';
        ctx.report({
          message: `This openid-config is the multi-tenant "${tenant}" endpoint and there are no <issuers>, so tokens issued by ${who} pass issuer validation; only the audience limits who gets in. List your tenant's issuers (https://login.microsoftonline.com/<tenant ID>/v2.0, https://sts.windows.net/<tenant ID>/) or require the tid claim.`,
          start: config.nameRange.start,
          end: config.nameRange.end,
        });
      }
    }
  },
};

/** A signing key alone checks the signature and expiry, nothing about who the token is for or who issued it. */
export const jwtWithoutAudienceOrIssuer: PolicyRule = {
  id: 'apim.policy.jwtWithoutAudienceOrIssuer',
  severity: 'warning',
  title: 'validate-jwt with a signing key but no audiences and no issuers',
  check(ctx) {
    for (const validator of elementsNamed(ctx.doc, 'validate-jwt')) {
      const keys = childElements(validator, 'issuer-signing-keys').flatMap((c) => childElements(c, 'key'));
      if (keys.length === 0 || childElements(validator, 'openid-config').length > 0) continue;
      if (entries(validator, 'audiences', 'audience').length > 0 || entries(validator, 'issuers', 'issuer').length > 0) continue;
      const claims = requiredClaimNames(validator);
      if (claims.has('aud') || claims.has('iss')) continue;
      ctx.report({
        message:
          'This validate-jwt has a signing key but no <audiences> and no <issuers>, so only the signature and expiry are checked: any token signed with this key, including one minted for another API that shares it, is accepted. Add the audience (and issuer) this API expects.',
        start: validator.nameRange.start,
        end: validator.nameRange.end,
      });
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

const JWT_ONLY_ATTRIBUTES = ['require-scheme', 'require-expiration-time', 'require-signed-tokens', 'clock-skew'];
const JWT_ONLY_ELEMENTS = ['openid-config', 'issuer-signing-keys', 'issuers'];

/** Settings of validate-jwt written on validate-azure-ad-token, which has none of them. */
export const aadTokenUnsupportedSetting: PolicyRule = {
  id: 'apim.policy.aadTokenUnsupportedSetting',
  severity: 'warning',
  title: 'validate-jwt settings on validate-azure-ad-token',
  check(ctx: RuleContext) {
    for (const validator of elementsNamed(ctx.doc, 'validate-azure-ad-token')) {
      const attributes = validator.attributes.filter((a) => JWT_ONLY_ATTRIBUTES.includes(a.name.toLowerCase()));
      const elements = childElements(validator).filter((e) => JWT_ONLY_ELEMENTS.includes(e.name.toLowerCase()));
      const first = [...attributes.map((a) => a.nameRange), ...elements.map((e) => e.nameRange)].sort((a, b) => a.start - b.start)[0];
      if (!first) continue;
      const names = [...attributes.map((a) => a.name), ...elements.map((e) => `<${e.name}>`)].join(', ');
      ctx.report({
        message: `${names} ${attributes.length + elements.length > 1 ? 'belong' : 'belongs'} to validate-jwt; validate-azure-ad-token has no such setting, so the policy is refused or the setting does nothing. validate-azure-ad-token takes the issuer and keys from tenant-id; use validate-jwt if you need these settings.`,
        start: first.start,
        end: first.end,
      });
    }
  },
};

/** Where this MCP policy lacks validation or a challenge but includes fragments that may hold them. */
export const checkFragment: PolicyRule = {
  id: 'apim.policy.checkFragment',
  severity: 'information',
  title: 'Token validation or challenge may be in an included fragment',
  check(ctx) {
    const { doc } = ctx;
    const { fragments, validators } = factsOf(doc);
    if (ctx.scope !== 'mcp' || fragments.length === 0) return;
    const missing: string[] = [];
    if (validators.length === 0 && missingValidation(doc)) missing.push('token validation');
    if (validators.length > 0 && !hasResourceMetadataChallenge(doc)) missing.push('the Bearer challenge with resource_metadata');
    if (missing.length === 0) return;
    const ids = [...new Set(fragments.map((f) => f.id || '(no fragment-id)'))];
    ctx.report({
      message: `This MCP server policy has no ${missing.join(' and no ')} of its own, but includes ${ids.length > 1 ? 'fragments' : 'fragment'} ${ids.join(', ')}: check that ${ids.length > 1 ? 'they provide' : 'it provides'} ${missing.join(' and ')}.`,
      start: fragments[0]!.element.nameRange.start,
      end: fragments[0]!.element.nameRange.end,
    });
  },
};

/** Some `WWW-Authenticate` header names `resource_metadata` (in a value or an expression). */
export function hasResourceMetadataChallenge(doc: PolicyDocument): boolean {
  return elementsNamed(doc, 'set-header').some(
    (h) => /^www-authenticate$/i.test((attributeValue(h, 'name') ?? '').trim()) && /resource_metadata/i.test(`${attributeValue(h, 'value') ?? ''} ${textContent(h)}`),
  );
}

