/**
 * What an API's policy says about Entra validation, to prefill the wizard's Entra step: the audiences and the
 * tenant of `validate-jwt` / `validate-azure-ad-token`. Read with the lenient policy reader; expressions are ignored.
 */
import { readPolicyExpectations } from '../apim/policy/tokenValidation';
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
  const [validation] = readPolicyExpectations(xml).tokenValidations;
  if (!validation) return undefined;
  const audiences = validation.audiences.map((a) => a.value);
  const audience = audiences.find((a) => a.startsWith('api://') || GUID.test(a)) ?? audiences.find((a) => /^https?:\/\//.test(a));
  return {
    policy: validation.policy,
    tenant: validation.tenant?.value,
    audiences,
    scope: audience ? `${audience.replace(/\/+$/, '')}/.default` : undefined,
    clientApplicationIds: validation.clientApplicationIds.map((c) => c.value),
  };
}
