/**
 * 500 family: APIM answers a policy expression that throws, a `forward-request` timeout and a backend connection
 * failure with the same body, `{ "statusCode": 500, "message": "Internal server error", "activityId": … }`
 * (test/sandbox/FIDELITY.md G27–G29). The body cannot tell them apart; which request failed and when can:
 * - a 500 that took about the forward-request timeout (or far longer than every answer that worked) is a timeout;
 * - a fast 500 after the backend already answered this run (initialize, tools/list) is a policy expression;
 * - a fast 500 to the first request is one of the two, and the fix names the checks that decide.
 */
import * as l10n from '@vscode/l10n';
import { apimMessage } from '../../apim/gatewayResponse';
import type { HttpExchange } from '../../probe/probeHttpClient';
import { attemptExchanges, toolCallExchange, type Observations } from '../observe';
import { describeExchange, report, type FindingText, type RuleContext } from './ruleContext';

const TRACE_CHECK =
  'Run the request with an APIM trace (Apim-Debug-Authorization header, see "Trace API calls" in the portal) and read LastError.Reason, ' +
  'or look in Application Insights → exceptions for the activityId above:';

/** What each 500 finding says; the rule below only decides which applies and gathers the evidence. */
const TEXT = {
  expressionError: (): FindingText => ({
    id: 'apim.policy.expressionError',
    severity: 'error',
    title: l10n.t('A gateway policy expression failed (HTTP 500 from APIM)'),
    fix: {
      summary:
        l10n.t('A policy expression threw (LastError ExpressionValueEvaluationFailure), typically an unguarded claim read such as Claims["roles"] on a token without roles, or a body read on a request that has none. Guard every read and return 401/403 yourself; get the exact expression from an APIM trace (Apim-Debug-Authorization). If the trace says BackendConnectionFailure instead, the backend dropped this call.'),
      snippet: {
        language: 'xml',
        code: '@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("roles", "") ?? "")',
      },
    },
  }),
  backendTimeout: (): FindingText => ({
    id: 'apim.backend.timeout',
    severity: 'error',
    title: l10n.t('The backend did not answer within the gateway\'s forward-request timeout (HTTP 500 from APIM)'),
    fix: {
      summary:
        l10n.t('APIM waited for the MCP backend\'s response headers until the forward-request timeout passed, then answered 500 (LastError Reason Timeout at forward-request; the backend may still finish the work). Make the slow tool answer sooner (stream progress, or start the work and return), or raise the timeout for this API; values above 240 s may not be honoured.'),
      snippet: { language: 'xml', code: '<backend>\n    <forward-request timeout="120" buffer-response="false" />\n</backend>' },
    },
  }),
  internalError: (): FindingText => ({
    id: 'apim.server.internalError',
    severity: 'error',
    title: l10n.t('APIM answered HTTP 500: one of a policy expression error or an unreachable backend'),
    fix: {
      summary:
        l10n.t('APIM gives the same 500 body for a policy expression that throws and for a backend it cannot reach, and nothing reached the backend this run. {0} ExpressionValueEvaluationFailure is the policy (the trace names the expression); BackendConnectionFailure is the backend (check its URL in the API settings or backend entity, that it runs, and the network path from the gateway, e.g. private endpoints and NSGs); Timeout is a backend slower than forward-request allows.', TRACE_CHECK),
      commands: [
        'az apim api show --resource-group <rg> --service-name <apim> --api-id <api-id> --query "{serviceUrl:serviceUrl, backendId:backendId}"',
        'az apim backend show --resource-group <rg> --service-name <apim> --backend-id <backend-id> --query url',
      ],
    },
  }),
} satisfies Record<string, () => FindingText>;

/** `{ statusCode: 500, … }`: APIM's own error body, not the backend's. */
export function isApimErrorBody(e: HttpExchange): boolean {
  try {
    const body = JSON.parse(e.bodyText) as { statusCode?: unknown };
    return Boolean(body && typeof body === 'object' && body.statusCode === e.status);
  } catch {
    return false;
  }
}

/**
 * Whether the 500 came when a forward-request timeout would have: at the policy's timeout when it is known, else
 * after at least a second and five times longer than the slowest JSON-RPC answer that worked this run.
 */
export function timedLikeTimeout(obs: Observations, e: HttpExchange, label = e.jsonrpcMethod ?? e.method): { slow: boolean; line: string } {
  const took = `${label} took ${(e.durationMs / 1000).toFixed(1)} s`;
  const timeout = obs.input.expect?.forwardRequestTimeoutSeconds;
  if (timeout !== undefined) return { slow: e.durationMs >= timeout * 1000 - 250, line: `${took}; the policy's forward-request timeout is ${timeout} s` };
  // JSON-RPC requests only: a GET stream stays open for as long as the session does.
  const worked = obs.exchanges.filter((x) => x !== e && x.method === 'POST' && x.jsonrpcMethod && x.status !== undefined && x.status < 300);
  const slowest = Math.max(0, ...worked.map((x) => x.durationMs));
  const line = `${took}; the slowest JSON-RPC answer that worked took ${(slowest / 1000).toFixed(2)} s`;
  return { slow: e.durationMs >= 1000 && e.durationMs >= 5 * slowest, line };
}

/** An APIM 500 to `e`: a timeout, an expression error, or one of those and a connection failure. */
export function serverErrorRule(ctx: RuleContext, e: HttpExchange, label = e.jsonrpcMethod ?? e.method): void {
  const { obs } = ctx;
  const timing = timedLikeTimeout(obs, e, label);
  const reachedBackend = obs.exchanges.some((x) => x.method === 'POST' && x.jsonrpcMethod === 'initialize' && x.status !== undefined && x.status < 300);
  const listed = [obs.authenticated, obs.unauthenticated].some((a) => a?.tools !== undefined);
  const context = [
    describeExchange(e),
    `${label} → HTTP ${e.status}`,
    timing.line,
    ...(reachedBackend ? [`initialize${listed ? ' and tools/list' : ''} worked this run, so the backend answers`] : ['no request reached the backend this run']),
  ];
  if (timing.slow) report(ctx, TEXT.backendTimeout(), context);
  else if (reachedBackend) report(ctx, TEXT.expressionError(), context);
  else report(ctx, TEXT.internalError(), context);
}

/**
 * The one read-only tool call the probe makes: an APIM 500 there is a failure no initialize shows. A policy that
 * fails every `tools/call` must never read as healthy.
 */
export function toolCallRules(ctx: RuleContext): void {
  const { obs } = ctx;
  const attempt = obs.authenticated ?? obs.unauthenticated;
  const call = toolCallExchange(attemptExchanges(obs, attempt));
  if (!call || call.status !== 500 || apimMessage(call.bodyText) === undefined || !isApimErrorBody(call)) return;
  if (ctx.out.some((f) => f.id === 'apim.policy.expressionError' || f.id === 'apim.backend.timeout')) return;
  serverErrorRule(ctx, call, `tools/call ${attempt.toolCall?.name ?? ''} (a read-only tool, called once to see the policy act)`.trim());
}
