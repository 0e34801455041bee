/**
 * Response family: what the gateway answered to the MCP `initialize` when it refused it. APIM's own messages name
 * the cause (missing or invalid subscription key, token not found, quota, ip-filter, 404, 429, policy errors);
 * anything else is reported as the status it is, never guessed. A rejected token and a Bearer challenge before
 * sign-in are left to the token and discovery families, which can say why.
 */
import * as l10n from '@vscode/l10n';
import { FIX_COMMANDS } from '../fixCommands';
import { APIM_MESSAGES, apimMessage, classifyGatewayResponse } from '../../apim/gatewayResponse';
import type { HttpExchange } from '../../probe/probeHttpClient';
import type { ParsedChallenges } from '../../probe/wwwAuthenticate';
import { PORTAL, quote } from '../finding';
import { mcpJsonKeySnippet } from '../fixes';
import { attemptExchanges, firstFailing } from '../observe';
import { describeExchange, report, sentHeader, type FindingText, type RuleContext } from './ruleContext';
import { isPolicyWritten401, maskedKeyRules } from './onError';
import { isApimErrorBody, serverErrorRule } from './serverError';

/** VS Code's MCP client treats 403 like 401 (isAuthStatusCode, microsoft/vscode extHostMcp.ts) and starts its sign-in discovery. */
const vscode403 = (): string =>
  l10n.t(
    'VS Code treats a 403 like a 401 and starts its sign-in discovery, so it may ask you to sign in or show "Dynamic Client Registration not supported": signing in does not fix a 403 that is not about the token.',
  );

