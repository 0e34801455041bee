/**
 * Lints APIM policy text for the MCP authorization gotchas in research/apim-entra-diagnostics.md (§1–2, G1–G20).
 * Pure: no I/O, no `vscode`. Findings carry host-document offsets and positions, a docs anchor and safe fixes.
 */
import { extractBicepPolicies } from './bicepPolicies';
import type { EmbeddedPolicySegment } from './embeddedSegment';
import { extractJsonPolicies } from './jsonPolicies';
import { embeddingHostOf, type EmbeddingHost } from './policyFiles';
import { readPolicy } from './policyReader';
import { extractTerraformPolicies } from './terraformPolicies';
import type { LintOptions, PolicyFix, PolicyRule, PolicyScope, PolicySeverity, RuleContext } from './policyRule';
import { inferScope, readDirectives } from './policyScope';
import { LineMap, type SourceRange } from '../../text/sourceRange';
import { bodyWithoutPreserveContent, responseBodyInMcp } from './rules/bodyRules';
import { cacheMissUnguarded, decodeWithoutTryCatch, globalCacheKeyForCallerData, pkcePlainAccepted, tokenInTrace } from './rules/carefulRules';
import { joinedClaimCompare, requiredClaimNeverMatches, scopeClaimWithoutSeparator } from './rules/claimRules';
import { challengeHeaderDropped, onErrorMasksStatus } from './rules/errorRules';
import { lastErrorMessageInHeader, letNotSupported, unguardedClaimIndex } from './rules/expressionRules';
import { prmBehindTokenValidation, prmResourceMismatch } from './rules/prmRules';
import { denyOnlyNamedTools, substringRoleCheck, toolNotCovered } from './rules/roleRules';
import { authorizationNotForwarded, challengeWithoutResourceMetadata, rateLimitOnBearerOnly } from './rules/signallingRules';
import {
  aadTokenUnsupportedSetting,
  aadTokenWithoutAudiences,
  checkFragment,
  jwtWithoutAudienceOrIssuer,
  mcpWithoutTokenValidation,
  multiTenantWithoutIssuers,
} from './rules/tokenRules';
import { audienceForms, singleIssuer } from './rules/tokenVersionRules';

export const MALFORMED_RULE_ID = 'apim.policy.malformed';

export const POLICY_RULES: readonly PolicyRule[] = [
  bodyWithoutPreserveContent,
  responseBodyInMcp,
  mcpWithoutTokenValidation,
  checkFragment,
  singleIssuer,
  audienceForms,
  multiTenantWithoutIssuers,
  jwtWithoutAudienceOrIssuer,
  aadTokenWithoutAudiences,
  aadTokenUnsupportedSetting,
  requiredClaimNeverMatches,
  scopeClaimWithoutSeparator,
  joinedClaimCompare,
  unguardedClaimIndex,
  letNotSupported,
  lastErrorMessageInHeader,
  substringRoleCheck,
  denyOnlyNamedTools,
  toolNotCovered,
  challengeWithoutResourceMetadata,
  challengeHeaderDropped,
  onErrorMasksStatus,
  prmResourceMismatch,
  prmBehindTokenValidation,
  rateLimitOnBearerOnly,
  authorizationNotForwarded,
  cacheMissUnguarded,
  pkcePlainAccepted,
  decodeWithoutTryCatch,
  tokenInTrace,
  globalCacheKeyForCallerData,
];

export interface HostTextEdit {
  readonly range: SourceRange;
  readonly newText: string;
}

export interface HostFix {
  readonly title: string;
  readonly edits: readonly HostTextEdit[];
}

export interface PolicyFinding {
  readonly ruleId: string;
  readonly severity: PolicySeverity;
  readonly message: string;
  /** In the linted file (for Bicep, the `.bicep` text). */
  readonly range: SourceRange;
  readonly fixes: readonly HostFix[];
  /** Anchor in docs/policy-rules.md. */
  readonly docsAnchor: string;
  /** The scope the rules assumed for the policy this finding is in. */
  readonly scope: PolicyScope;
}

