/**
 * The diagnosis's expectations from the gateway's own policy: what its token validation accepts and its
 * forward-request timeout, each with the line that says it, so a finding can quote the policy as evidence. The
 * policy comes from the workspace (the file that matches the server), from the API in Azure, or from `--policy FILE`.
 */
import type { PolicyExpectations, PolicyLine, PolicyValue } from '../apim/policy/tokenValidation';
import { GUID } from '../basics';
import type { DiagnoseInput, PolicyExpectationKey } from './observe';

export type DiagnoseExpect = NonNullable<DiagnoseInput['expect']>;

/** `policy.xml:12: <audience>api://…</audience>`: where a setting is written, quoted as it stands. */
function cite(label: string, at: PolicyLine | undefined): string | undefined {
  return at ? `${label}:${at.line}: ${at.text.length > 200 ? `${at.text.slice(0, 200)}…` : at.text}` : undefined;
}

export function expectFromPolicy(policy: PolicyExpectations, label: string): DiagnoseExpect | undefined {
  const v = policy.tokenValidations[0];
  const timeout = policy.forwardRequestTimeout ? Number(policy.forwardRequestTimeout.value) : undefined;
  if (!v && timeout === undefined) return undefined;
  const values = (list: readonly PolicyValue[] | undefined) => (list?.length ? list.map((x) => x.value) : undefined);
  const lines: Partial<Record<PolicyExpectationKey, string>> = {
    audiences: cite(label, v?.audiences[0]?.at),
    issuers: cite(label, v?.issuers[0]?.at ?? v?.openidConfig?.at),
    tenantId: cite(label, v?.tenant?.at),
    clientApplicationIds: cite(label, v?.clientApplicationIds[0]?.at),
    forwardRequestTimeout: cite(label, policy.forwardRequestTimeout?.at),
    failedValidation: cite(label, v?.failedValidationHttpCode?.at ?? v?.failedValidationErrorMessage?.at),
  };
  const scp = v?.requiredClaims.find((c) => c.name === 'scp');
  return {
    audiences: values(v?.audiences),
    // validate-azure-ad-token accepts the tenant's v1 and v2 issuers; validate-jwt the listed ones, else its metadata's.
    issuers: v?.policy === 'validate-jwt' ? values(v.issuers) : undefined,
    issuerVersion: v?.policy === 'validate-jwt' && !v.issuers.length ? v.openidConfig?.version : undefined,
    tenantId: v?.tenant && GUID.test(v.tenant.value) ? v.tenant.value : undefined,
    clientApplicationIds: values(v?.clientApplicationIds),
    scopes: scp?.values.length ? [...scp.values] : undefined,
    forwardRequestTimeoutSeconds: timeout !== undefined && Number.isFinite(timeout) ? timeout : undefined,
    failedValidationErrorMessage: v?.failedValidationErrorMessage?.value,
    source: { label, lines: Object.fromEntries(Object.entries(lines).filter(([, line]) => line !== undefined)) },
  };
}