/** What each response finding says (translated: src/core/text/coreL10n.ts); the rules below only decide which applies and gather the evidence. */
const TEXT = {
  keyHeaderName: (mcpUrl: string, sentIn: string, expected: string): FindingText => ({
    id: 'apim.key.headerName',
    severity: 'error',
    title: l10n.t({ message: 'The key is sent in {0}, but this API reads it from {1}', args: [sentIn, expected], comment: ['{0} and {1} are HTTP header names.'] }),
    fix: {
      summary: l10n.t({
        message:
          'Send the subscription key in the header "{0}" (the API\'s subscriptionKeyParameterNames.header), not "{1}". In the extension set "keyHeaderName": "{0}"; in mcp.json change the header name.',
        args: [expected, sentIn],
        comment: ['{0} is the header the API reads, {1} the header the key was sent in. "keyHeaderName" is a setting: do not translate it.'],
      }),
      snippet: { language: 'json', code: mcpJsonKeySnippet(mcpUrl, expected) },
    },
  }),
  keyAlsoRequired: (headerName: string): FindingText => ({
    id: 'apim.key.alsoRequired',
    severity: 'error',
    title: l10n.t('The API wants a subscription key as well as the token'),
    fix: {
      summary: l10n.t(
        'The API still has "Subscription required" on, so APIM rejects the request before validating the token. Either turn it off for this OAuth-only API (the MCP OAuth samples set subscriptionRequired: false), or send a key too in "{0}".',
        headerName,
      ),
      commands: [FIX_COMMANDS.turnOffSubscriptionRequired()],
      links: [{ label: 'API Management services', url: PORTAL.apim }],
    },
  }),
  keyMissing: (mcpUrl: string, headerName: string): FindingText => ({
    id: 'apim.key.missing',
    severity: 'error',
    title: l10n.t('The server needs a subscription key and none was sent'),
    fix: {
      summary: l10n.t(
        'Send the subscription key in the "{0}" header. Keep it out of files: use the extension\'s "Set Subscription Key" (SecretStorage) or an mcp.json password input. VS Code otherwise shows "Dynamic Client Registration not supported" for this plain missing key.',
        headerName,
      ),
      commands: [FIX_COMMANDS.listSubscriptionSecrets()],
      snippet: { language: 'json', code: mcpJsonKeySnippet(mcpUrl, headerName) },
    },
  }),
  /**
   * The same missing key for a server set up without one (Entra ID only, or no auth): it has no key to set, so the fix
   * is the server's auth or the API's "Subscription required", never "Set Subscription Key" (issue 18.5).
   */
  keyMissingForKeylessServer: (headerName: string, auth: 'entra' | 'none'): FindingText => ({
    id: 'apim.key.missing',
    severity: 'error',
    title:
      auth === 'entra'
        ? l10n.t('The gateway wants a subscription key, which this Entra ID server does not send')
        : l10n.t('The gateway wants a subscription key, which this server (no auth) does not send'),
    fix: {
      summary:
        auth === 'entra'
          ? l10n.t(
              'This server is set up to sign in with Entra ID only, so no key goes in "{0}". Either turn "Subscription required" off for this API (token-only MCP APIs need no subscription), or set the server\'s auth to "subscriptionKeyAndEntra" (in mcp.json, a password input in "{0}") so a key is sent.',
              headerName,
            )
          : l10n.t(
              'This server is set up without credentials, so no key goes in "{0}". Either turn "Subscription required" off for this API (token-only MCP APIs need no subscription), or set the server\'s auth to "subscriptionKey" (in mcp.json, a password input in "{0}") so a key is sent.',
              headerName,
            ),
      commands: ['az apim api update --resource-group <rg> --service-name <apim> --api-id <api-id> --subscription-required false'],
      links: [{ label: 'API Management services', url: PORTAL.apim }],
    },
  }),
  keyNotRecognised: (headerName: string): FindingText => ({
    id: 'apim.key.invalid',
    severity: 'error',
    title: l10n.t('The key sent in {0} was not recognised by APIM', headerName),
    fix: {
      summary: l10n.t(
        'A key arrived in "{0}", the header this API reads, yet APIM answered "missing subscription key": it reads a malformed key (truncated, with quotes, or not a key at all) as none. Paste the whole primary or secondary key of an active subscription whose scope includes this MCP API.',
        headerName,
      ),
      commands: [FIX_COMMANDS.listSubscriptionSecrets()],
      links: [{ label: 'API Management → Subscriptions', url: PORTAL.apim }],
    },
  }),
  keyInvalid: (): FindingText => ({
    id: 'apim.key.invalid',
    severity: 'error',
    title: l10n.t('The subscription key is not valid for this API'),
    fix: {
      summary: l10n.t(
        'Use the primary or secondary key of an active subscription whose scope (product, API or all APIs) includes this MCP API. Regenerated keys invalidate the old value; suspended or cancelled subscriptions are rejected too. A key that is sent is checked even when the API does not require a subscription: for a token-only API, send no key rather than a stale one.',
      ),
      commands: [FIX_COMMANDS.listSubscriptionSecrets()],
      links: [{ label: 'API Management → Subscriptions', url: PORTAL.apim }],
    },
  }),
  tokenNotFound: (): FindingText => ({
    id: 'entra.token.missing',
    severity: 'error',
    title: l10n.t('The gateway did not find the token that was sent'),
    fix: {
      summary: l10n.t(
        'The token was sent as "Authorization: Bearer …" but the policy looks elsewhere: check validate-jwt header-name / require-scheme (or validate-azure-ad-token header-name, whose value must not be prefixed with "Bearer ").',
      ),
    },
  }),
  tokenAlsoRequired: (): FindingText => ({
    id: 'entra.token.missing',
    severity: 'error',
    title: l10n.t('The API wants an Entra token as well as the subscription key'),
    fix: {
      summary: l10n.t(
        'This API validates an Entra access token too. Configure the server with auth "subscriptionKeyAndEntra" (extension) so the client sends both, or drop token validation from the API if keys are meant to be enough.',
      ),
    },
  }),
  quotaExceeded: (): FindingText => ({
    id: 'apim.quota.exceeded',
    severity: 'error',
    title: l10n.t('The subscription has used up its quota'),
    fix: {
      summary: `${l10n.t('Wait until the quota renews (the message says when) or raise the quota in the product or API policy (quota / quota-by-key calls and renewal-period).')} ${vscode403()}`,
      snippet: { language: 'xml', code: '<quota calls="<more calls>" renewal-period="<seconds>" />' },
    },
  }),
  ipForbidden: (): FindingText => ({
    id: 'apim.ipFilter.forbidden',
    severity: 'error',
    title: l10n.t('The gateway refuses this caller (ip-filter)'),
    fix: {
      summary: `${l10n.t("An ip-filter policy does not allow this machine's public IP address. Add the address (or range) to the policy, or call from an allowed network.")} ${vscode403()}`,
      snippet: { language: 'xml', code: '<ip-filter action="allow">\n    <address><your public IP></address>\n</ip-filter>' },
    },
  }),
  forbidden: (): FindingText => ({
    id: 'apim.forbidden',
    severity: 'error',
    title: l10n.t('The gateway answered 403 Forbidden'),
    fix: {
      summary: `${l10n.t('A policy denied the request after authentication: check check-header / validate-jwt failed-validation-httpcode="403" and role checks in the MCP API\'s inbound policy.')} ${vscode403()}`,
    },
  }),
  pathNotFound: (path: string, workingUrl: string | undefined): FindingText => ({
    id: 'apim.path.notFound',
    severity: 'error',
    title: l10n.t('Nothing is published at {0}', path),
    fix: {
      summary: workingUrl
        ? l10n.t({
            message: 'Use {0} instead: it answers, {1} does not. Streamable HTTP servers are at …/mcp; the deprecated SSE transport is at …/sse.',
            args: [workingUrl, path],
            comment: ['{0} is a URL that works, {1} the path that does not.'],
          })
        : l10n.t(
            'Use the exact "Server URL" shown in the portal (APIM → APIs → MCP servers). Check the API base path, /mcp (streamable HTTP) vs /sse (deprecated SSE), and that the API is published on this gateway.',
          ),
      links: [{ label: 'API Management services', url: PORTAL.apim }],
    },
  }),
  rateLimited: (retryAfter: string | undefined): FindingText => ({
    id: 'apim.rateLimited',
    severity: 'error',
    title: retryAfter
      ? l10n.t({ message: 'The gateway is rate-limiting this caller (retry after {0} s)', args: [quote(retryAfter, 20)], comment: ['{0} is a number of seconds.'] })
      : l10n.t('The gateway is rate-limiting this caller'),
    fix: {
      summary: retryAfter
        ? l10n.t({
            message:
              'Back off for the Retry-After seconds ({0}) before retrying, or raise the limit in the rate-limit / rate-limit-by-key policy. Note that rate-limit applies only to calls made with a subscription key; use rate-limit-by-key for bearer-only MCP APIs.',
            args: [quote(retryAfter, 20)],
            comment: ['{0} is the Retry-After value. rate-limit and rate-limit-by-key are APIM policy names: do not translate them.'],
          })
        : l10n.t({
            message:
              'Back off for the Retry-After seconds before retrying, or raise the limit in the rate-limit / rate-limit-by-key policy. Note that rate-limit applies only to calls made with a subscription key; use rate-limit-by-key for bearer-only MCP APIs.',
            comment: ['rate-limit and rate-limit-by-key are APIM policy names: do not translate them.'],
          }),
      snippet: {
        language: 'xml',
        code:
          '<rate-limit-by-key calls="<calls>" renewal-period="<seconds>" ' +
          'counter-key="@(context.Request.Headers.GetValueOrDefault("Mcp-Session-Id", context.Request.IpAddress))" />',
      },
    },
  }),
  bodyWithoutPreserveContent: (): FindingText => ({
    id: 'apim.policy.bodyWithoutPreserveContent',
    severity: 'error',
    title: l10n.t('The MCP server received an empty or unreadable request body'),
    fix: {
      summary: l10n.t(
        'A gateway policy read the request body without preserveContent: true, so the backend got an empty body. Use context.Request.Body.As<JObject>(preserveContent: true) (or As<string>(preserveContent: true)) everywhere the body is read.',
      ),
      snippet: { language: 'xml', code: '<set-variable name="rpc" value="@(context.Request.Body.As<JObject>(preserveContent: true))" />' },
    },
  }),
  serverFailed: (status: number): FindingText => ({
    id: 'mcp.server.error',
    severity: 'error',
    title: l10n.t('The server answered HTTP {0}', status),
    fix: { summary: l10n.t('The gateway or the MCP backend failed. Check the backend health, and the gateway trace for BackendConnectionFailure / Timeout.') },
  }),
  initializeRefused: (status: number | undefined): FindingText => ({
    id: 'mcp.server.error',
    severity: 'error',
    title: l10n.t('The server answered HTTP {0}', String(status)),
    fix: { summary: l10n.t('The MCP endpoint refused the initialize request. Check the URL and the gateway policy for this path.') },
  }),
  invalidResponse: (): FindingText => ({
    id: 'mcp.response.invalid',
    severity: 'error',
    title: l10n.t('The server did not answer like an MCP server'),
    fix: {
      summary: l10n.t(
        'The URL answered, but not with an MCP JSON-RPC response (application/json or text/event-stream). Check that the URL is the MCP endpoint (…/mcp for streamable HTTP) and not a portal, web app or HTML error page.',
      ),
    },
  }),
} satisfies Record<string, FindingText | ((...args: never[]) => FindingText)>;

