/**
 * on-error family: an `on-error` section that answers every 401 with its own Bearer challenge and body also catches
 * APIM's key failures, since SubscriptionKeyNotFound and SubscriptionKeyInvalid reach on-error too (FIDELITY.md
 * G30–G31). A missing or refused key then looks like a token problem. When the body is the policy's and not APIM's,
 * the attempts with and without credentials are compared, and the key is named when the token cannot be the cause.
 */
import * as l10n from '@vscode/l10n';
import { apimMessage } from '../../apim/gatewayResponse';
import type { HttpExchange } from '../../probe/probeHttpClient';
import { readChallenges } from '../../probe/wwwAuthenticate';
import { PORTAL } from '../finding';
import { attemptExchanges, firstFailing } from '../observe';
import { describeExchange, report, sentHeader, type FindingText, type RuleContext } from './ruleContext';
import { isApimErrorBody } from './serverError';
import { tokenLooksAccepted } from './token';

const decide = (): string =>
  l10n.t(
    'What decides: the API\'s "Subscription required" setting (subscriptionRequired), and an APIM trace (Apim-Debug-Authorization) whose LastError.Reason is SubscriptionKeyNotFound or SubscriptionKeyInvalid for a key, Token… for the token. Let on-error rewrite only token failures, so key failures keep APIM\'s own answer:',
  );

const ONLY_TOKEN_FAILURES =
  '<when condition="@(context.Response.StatusCode == 401 && !(context.LastError?.Reason ?? "").StartsWith("SubscriptionKey"))">';

const fix = (first: string): FindingText['fix'] => ({
  summary: `${first} ${decide()} ${ONLY_TOKEN_FAILURES}`,
  commands: ['az apim api show --resource-group <rg> --service-name <apim> --api-id <api-id> --query subscriptionRequired'],
  snippet: { language: 'xml', code: `<on-error>\n    <base />\n    <choose>\n        ${ONLY_TOKEN_FAILURES}\n            <!-- the Bearer challenge and body -->\n        </when>\n    </choose>\n</on-error>` },
  links: [{ label: 'API Management services', url: PORTAL.apim }],
});

const TEXT = {
  keyMissing: (): FindingText => ({
    id: 'apim.key.maskedByOnError',
    severity: 'error',
    title: l10n.t('A subscription key is most likely missing: the API\'s on-error section turns every 401 into a Bearer challenge'),
    fix: fix(l10n.t('Send the subscription key too, or turn "Subscription required" off for this OAuth API.')),
  }),
  keyRefused: (): FindingText => ({
    id: 'apim.key.maskedByOnError',
    severity: 'error',
    title: l10n.t('The subscription key was most likely refused: the API\'s on-error section turns every 401 into a Bearer challenge'),
    fix: fix(l10n.t('Use the key of an active subscription whose scope includes this API.')),
  }),
} satisfies Record<string, () => FindingText>;

/** A 401 with a Bearer challenge whose body is not APIM's own `{ statusCode, message }`: a policy wrote the answer. */
export function isPolicyWritten401(e: HttpExchange): boolean {
  return e.status === 401 && Boolean(readChallenges(e.headers['www-authenticate']).bearer) && !(isApimErrorBody(e) && apimMessage(e.bodyText));
}

/** Names the key behind a rewritten 401 when a good token was sent and changed nothing. True when it reported. */
export function maskedKeyRules(ctx: RuleContext, e: HttpExchange): boolean {
  const { obs } = ctx;
  // Before sign-in a Bearer challenge is expected; with a token that shows a problem, the token family explains.
  if (!sentHeader(e, 'Authorization') || !tokenLooksAccepted(obs)) return false;
  const keySent = sentHeader(e, obs.keyHeaderName);
  const keyless = firstFailing(attemptExchanges(obs, obs.unauthenticated));
  const same = keyless !== undefined && keyless !== e && keyless.status === e.status && keyless.bodyText === e.bodyText && keyless.headers['www-authenticate'] === e.headers['www-authenticate'];
  const checkedAgainst = obs.input.expect?.source?.label ?? 'the PRM';
  const evidence = [
    describeExchange(e),
    ...(same ? [`the request without credentials and the one with the token got the same answer: the token changed nothing`] : []),
    keySent ? `a key was sent in ${obs.keyHeaderName}` : 'no subscription key was sent',
    `the token's claims match what the gateway expects (checked against ${checkedAgainst})`,
    'the body is the policy\'s own, not APIM\'s { statusCode, message }: an on-error section wrote it, and on-error runs for key failures too',
  ];
  report(ctx, keySent ? TEXT.keyRefused() : TEXT.keyMissing(), evidence);
  return true;
}