interface Mapping {
  toHost(offset: number): number;
  toHostEnd(offset: number): number;
  encode(text: string): string | undefined;
}

const IDENTITY: Mapping = { toHost: (o) => o, toHostEnd: (o) => o, encode: (t) => t };

const EXTRACTORS: Record<EmbeddingHost, (text: string) => EmbeddedPolicySegment[]> = {
  bicep: extractBicepPolicies,
  json: extractJsonPolicies,
  terraform: extractTerraformPolicies,
};

/** The policies a file holds: itself, or the policy strings of a Bicep, ARM JSON or Terraform file. */
export function policySegmentsOf(fileName: string, text: string): EmbeddedPolicySegment[] | undefined {
  const host = embeddingHostOf(fileName);
  return host ? EXTRACTORS[host](text) : undefined;
}

/**
 * Lints a file by name: Bicep, JSON and Terraform files are searched for policy strings, anything else is read as
 * one policy. The name only says how the policy is held; what the policy is comes from its content.
 */
export function lintPolicyFile(fileName: string, text: string, options: LintOptions = {}): PolicyFinding[] {
  const withName = { ...options, fileName };
  const segments = policySegmentsOf(fileName, text);
  if (segments) {
    const lines = new LineMap(text);
    return segments.flatMap((segment) => lintSegment(segment.text, withName, segment, lines));
  }
  return lintPolicyText(text, withName);
}

/** Lints one policy document. */
export function lintPolicyText(text: string, options: LintOptions = {}): PolicyFinding[] {
  return lintSegment(text, options, IDENTITY, undefined);
}

function lintSegment(text: string, options: LintOptions, mapping: Mapping | EmbeddedPolicySegment, hostLines: LineMap | undefined): PolicyFinding[] {
  const doc = readPolicy(text);
  const lines = hostLines ?? doc.lines;
  const directives = readDirectives(doc);
  const merged: LintOptions = { ...options, ...definedOnly(directives) };
  const scope = merged.scope ?? inferScope(doc);
  const findings: PolicyFinding[] = [];
  const hostRange = (start: number, end: number): SourceRange => {
    const hostStart = mapping.toHost(start);
    return lines.range(hostStart, Math.max(hostStart, end === start ? hostStart : mapping.toHostEnd(end)));
  };
  const hostFixes = (fixes: readonly PolicyFix[] | undefined): HostFix[] =>
    (fixes ?? []).flatMap((fix) => {
      const edits: HostTextEdit[] = [];
      for (const edit of fix.edits) {
        const newText = mapping.encode(edit.newText);
        if (newText === undefined) return [];
        edits.push({ range: hostRange(edit.start, edit.end), newText });
      }
      return [{ title: fix.title, edits }];
    });
  for (const problem of doc.problems) {
    findings.push({
      ruleId: MALFORMED_RULE_ID,
      severity: 'warning',
      message: `${problem.message}.`,
      range: hostRange(problem.range.start, problem.range.end),
      fixes: [],
      docsAnchor: MALFORMED_RULE_ID,
      scope,
    });
  }
  // One context for every rule (the rule that reports is the one running): a closure per rule per document costs
  // more than most rules' own work.
  let rule: PolicyRule = POLICY_RULES[0]!;
  const context: RuleContext = {
    doc,
    scope,
    scopeStated: merged.scope !== undefined,
    options: merged,
    report: (f) =>
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        message: f.message,
        range: hostRange(f.start, f.end),
        fixes: hostFixes(f.fixes),
        docsAnchor: rule.id,
        scope,
      }),
  };
  for (rule of POLICY_RULES) {
    try {
      rule.check(context);
    } catch {
      // A rule bug must not hide the other rules' findings; the reader itself never throws.
    }
  }
  return findings.sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
}

function definedOnly(options: LintOptions): Partial<LintOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<LintOptions>;
}

/** Applies host edits to text (for tests and previews); edits must not overlap. */
export function applyEdits(text: string, edits: readonly HostTextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.range.start - a.range.start);
  let out = text;
  for (const edit of sorted) out = out.slice(0, edit.range.start) + edit.newText + out.slice(edit.range.end);
  return out;
}
