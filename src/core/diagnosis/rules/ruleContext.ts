/**
 * What every diagnosis rule family shares: the observations and the findings reported so far, how a finding is
 * reported, and how evidence quotes an HTTP exchange. The families themselves never touch the network.
 */
import type { HttpExchange } from '../../probe/probeHttpClient';
import { quote, type Finding, type Fix, type Severity } from '../finding';
import type { Observations } from '../observe';

export interface RuleContext {
  readonly obs: Observations;
  /** Findings in the order reported; later families read it to avoid repeating what an earlier one said. */
  readonly out: Finding[];
}

/** The fixed parts of a finding, written in the family's text table; the rule adds what was observed. */
export interface FindingText {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly fix: Fix;
}

/**
 * Adds a finding. One finding per id: when two rules report the same cause, the first wording stays and the
 * evidence is merged, so the user sees one cause with all of its evidence (and error wins over lower severities).
 */
export function report(ctx: RuleContext, text: FindingText, evidence: string[]): void {
  const existing = ctx.out.find((f) => f.id === text.id);
  if (existing) {
    const merged = [...existing.evidence, ...evidence.filter((e) => !existing.evidence.includes(e))];
    const severity = existing.severity === 'error' || text.severity !== 'error' ? existing.severity : text.severity;
    ctx.out[ctx.out.indexOf(existing)] = { ...existing, severity, evidence: merged };
    return;
  }
  ctx.out.push({ id: text.id, severity: text.severity, title: text.title, evidence, fix: text.fix });
}

/** One line quoting an HTTP answer: status, the APIM message or a body excerpt, and WWW-Authenticate. */
export function describeExchange(e: HttpExchange): string {
  if (e.failure) return `${e.method} ${e.url} → no answer: ${e.failure.kind}${e.failure.code ? ` (${e.failure.code})` : ''}, ${e.failure.message}`;
  const parts = [`${e.method} ${e.url} → HTTP ${e.status}`];
  const challenge = e.headers['www-authenticate'];
  if (challenge) parts.push(`WWW-Authenticate: ${quote(challenge, 400)}`);
  if (e.headers['retry-after']) parts.push(`Retry-After: ${quote(e.headers['retry-after'], 40)}`);
  const body = e.bodyText.trim();
  if (body) parts.push(`body: ${quote(body, 300)}`);
  return parts.join(' · ');
}

/** Whether the request carried this secret header (names only are recorded, never values). */
export function sentHeader(e: HttpExchange | undefined, name: string): boolean {
  return Boolean(e?.sentSecretHeaders.some((h) => h.toLowerCase() === name.toLowerCase()));
}
