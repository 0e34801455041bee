/**
 * The diagnosis rules: pure functions from what the probes observed to findings (docs/findings.md). One family
 * per file, run in the order below, because later families read what earlier ones reported (a key problem
 * explains a 401 before the token family looks at it; a PRM resource mismatch absorbs Entra's AADSTS9010010).
 */
import type { Finding } from '../finding';
import { attemptExchanges, firstFailing, type Observations } from '../observe';
import { unsetVariableRules } from './clients';
import { discoveryRules } from './discovery';
import { otherHostTlsRules, redirectRules, sizeRules, unreachableRules } from './network';
import { preflightRules } from './preflight';
import { invalidResponseRule, refusalRules } from './response';
import { roleRules } from './role';
import { toolCallRules } from './serverError';
import type { RuleContext } from './ruleContext';
import { tokenRules } from './token';
import { transportRules } from './transport';

export { describeExchange } from './ruleContext';

export function evaluate(obs: Observations): Finding[] {
  const ctx: RuleContext = { obs, out: [] };
  const unauthExchanges = attemptExchanges(obs, obs.unauthenticated);
  const authExchanges = attemptExchanges(obs, obs.authenticated);
  const primaryAttempt = obs.authenticated ?? obs.unauthenticated;
  const primaryExchanges = obs.authenticated ? authExchanges : unauthExchanges;
  const primaryFail = firstFailing(primaryExchanges);

  if (unreachableRules(ctx, primaryFail ?? firstFailing(unauthExchanges))) return ctx.out;
  redirectRules(ctx, primaryFail);
  sizeRules(ctx);

  if (primaryFail) {
    refusalRules(ctx, primaryFail);
  } else if (!primaryAttempt.initialized || (primaryAttempt.error && !primaryAttempt.tools)) {
    invalidResponseRule(ctx, primaryExchanges, primaryAttempt.error);
  }
  unsetVariableRules(ctx);
  transportRules(ctx);
  discoveryRules(ctx);
  tokenRules(ctx, primaryFail);
  roleRules(ctx);
  toolCallRules(ctx);
  preflightRules(ctx);
  otherHostTlsRules(ctx);
  return ctx.out;
}
