import type { Diagnosis } from './diagnose';
import type { Finding } from './finding';
import { renderMarkdownReport } from './report';
import type { ClaimView, ClientVerdictView, DiagnosisView, FindingAction, FindingView, RoleMatrixView } from '../../shared/protocol';

/** The claims the gateway's validate-jwt / validate-azure-ad-token and role checks look at. */
export const CHECKED_CLAIMS = ['aud', 'iss', 'tid', 'exp', 'nbf', 'azp', 'appid', 'scp', 'roles', 'ver'] as const;
export type CheckedClaim = (typeof CHECKED_CLAIMS)[number];

/** The view's own words, localised by the extension host (this module has no `vscode`). */
export interface ViewLabels {
  readonly copyCommand: string;
  /** "Copy command 2" when a finding has several. */
  readonly copyNumberedCommand: (n: number) => string;
  readonly copySnippet: string;
  readonly openPolicy: string;
  /** What the gateway expects of each checked claim, shown beside a claim that matches. */
  readonly expectation: Readonly<Record<CheckedClaim, string>>;
}

/**
 * Turns a (redacted) diagnosis into what the panel shows. Pure, so the webview state can be checked without VS Code.
 * The view holds only what `diagnose()` returned; the token's signature never existed there.
 */
export interface ViewContext {
  readonly labels: ViewLabels;
  readonly notes: readonly string[];
  /** Label of the config fix the host can apply for a finding, if any. */
  readonly applicableFix?: (finding: Finding) => string | undefined;
  /** Tools whose rule is located in a workspace policy file. */
  readonly policyTools?: ReadonlySet<string>;
  /** Each client's verdict for every config source the server is in (src/core/clients/verdicts.ts). */
  readonly clients?: readonly ClientVerdictView[];
  readonly now?: Date;
}

/** Which claim each token finding is about. */
const CLAIM_OF_FINDING: Readonly<Record<string, readonly string[]>> = {
  'entra.token.audience': ['aud'],
  'entra.token.issuer': ['iss', 'ver'],
  'entra.token.tenant': ['tid'],
  'entra.token.expired': ['exp'],
  'entra.token.notYetValid': ['nbf'],
  'entra.token.clientApp': ['azp', 'appid'],
  'entra.token.scope': ['scp'],
  'entra.token.roleMissing': ['roles'],
  'entra.token.deviceBound': ['cnf'],
};

const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

function claimText(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value) ?? String(value);
  if (TIME_CLAIMS.has(name) && typeof value === 'number') return `${json} (${new Date(value * 1000).toISOString()})`;
  return json;
}

function isCheckedClaim(claim: string): claim is CheckedClaim {
  return (CHECKED_CLAIMS as readonly string[]).includes(claim);
}

export function claimsView(claims: Readonly<Record<string, unknown>>, findings: readonly Finding[], labels: ViewLabels): ClaimView[] {
  const mismatch = new Map<string, string>();
  for (const f of findings) for (const claim of CLAIM_OF_FINDING[f.id] ?? []) if (!mismatch.has(claim)) mismatch.set(claim, f.title);
  const rows = Object.entries(claims).map(([claim, value]): ClaimView => {
    const note = mismatch.get(claim);
    if (note) return { claim, value: claimText(claim, value), check: 'mismatch', note };
    if (isCheckedClaim(claim)) return { claim, value: claimText(claim, value), check: 'match', note: labels.expectation[claim] };
    return { claim, value: claimText(claim, value), check: 'info' };
  });
  // Checked claims first, in the order a reader compares them with the policy.
  const rank = (c: ClaimView) => (c.check === 'info' || !isCheckedClaim(c.claim) ? 100 : CHECKED_CLAIMS.indexOf(c.claim));
  return rows.sort((a, b) => rank(a) - rank(b));
}

export function matrixView(diagnosis: Diagnosis, policyTools?: ReadonlySet<string>): RoleMatrixView | undefined {
  const rows = diagnosis.roleMatrix;
  if (!rows?.length) return undefined;
  const claims = diagnosis.tokenClaims;
  const tokenRoles = Array.isArray(claims?.roles) ? (claims.roles as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  const required = rows.map((r) => r.requiredRole).filter((r): r is string => !!r);
  const roles = [...new Set([...required, ...tokenRoles])].sort();
  const user = [claims?.preferred_username, claims?.upn, claims?.name, claims?.appid].find((v): v is string => typeof v === 'string');
  return {
    roles,
    userRoles: tokenRoles,
    user,
    rows: rows.map((r) => ({
      tool: r.tool,
      allowedBy: r.requiredRole ? [r.requiredRole] : [],
      userAllowed: r.granted,
      hasPolicy: policyTools?.has(r.tool) || undefined,
    })),
  };
}

function findingView(f: Finding, ctx: ViewContext): FindingView {
  const actions: FindingAction[] = [];
  const commands = f.fix.commands ?? [];
  const fix = ctx.applicableFix?.(f);
  if (fix) actions.push({ kind: 'applyFix', index: 0, label: fix });
  const { labels } = ctx;
  commands.forEach((_c, index) => actions.push({ kind: 'copyCommand', index, label: commands.length > 1 ? labels.copyNumberedCommand(index + 1) : labels.copyCommand }));
  if (f.fix.snippet) actions.push({ kind: 'copySnippet', index: 0, label: labels.copySnippet });
  (f.fix.links ?? []).forEach((l, index) => actions.push({ kind: 'openLink', index, label: l.label }));
  if (f.id === 'entra.token.roleMissing' && ctx.policyTools?.size) actions.push({ kind: 'openPolicy', index: 0, label: labels.openPolicy });
  return {
    id: f.id,
    severity: f.severity,
    title: f.title,
    evidence: f.evidence,
    fix: f.fix.summary,
    commands,
    links: (f.fix.links ?? []).map((l) => ({ label: l.label, url: l.url })),
    snippet: f.fix.snippet ? { language: f.fix.snippet.language, code: f.fix.snippet.code } : undefined,
    actions,
  };
}

export function toDiagnosisView(diagnosis: Diagnosis, ctx: ViewContext): DiagnosisView {
  return {
    finishedAt: (ctx.now ?? new Date()).toISOString(),
    findings: diagnosis.findings.map((f) => findingView(f, ctx)),
    timeline: diagnosis.timeline.map((t) => ({ step: t.step, status: t.status, durationMs: t.durationMs, detail: t.detail })),
    claims: diagnosis.tokenClaims ? claimsView(diagnosis.tokenClaims, diagnosis.findings, ctx.labels) : undefined,
    matrix: matrixView(diagnosis, ctx.policyTools),
    clients: ctx.clients?.length ? [...ctx.clients] : undefined,
    notes: [...ctx.notes],
    report: renderMarkdownReport(diagnosis, { generatedAt: ctx.now }),
    toolCount: diagnosis.tools?.length,
  };
}
