/**
 * What an API's policy says about Entra validation, to prefill the wizard's Entra step: the audiences and the
 * tenant of `validate-jwt` / `validate-azure-ad-token`. Read with the lenient policy reader; expressions are ignored.
 */
import { readPolicy } from '../apim/policy';
import { attributeValue, descendants, elementsNamed, textContent } from '../apim/policy/policyQueries';
import { GUID } from '../basics';

export interface EntraPrefill {
  readonly policy: 'validate-jwt' | 'validate-azure-ad-token';
  readonly tenant?: string;
  readonly audiences: readonly string[];
  /** A scope to ask for, from the first usable audience (`<app id URI or app id>/.default`). */
  readonly scope?: string;
  readonly clientApplicationIds: readonly string[];
}


export function entraFromPolicy(xml: string | undefined): EntraPrefill | undefined {
  if (!xml) return undefined;
  const doc = readPolicy(xml);
  const [element] = elementsNamed(doc, 'validate-azure-ad-token', 'validate-jwt');
  if (!element) return undefined;
  const literal = (v: string | undefined) => (v && !v.includes('@(') && !v.includes('{{') ? v.trim() : undefined);
  const texts = (parent: string, child: string) =>
    descendants(element, parent).flatMap((p) => descendants(p, child)).map((e) => literal(textContent(e))).filter((v): v is string => !!v);
  const audiences = texts('audiences', 'audience');
  const clientApplicationIds = texts('client-application-ids', 'application-id');
  let tenant: string | undefined;
  if (element.name === 'validate-azure-ad-token') tenant = literal(attributeValue(element, 'tenant-id'));
  else {
    const config = descendants(element, 'openid-config').map((e) => literal(attributeValue(e, 'url'))).find(Boolean);
    const issuer = texts('issuers', 'issuer')[0];
    tenant = tenantFromUrl(config) ?? tenantFromUrl(issuer);
  }
  const audience = audiences.find((a) => a.startsWith('api://') || GUID.test(a)) ?? audiences.find((a) => /^https?:\/\//.test(a));
  return {
    policy: element.name === 'validate-azure-ad-token' ? 'validate-azure-ad-token' : 'validate-jwt',
    tenant,
    audiences,
    scope: audience ? `${audience.replace(/\/+$/, '')}/.default` : undefined,
    clientApplicationIds,
  };
}

function tenantFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const first = new URL(url).pathname.split('/').filter(Boolean)[0];
    if (!first || ['common', 'organizations', 'consumers'].includes(first.toLowerCase())) return undefined;
    return first;
  } catch {
    return undefined;
  }
}