/** Names why the gateway refused `initialize`, from its status and APIM's message. */
export function refusalRules(ctx: RuleContext, e: HttpExchange): void {
  const evidence = [describeExchange(e)];
  switch (e.status) {
    case 401:
      return unauthorizedRules(ctx, e, evidence);
    case 403:
      // failed-validation-httpcode="403" keeps the token messages: still a token rejection, for the token family.
      if (isTokenRefusal(ctx, e)) return tokenRefusalRules(ctx, e, evidence);
      return forbiddenRules(ctx, e, evidence);
    case 404:
      return notFoundRule(ctx, evidence);
    case 429:
      return report(ctx, TEXT.rateLimited(e.headers['retry-after']), evidence);
    case 400:
      if (isParseError(e.bodyText)) return report(ctx, TEXT.bodyWithoutPreserveContent(), [...evidence, 'the request body sent was a valid JSON-RPC initialize']);
      break;
    default:
      break;
  }
  if (e.status && e.status >= 500) {
    // APIM's own 500 body (`{ statusCode: 500, … }`): a policy expression, a timeout or an unreachable backend.
    if (e.status === 500 && isApimErrorBody(e)) return serverErrorRule(ctx, e);
    return report(ctx, TEXT.serverFailed(e.status), evidence);
  }
  if (e.status && e.status >= 300 && e.status < 400) return; // the network family's redirect rule explains it
  report(ctx, TEXT.initializeRefused(e.status), evidence);
}

