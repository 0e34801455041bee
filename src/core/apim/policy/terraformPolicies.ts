/**
 * Finds APIM policy XML in Terraform: heredocs (`xml_content = <<XML … XML`, `<<-EOT`) and quoted strings
 * (`value = "<policies>…"`). `${…}` and `%{…}` stay as written: they are values Terraform fills in.
 */
import { encodeDoubleQuoted, holdsPolicy, rawSegment, readDoubleQuoted, type EmbeddedPolicySegment } from './embeddedSegment';

const HCL_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
const HEREDOC = /<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/y;

export function extractTerraformPolicies(source: string): EmbeddedPolicySegment[] {
  const segments: EmbeddedPolicySegment[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source[i];
    if (c === '#' || (c === '/' && source[i + 1] === '/')) {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === '<' && source[i + 1] === '<') {
      HEREDOC.lastIndex = i;
      const open = HEREDOC.exec(source);
      if (!open) {
        i += 2;
        continue;
      }
      const contentStart = HEREDOC.lastIndex;
      const end = new RegExp(`^[ \\t]*${open[2]}[ \\t]*$`, 'm');
      const rest = source.slice(contentStart);
      const match = end.exec(rest);
      const contentEnd = match ? contentStart + match.index : n;
      const text = source.slice(contentStart, contentEnd);
      if (holdsPolicy(text)) segments.push(rawSegment(text, contentStart, (t) => t.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{')));
      i = match ? contentEnd + match[0].length : n;
    } else if (c === '"') {
      const literal = readDoubleQuoted(source, i + 1, HCL_ESCAPES, true);
      if (holdsPolicy(literal.decoded.text)) segments.push(literal.decoded.segment(literal.close, (t) => encodeDoubleQuoted(t, true)));
      i = literal.close + 1;
    } else i++;
  }
  return segments;
}
