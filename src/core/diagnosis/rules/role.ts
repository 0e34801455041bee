/**
 * Role family: the per-tool app-role checks of the gateway policy. From `tools/list`, the tool → role map (from the
 * policy or the scenario) and the token's `roles` claim, which tools the token would be denied; and whether the
 * policy itself fails on a token without roles, checked with one call of a read-only tool.
 */
import * as l10n from '@vscode/l10n';
import { FIX_COMMANDS } from '../fixCommands';
import { apimMessage } from '../../apim/gatewayResponse';
import { claimList } from '../../entra/jwt';
import { PORTAL } from '../finding';
import { attemptExchanges, toolCallExchange } from '../observe';
import { expectedFromPrm } from './prmExpectations';
import { describeExchange, report, type FindingText, type RuleContext } from './ruleContext';
import { timedLikeTimeout } from './serverError';

/** The title, one message per singular/plural combination so that translators see whole sentences. */
function rolesNeededTitle(neededRoles: readonly string[], deniedTools: number): string {
  const roles = neededRoles.join(', ');
  if (neededRoles.length > 1) {
    return deniedTools > 1
      ? l10n.t({ message: 'The token lacks the roles {0} needed for {1} tools', args: [roles, deniedTools], comment: ['{0} is a list of app role names, {1} a number of MCP tools.'] })
      : l10n.t({ message: 'The token lacks the roles {0} needed for {1} tool', args: [roles, deniedTools], comment: ['{0} is a list of app role names, {1} is 1 (MCP tools).'] });
  }
  return deniedTools > 1
    ? l10n.t({ message: 'The token lacks the role {0} needed for {1} tools', args: [roles, deniedTools], comment: ['{0} is an app role name, {1} a number of MCP tools.'] })
    : l10n.t({ message: 'The token lacks the role {0} needed for {1} tool', args: [roles, deniedTools], comment: ['{0} is an app role name, {1} is 1 (MCP tools).'] });
}

/** What each role finding says; the rule below only decides which applies and gathers the evidence. */
const TEXT = {
  unguardedRolesClaim: (): FindingText => ({
    id: 'apim.policy.expressionError',
    severity: 'error',
    title: l10n.t('The per-tool role policy fails with HTTP 500 on a token without roles'),
    fix: {
      summary:
        l10n.t('The policy reads Claims["roles"] without a guard, so a token with no roles claim makes the expression throw (ExpressionValueEvaluationFailure → 500). Read the claim with GetValueOrDefault and answer 403 yourself; then assign the app roles the user needs.'),
      snippet: {
        language: 'xml',
        code:
          '<set-variable name="roles" value="@(context.Request.Headers.GetValueOrDefault("Authorization","").Split(\' \').Last().AsJwt()' +
          '?.Claims.GetValueOrDefault("roles", new string[0]) ?? new string[0])" />',
      },
    },
  }),
  roleMissing: (neededRoles: readonly string[], deniedTools: number, apiAppId: string): FindingText => ({
    id: 'entra.token.roleMissing',
    severity: 'error',
    title: rolesNeededTitle(neededRoles, deniedTools),
    fix: {
      summary:
        neededRoles.length > 1
          ? l10n.t({ message:
              'Assign the app roles {0} to the user (or the client app, for app-only tokens) on the API\'s enterprise application → Users and groups, then get a new token (roles are fixed at issuance: sign out and in again). Directory roles such as Global Administrator do not count: they are in wids, not roles.', args: [neededRoles.join(', ')], comment: ['{0} is a list of app role names.'] })
          : l10n.t({ message:
              'Assign the app role {0} to the user (or the client app, for app-only tokens) on the API\'s enterprise application → Users and groups, then get a new token (roles are fixed at issuance: sign out and in again). Directory roles such as Global Administrator do not count: they are in wids, not roles.', args: [neededRoles.join(', ')], comment: ['{0} is an app role name.'] }),
      commands: [FIX_COMMANDS.assignAppRole(neededRoles[0]!)],
      links: [
        { label: 'Enterprise applications', url: PORTAL.enterpriseApps },
        { label: 'API app → App roles', url: PORTAL.appRoles(apiAppId) },
      ],
    },
  }),
} satisfies Record<string, FindingText | ((...args: never[]) => FindingText)>;

export function roleRules(ctx: RuleContext): void {
  const { obs } = ctx;
  const map = obs.input.toolRoles;
  const attempt = obs.authenticated;
  if (!map || !obs.token?.ok || !attempt?.initialized || !attempt.tools) return;
  const claimed = claimList(obs.token.token.claims, 'roles');
  const roles = claimed ?? [];
  const call = toolCallExchange(attemptExchanges(obs, attempt));
  const rolesLine = `roles = ${JSON.stringify(roles)}${claimed ? '' : ' (no roles claim in the token)'}`;
  // A fast APIM-shaped 500 on the tool call for a token without roles: the role check itself threw before it could
  // allow or deny. A slow one, or one for a token with roles, is for the 500 family to explain.
  if (call && call.status === 500 && apimMessage(call.bodyText) !== undefined && !claimed && !timedLikeTimeout(obs, call).slow) {
    const evidence = [describeExchange(call), `tools/call ${attempt.toolCall?.name ?? ''} (read-only tool, called to check the policy)`, rolesLine];
    report(ctx, TEXT.unguardedRolesClaim(), evidence);
    return;
  }
  const matrix = attempt.tools.map(({ name: tool }) => ({ tool, role: map[tool], granted: map[tool] ? roles.includes(map[tool]!) : undefined }));
  const missing = matrix.filter((m) => m.role && !m.granted);
  if (!missing.length) return;
  const neededRoles = [...new Set(missing.map((m) => m.role!))];
  const evidence = [
    rolesLine,
    ...matrix.map((m) => `${m.tool}: needs ${m.role ?? '(no role)'} → ${m.role ? (m.granted ? 'allowed' : 'denied (403)') : 'allowed'}`),
    ...(call ? [`checked with a read-only call: tools/call ${attempt.toolCall?.name ?? ''} → HTTP ${call.status ?? call.failure?.kind}`] : []),
  ];
  report(ctx, TEXT.roleMissing(neededRoles, missing.length, expectedFromPrm(obs).apiAppId ?? '<api-app-id>'), evidence);
}