function unauthorizedRules(ctx: RuleContext, e: HttpExchange, evidence: string[]): void {
  const { obs } = ctx;
  const message = apimMessage(e.bodyText) ?? '';
  // The authenticated attempt has its own challenge; the key name it asks for is the one that matters.
  const challenge = e === firstFailing(attemptExchanges(obs, obs.authenticated)) ? obs.authChallenge : obs.challenge;
  if (message.startsWith(APIM_MESSAGES.keyMissing) || (challenge?.apimKey && !message.startsWith(APIM_MESSAGES.keyInvalid))) {
    missingKeyRules(ctx, e, evidence, challenge);
    return;
  }
  if (message.startsWith(APIM_MESSAGES.keyInvalid)) {
    report(ctx, TEXT.keyInvalid(), [...evidence, `key sent in header: ${obs.keyHeaderName}`]);
    return;
  }
  // A policy's own Bearer answer may hide a key failure (on-error runs for those too).
  if (isPolicyWritten401(e) && maskedKeyRules(ctx, e)) return;
  tokenRefusalRules(ctx, e, evidence);
}

/** The token was not found (a token that was sent, or a key-only client on a token API); a rejected one is the token family's. */
function tokenRefusalRules(ctx: RuleContext, e: HttpExchange, evidence: string[]): void {
  const { obs } = ctx;
  const message = apimMessage(e.bodyText) ?? '';
  if (message === APIM_MESSAGES.jwtNotPresent || message === APIM_MESSAGES.aadJwtNotPresent) {
    const signsIn = obs.input.auth === 'entra' || obs.input.auth === 'subscriptionKeyAndEntra';
    if (sentHeader(e, 'Authorization')) report(ctx, TEXT.tokenNotFound(), [...evidence, 'sent: Authorization: Bearer <token>']);
    else if (sentHeader(e, obs.keyHeaderName) && !signsIn) {
      report(ctx, TEXT.tokenAlsoRequired(), [...evidence, `the subscription key in ${obs.keyHeaderName} was accepted; no Authorization header was sent`]);
    }
    // No token yet and the client signs in: "needs authentication" is expected; the discovery family checks it can work.
  }
  // Otherwise a token was rejected (the token family says why) or a Bearer challenge came before sign-in (discovery).
}

