/**
 * Preflight family: what Entra answered when the engine started the sign-in a client would make (the authorize
 * request, and for single sign-on the public-client code redemption). Each AADSTS code maps, by number only, to a
 * finding of the AADSTS catalogue; the fix is sharpened with what the request showed (whose redirect URI it is,
 * the client to pre-authorize, the API app to change). Unknown codes are reported with their documentation link.
 */
import * as l10n from '@vscode/l10n';
import { aadstsErrorUrl, lookupAadsts, type AadstsEntry } from '../../entra/aadstsCatalogue';
import { VSCODE_CLIENT_ID } from '../../entra/authority';
import { identifyRedirectUri, PLATFORM_LABEL, type RedirectUriEntry } from '../../entra/redirectUris';
import { PREFLIGHT_REACH, type PreflightResult } from '../../probe/authorizePreflight';
import { PORTAL, quote, type Fix } from '../finding';
import { FIX_COMMANDS } from '../fixCommands';
import { redirectUriFix } from '../fixes';
import { expectedFromPrm } from './prmExpectations';
import { report, type FindingText, type RuleContext } from './ruleContext';

/** Codes whose fix is a redirect URI registration (missing, none at all, or under the wrong platform). */
const REDIRECT_URI_CODES = new Set([50011, 500113, 7000218, 9002326]);
const PUBLIC_CLIENT_ONLY_CODE = 7000218;

const codeLink = (code: number): { label: string; url: string } => ({ label: `AADSTS${code}`, url: aadstsErrorUrl(code) });

/** What each preflight finding says; the rule below only decides which applies and gathers the evidence. */
const TEXT = {
  unknownCode: (code: number): FindingText => ({
    id: 'entra.signIn.failed',
    severity: 'error',
    title: l10n.t('Entra refuses the sign-in with AADSTS{0}', code),
    fix: { summary: l10n.t('Look the code up at {0}.', aadstsErrorUrl(code)), links: [codeLink(code)] },
  }),
  catalogued: (entry: AadstsEntry, code: number, fix: Fix): FindingText => ({
    id: entry.findingId,
    severity: 'error',
    title: l10n.t('Entra refuses the sign-in: AADSTS{0}', code),
    fix,
  }),
  cataloguedFix: (entry: AadstsEntry, code: number): Fix => ({ summary: entry.fix, links: [codeLink(code)] }),
  redirectUriFix: (code: number, base: Fix, redirectUri: string, known: RedirectUriEntry | undefined): Fix => ({
    ...base,
    summary:
      `${known ? `${l10n.t({ message: "{0} is {1}'s redirect URI ({2}).", args: [redirectUri, known.client, known.when], comment: ['{0} is a redirect URI, {1} an MCP client, {2} when that client uses it.'] })} ` : ''}${base.summary}` +
      `${known?.why ? ` ${known.why}` : ''}` +
      `${code === PUBLIC_CLIENT_ONLY_CODE && !known?.why ? ` ${l10n.t('It must not be under "Web": a Web redirect URI makes the app a confidential client.')}` : ''}`,
    links: [...(base.links ?? []), codeLink(code), ...(known?.sources ?? [])],
  }),
  consentFix: (entry: AadstsEntry, code: number, clientId: string, apiAppId: string): Fix => ({
    summary: `${entry.fix}${clientId === VSCODE_CLIENT_ID ? ` ${l10n.t('VS Code signs in as {0} and shows no consent prompt, so pre-authorize it.', VSCODE_CLIENT_ID)}` : ''}`,
    commands: [FIX_COMMANDS.showApiScopes(apiAppId), FIX_COMMANDS.preAuthorizeClient(apiAppId, clientId)],
    links: [{ label: 'API app → Expose an API', url: PORTAL.appExposeApi(apiAppId) }, codeLink(code)],
  }),
  assignmentFix: (base: Fix, code: number, apiAppId: string): Fix => ({
    ...base,
    commands: [FIX_COMMANDS.showAssignmentRequired(apiAppId), FIX_COMMANDS.turnOffAssignmentRequired(apiAppId)],
    links: [{ label: 'Enterprise applications → Users and groups', url: PORTAL.enterpriseApps }, codeLink(code)],
  }),
  beforeSignIn: (): FindingText => ({
    id: 'entra.preflight.beforeSignIn',
    severity: 'info',
    title: l10n.t('Entra accepts the sign-in request up to its sign-in page; what it checks after sign-in was not tested'),
    fix: {
      summary: l10n.t({
        message:
          'The preflight starts the sign-in a client makes without signing anyone in, so Entra shows its sign-in page and stops there. It checks only before sign-in: {0}. Only after sign-in does it check {1}. Sign in from the client once; if Entra refuses, paste its error into the panel\'s paste box or run: apim-mcp explain "<error text>".',
        args: [PREFLIGHT_REACH.checked.map((c) => `${c.what} (AADSTS${c.code})`).join(', '), PREFLIGHT_REACH.afterSignIn.map((c) => `${c.what} (AADSTS${c.code})`).join(', ')],
        comment: ['{0} and {1} are lists of Entra checks with their AADSTS codes.'],
      }),
    },
  }),
  resourceFix: (base: Fix, apiAppId: string, resource: string): Fix => ({
    ...base,
    commands: [FIX_COMMANDS.addIdentifierUri(apiAppId, resource)],
  }),
};

