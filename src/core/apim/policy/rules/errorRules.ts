/**
 * Error handling that hides what went wrong. When a policy fails (validate-jwt included), "any remaining steps in the
 * inbound, backend, or outbound sections are skipped and execution jumps to the statements in the on-error section"
 * (APIM error handling): so on-error decides what the caller sees, and outbound never runs for those failures.
 */
import { factsOf } from '../policyFacts';
import { attributeValue, descendants, elementsNamed, sectionOf } from '../policyQueries';
import type { PolicyRule } from '../policyRule';
import type { PolicyElement } from '../policyTypes';

const insideAny = (element: PolicyElement, names: readonly string[], stop?: PolicyElement): boolean => {
  for (let p = element.parent; p && p !== stop; p = p.parent) if (names.includes(p.name)) return true;
  return false;
};

/** An on-error that answers every failure, a 401 included, with one fixed status. */
export const onErrorMasksStatus: PolicyRule = {
  id: 'apim.policy.onErrorMasksStatus',
  severity: 'error',
  title: 'on-error rewrites every failure, 401 included, to one status',
  check(ctx) {
    const { doc } = ctx;
    const validators = factsOf(doc).validators;
    for (const onError of elementsNamed(doc, 'on-error')) {
      for (const status of descendants(onError, 'set-status')) {
        if (insideAny(status, ['when', 'otherwise', 'send-request'], onError)) continue;
        const code = (attributeValue(status, 'code') ?? '').trim();
        if (!/^\d{3}$/.test(code)) continue;
        if (/^2/.test(code)) {
          ctx.report({
            message: `Every failure is answered with ${code}: a 401 from token or key validation, a 429 and a 500 all reach the caller as success, so clients never sign in again or retry. Set a status only for the errors you mean (inside <choose>), or keep context.Response.StatusCode.`,
            start: status.range.start,
            end: status.range.end,
          });
        } else if (validators.length > 0 && code !== '401') {
          ctx.report({
            message: `Every failure, including the 401 of ${validators[0]!.name}, is answered with ${code}, so clients are not told to sign in again (and MCP clients never start sign-in). Keep the validator's status: set ${code} only inside a <choose> on context.LastError.Source, or use context.Response.StatusCode.`,
            start: status.range.start,
            end: status.range.end,
          });
        }
      }
    }
  },
};

const isChallenge = (h: PolicyElement): boolean => /^www-authenticate$/i.test((attributeValue(h, 'name') ?? '').trim());

/** A `WWW-Authenticate` that never reaches the caller: set on the request, or in outbound, which token failures skip. */
export const challengeHeaderDropped: PolicyRule = {
  id: 'apim.policy.challengeHeaderDropped',
  severity: 'warning',
  title: 'WWW-Authenticate set where the caller never sees it',
  check(ctx) {
    const { doc } = ctx;
    const challenges = elementsNamed(doc, 'set-header').filter((h) => isChallenge(h) && (attributeValue(h, 'exists-action') ?? '').toLowerCase() !== 'delete');
    const inOnError = challenges.some((h) => sectionOf(h) === 'on-error');
    const validators = factsOf(doc).validators.filter((v) => sectionOf(v) === 'inbound');
    for (const header of challenges) {
      if (insideAny(header, ['return-response', 'send-request'])) continue;
      const section = sectionOf(header);
      if (section === 'inbound') {
        ctx.report({
          message: 'In <inbound>, set-header changes the request sent to the backend: this WWW-Authenticate never reaches the caller. Set it in <on-error> (or in a return-response) for the 401.',
          start: header.nameRange.start,
          end: header.nameRange.end,
        });
      } else if (section === 'outbound' && validators.length > 0 && !inOnError) {
        ctx.report({
          message: `When ${validators[0]!.name} rejects a token, execution jumps to <on-error> and <outbound> is skipped, so this WWW-Authenticate is never sent with that 401. Set it in <on-error>.`,
          start: header.nameRange.start,
          end: header.nameRange.end,
        });
      }
    }
  },
};