function missingKeyRules(ctx: RuleContext, e: HttpExchange, evidence: string[], challenge: ParsedChallenges | undefined): void {
  const { obs } = ctx;
  const keySent = sentHeader(e, obs.keyHeaderName);
  const expectedKeyName = challenge?.apimKey?.name;
  if (keySent && expectedKeyName && expectedKeyName.toLowerCase() !== obs.keyHeaderName.toLowerCase()) {
    const observed = [`key sent in header: ${obs.keyHeaderName}`, `challenge name="${quote(expectedKeyName, 100)}"`];
    report(ctx, TEXT.keyHeaderName(obs.url.href, obs.keyHeaderName, expectedKeyName), [...evidence, ...observed]);
  } else if (sentHeader(e, 'Authorization') && !keySent) {
    report(ctx, TEXT.keyAlsoRequired(expectedKeyName ?? obs.keyHeaderName), [...evidence, 'sent: Authorization (Bearer token), no subscription key']);
  } else if (keySent) {
    // APIM names the header it read and the key was in it: a malformed key is answered "missing" (FIDELITY.md).
    report(ctx, TEXT.keyNotRecognised(obs.keyHeaderName), [...evidence, `a key was sent in ${obs.keyHeaderName}, the header APIM names`]);
  } else {
    const headerName = expectedKeyName ?? obs.keyHeaderName;
    const auth = obs.input.auth;
    const text = auth === 'entra' || auth === 'none' ? TEXT.keyMissingForKeylessServer(headerName, auth) : TEXT.keyMissing(obs.url.href, headerName);
    report(ctx, text, [...evidence, 'no subscription key was sent']);
  }
}

function forbiddenRules(ctx: RuleContext, e: HttpExchange, evidence: string[]): void {
  const message = apimMessage(e.bodyText) ?? '';
  if (message.startsWith('Out of call volume quota') || message.startsWith('Out of bandwidth quota')) report(ctx, TEXT.quotaExceeded(), evidence);
  else if (message.startsWith('Caller IP address') || message === 'Forbidden') report(ctx, TEXT.ipForbidden(), evidence);
  else report(ctx, TEXT.forbidden(), evidence);
}

/** A 404, with what the sibling paths (`/mcp` ↔ `/sse`) answered: one that works is the fix. */
function notFoundRule(ctx: RuleContext, evidence: string[]): void {
  const { obs } = ctx;
  const probes = obs.pathProbes.map((p) => `sibling path: ${describeExchange(p)}`);
  const working = obs.pathProbes.find((p) => p.status && p.status >= 200 && p.status < 300);
  report(ctx, TEXT.pathNotFound(obs.url.pathname, working?.url), [...evidence, ...probes]);
}

/** `initialize` got an answer that is not MCP (HTML, wrong content type, invalid JSON-RPC). */
export function invalidResponseRule(ctx: RuleContext, exchanges: readonly HttpExchange[], error: string | undefined): void {
  const e = exchanges.find((x) => x.method === 'POST') ?? exchanges[0];
  const evidence = e ? [describeExchange(e)] : [];
  if (e?.headers['content-type']) evidence.push(`Content-Type: ${quote(e.headers['content-type'], 100)}`);
  if (error) evidence.push(`MCP client error: ${quote(error, 300)}`);
  report(ctx, TEXT.invalidResponse(), evidence);
}

/** JSON-RPC parse error (-32700) to a valid body: the backend got an empty or mangled body. */
function isParseError(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } };
    return parsed?.error?.code === -32700;
  } catch {
    return false;
  }
}

/** A 403 that is validate-jwt's refusal: its default messages, or the failed-validation-error-message the policy names. */
export function isTokenRefusal(ctx: RuleContext, e: HttpExchange): boolean {
  const message = apimMessage(e.bodyText);
  if (message === undefined) return false;
  const policyMessage = ctx.obs.input.expect?.failedValidationErrorMessage;
  const outcome = classifyGatewayResponse({ status: e.status ?? 0, header: (n) => e.headers[n.toLowerCase()] ?? null, bodyText: e.bodyText });
  return outcome.kind === 'tokenRejected' || outcome.kind === 'tokenMissing' || (policyMessage !== undefined && message === policyMessage);
}
