import type { Diagnosis } from './diagnose';
import { inertLines, inertText, TERMINAL_UNSAFE } from '../basics';

/**
 * Markdown text for anything that may come from a server: special characters escaped, so it renders as text, and
 * control characters made inert, so the file is safe to `cat` in a terminal.
 */
export function escapeMarkdown(text: string): string {
  return inertText(text.replace(/\r?\n/g, ' ')).replace(/[\\`*_{}[\]<>()#+\-.!|~&]/g, (c) => `\\${c}`);
}

/** An inline code span that holds any text literally (fence longer than any backtick run inside), control characters inert. */
export function codeSpan(text: string): string {
  const flat = inertText(text.replace(/\r?\n/g, ' '));
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

export function codeBlock(raw: string, language = ''): string {
  const text = inertLines(raw);
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/**
 * The support-ticket report. It is built only from a `Diagnosis`, whose server text was redacted as it was captured, and it
 * holds no raw token: claims are listed, the signature never exists here. Server text is quoted as code.
 */
export function renderMarkdownReport(diagnosis: Diagnosis, options: { generatedAt?: Date } = {}): string {
  const lines: string[] = [];
  const errors = diagnosis.findings.filter((f) => f.severity === 'error').length;
  lines.push(`# APIM MCP diagnosis`, '');
  lines.push(`- Server: ${codeSpan(diagnosis.server.url)}`);
  lines.push(`- Generated: ${(options.generatedAt ?? new Date()).toISOString()}`);
  const tools = diagnosis.tools ? `, ${diagnosis.tools.length} tool${diagnosis.tools.length === 1 ? '' : 's'} listed` : '';
  lines.push(`- Result: ${errors ? `${errors} error finding${errors > 1 ? 's' : ''}` : `healthy (no error findings)${tools}`}`);
  lines.push('- Subscription keys and tokens are redacted; token claims are shown, the signature is not.', '');
  lines.push('## Findings', '');
  if (!diagnosis.findings.length) lines.push('No findings.', '');
  for (const f of diagnosis.findings) {
    lines.push(`### ${f.severity.toUpperCase()}: ${escapeMarkdown(f.title)}`, '');
    lines.push(`Id: ${codeSpan(f.id)}`, '');
    lines.push('Evidence:', '');
    for (const e of f.evidence) lines.push(`- ${codeSpan(e)}`);
    lines.push('', `Fix: ${escapeMarkdown(f.fix.summary)}`, '');
    for (const c of f.fix.commands ?? []) lines.push(codeBlock(c, 'sh'), '');
    for (const l of f.fix.links ?? []) lines.push(`- [${escapeMarkdown(l.label)}](<${l.url.replace(new RegExp(`[<>\\s]|${TERMINAL_UNSAFE.source}`, 'g'), encodeURIComponent)}>)`);
    if (f.fix.links?.length) lines.push('');
    if (f.fix.snippet) lines.push(codeBlock(f.fix.snippet.code, f.fix.snippet.language), '');
  }
  if (diagnosis.tokenClaims) {
    lines.push('## Token claims (signature not shown)', '', '| claim | value |', '| --- | --- |');
    for (const [k, v] of Object.entries(diagnosis.tokenClaims)) lines.push(`| ${codeSpan(k).replace(/\|/g, '\\|')} | ${codeSpan(JSON.stringify(v)).replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  if (diagnosis.roleMatrix?.length) {
    lines.push('## Tool × role', '', '| tool | required role | allowed |', '| --- | --- | --- |');
    for (const r of diagnosis.roleMatrix) {
      lines.push(`| ${codeSpan(r.tool).replace(/\|/g, '\\|')} | ${r.requiredRole ? codeSpan(r.requiredRole).replace(/\|/g, '\\|') : '—'} | ${r.granted === undefined ? 'unknown' : r.granted ? 'yes' : '**no**'} |`);
    }
    lines.push('');
  }
  lines.push('## Timeline', '', '| start | ms | status | step | detail |', '| --- | --- | --- | --- | --- |');
  for (const t of diagnosis.timeline) {
    lines.push(`| ${t.startedAt} | ${t.durationMs} | ${t.status} | ${codeSpan(t.step).replace(/\|/g, '\\|')} | ${codeSpan(t.detail).replace(/\|/g, '\\|')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