export function preflightRules(ctx: RuleContext): void {
  for (const p of ctx.obs.preflights) {
    if (p.outcome.kind === 'passes' && p.outcome.via === 'signInPage') beforeSignInRule(ctx, p);
    if (p.outcome.kind !== 'aadsts') continue;
    for (const code of p.outcome.parsed.codes) codeRule(ctx, p, p.outcome, code);
  }
}

/** The preflight met the sign-in page: say what that proved and what only a real sign-in will show (real Entra's order). */
function beforeSignInRule(ctx: RuleContext, p: PreflightResult): void {
  const request = `client_id=${p.request.clientId}, redirect_uri=${p.request.redirectUri}${p.request.resource ? `, resource=${p.request.resource}` : ''}`;
  report(ctx, TEXT.beforeSignIn(), [
    `GET ${p.exchange.url.split('?')[0]} (${request}) → HTTP ${p.exchange.status} Entra sign-in page (nobody signed in)`,
    `checked: ${PREFLIGHT_REACH.checked.map((c) => c.what).join('; ')}`,
    `not checked until someone signs in: ${PREFLIGHT_REACH.afterSignIn.map((c) => `${c.what} (AADSTS${c.code})`).join('; ')}`,
  ]);
}

type AadstsOutcome = Extract<PreflightResult['outcome'], { kind: 'aadsts' }>;

function codeRule(ctx: RuleContext, p: PreflightResult, outcome: AadstsOutcome, code: number): void {
  const { parsed } = outcome;
  const entry = lookupAadsts(code);
  const evidence = preflightEvidence(p, outcome, code);
  if (!entry) {
    report(ctx, TEXT.unknownCode(code), evidence);
    return;
  }
  const apiAppId = expectedFromPrm(ctx.obs).apiAppId ?? '<api-app-id>';
  let fix = TEXT.cataloguedFix(entry, code);
  if (REDIRECT_URI_CODES.has(code)) {
    const redirectUri = parsed.redirectUri ?? p.request.redirectUri;
    const known = identifyRedirectUri(redirectUri);
    const platform = known?.platform ?? (/^https?:\/\/(localhost|127\.0\.0\.1)/.test(redirectUri) ? 'publicClient' : 'web');
    const base = redirectUriFix(parsed.appId ?? p.request.clientId, redirectUri, platform);
    fix = TEXT.redirectUriFix(code, base, redirectUri, known);
    evidence.push(`redirect URI ${redirectUri}${known ? ` = ${known.client}, register under "${PLATFORM_LABEL[known.platform]}"` : ''}`);
  }
  if (entry.findingId === 'entra.consent.required') fix = TEXT.consentFix(entry, code, p.request.clientId, apiAppId);
  if (entry.findingId === 'entra.assignment.required') fix = TEXT.assignmentFix(fix, code, apiAppId);
  if (entry.findingId === 'entra.resource.mismatch' && p.request.resource) fix = TEXT.resourceFix(fix, apiAppId, p.request.resource);
  const prmMismatch = ctx.out.find((f) => f.id === 'mcp.prm.resourceMismatch');
  if (entry.findingId === 'entra.resource.mismatch' && prmMismatch) {
    // Same root cause: the PRM resource is wrong; Entra's refusal is more evidence for it.
    report(ctx, prmMismatch, [`with resource=${p.request.resource}: ${evidence[1]}`]);
    return;
  }
  report(ctx, TEXT.catalogued(entry, code, fix), [...evidence, `meaning here: ${entry.meaning}`]);
}

/** The request as sent (no secrets: a public client has none), Entra's answer, and the ids support asks for. */
function preflightEvidence(p: PreflightResult, outcome: AadstsOutcome, code: number): string[] {
  const { parsed } = outcome;
  const answer = outcome.via === 'redirect' ? 'error redirect' : outcome.via === 'page' ? 'error page' : 'code issued (single sign-on)';
  const request = `client_id=${p.request.clientId}, redirect_uri=${p.request.redirectUri}${p.request.resource ? `, resource=${p.request.resource}` : ''}`;
  return [
    `GET ${p.exchange.url.split('?')[0]} (${request}) → HTTP ${p.exchange.status} ${answer}`,
    ...(outcome.via === 'token' && p.redemption
      ? [`POST ${p.redemption.url} (code redemption as a public client: PKCE, no client secret) → HTTP ${p.redemption.status}`]
      : []),
    `AADSTS${code}${parsed.description ? `: ${quote(parsed.description.replace(/^AADSTS\d+:?\s*/, ''), 300)}` : ''}`,
    ...(parsed.traceId ? [`Trace ID: ${parsed.traceId}`] : []),
    ...(parsed.correlationId ? [`Correlation ID: ${parsed.correlationId}`] : []),
    ...(parsed.timestamp ? [`Timestamp: ${parsed.timestamp}`] : []),
  ];
}
