/**
 * `apim-mcp lint <files|folders> [--format text|json|sarif] [--fail-on error|warning|info]`: the policy linter the
 * extension runs in the Problems panel, for pipelines. Exit 0 when nothing reaches the threshold, 1 when something
 * does, 2 on usage errors.
 */
import { inertText } from '../core/basics';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { lintPolicyFile, parseToolsList, POLICY_RULES, toolsFileNamesFor, type PolicyFinding } from '../core/apim/policy/index';
import { MALFORMED_RULE_ID } from '../core/apim/policy/policyLinter';
import { colourWanted, paint, parseFormat, parseThreshold, reaches, terminalJson, UsageError, type CliIo } from './io';
import { findPolicies, type PolicySource } from './policyFinder';
import { renderSarif, sarifLevel, type SarifRule } from './sarif';

const DOCS = 'docs/policy-rules.md';

interface LintedFile {
  readonly source: PolicySource;
  readonly findings: readonly PolicyFinding[];
}

/** Tools from a `<name>.tools.json` or `tools.json` beside the policy, as the extension reads them. */
function toolsBeside(source: PolicySource): string[] | undefined {
  for (const name of toolsFileNamesFor(source.absolute)) {
    const candidate = join(dirname(source.absolute), name);
    if (!existsSync(candidate)) continue;
    const parsed = parseToolsList(readFileSync(candidate, 'utf8'));
    if (parsed.tools.length > 0) return [...parsed.tools];
  }
  return undefined;
}

function renderText(files: readonly LintedFile[], colour: boolean): string {
  const c = paint(colour);
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, information: 0 };
  for (const { source, findings } of files) {
    for (const f of findings) {
      counts[f.severity]++;
      const where = `${inertText(source.path)}:${f.range.startPos.line + 1}:${f.range.startPos.column + 1}`;
      const level = c(f.severity === 'information' ? 'info' : f.severity, f.severity === 'information' ? 'info' : f.severity);
      lines.push(`${where}: ${level} ${inertText(f.message)} ${c('dim', `[${f.ruleId}]`)}`);
    }
  }
  const total = counts.error + counts.warning + counts.information;
  lines.push(
    total === 0
      ? c('info', `${files.length} polic${files.length === 1 ? 'y' : 'ies'} checked: no findings.`)
      : `${files.length} polic${files.length === 1 ? 'y' : 'ies'} checked: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.information} info.`,
  );
  return `${lines.join('\n')}\n`;
}

function renderJson(files: readonly LintedFile[]): string {
  const out = files.map(({ source, findings }) => ({
    path: source.path,
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      line: f.range.startPos.line + 1,
      column: f.range.startPos.column + 1,
      endLine: f.range.endPos.line + 1,
      endColumn: f.range.endPos.column + 1,
      scope: f.scope,
      docs: `${DOCS}#${f.docsAnchor}`,
    })),
  }));
  return terminalJson({ files: out });
}

function sarifRules(): SarifRule[] {
  const rules = POLICY_RULES.map((r) => ({ id: r.id, title: r.title, level: sarifLevel(r.severity), help: `${DOCS}#${r.id}` }));
  return [...rules, { id: MALFORMED_RULE_ID, title: 'Part of the policy could not be read', level: 'warning', help: `${DOCS}#${MALFORMED_RULE_ID}` }];
}

export function runLint(args: readonly string[], io: CliIo, version: string): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { format: { type: 'string' }, 'fail-on': { type: 'string' }, 'no-color': { type: 'boolean' } },
  });
  if (positionals.length === 0) throw new UsageError('lint takes at least one file or folder.');
  const format = parseFormat(values.format, ['text', 'json', 'sarif'] as const, 'text');
  const threshold = parseThreshold(values['fail-on']);
  const cwd = io.cwd ?? process.cwd();
  const { sources, skipped } = findPolicies(positionals, cwd);
  for (const path of skipped) io.stderr(`${inertText(path)}: not an APIM policy (its root element is not <policies> or <fragment>), skipped.\n`);
  const files = sources.map((source) => {
    const tools = toolsBeside(source);
    return { source, findings: lintPolicyFile(source.path, source.text, tools ? { tools } : {}) };
  });
  if (format === 'json') io.stdout(renderJson(files));
  else if (format === 'sarif') {
    const results = files.flatMap(({ source, findings }) =>
      findings.map((f) => ({
        ruleId: f.ruleId,
        level: sarifLevel(f.severity),
        message: f.message,
        location: source.path,
        region: { startLine: f.range.startPos.line + 1, startColumn: f.range.startPos.column + 1, endLine: f.range.endPos.line + 1, endColumn: f.range.endPos.column + 1 },
      })),
    );
    io.stdout(renderSarif(version, sarifRules(), results, cwd));
  } else io.stdout(renderText(files, colourWanted(io, values['no-color'])));
  return files.some((f) => f.findings.some((x) => reaches(x.severity, threshold))) ? 1 : 0;
}
