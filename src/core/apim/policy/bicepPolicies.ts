/**
 * Finds APIM policy XML held in Bicep string literals (`value: '''<policies>…'''` with `format: 'rawxml'`), so the
 * linter can read it with offsets that point back into the `.bicep` file. `loadTextContent('x.xml')` needs nothing
 * here: the referenced file is linted on its own.
 */
import { DecodedText, holdsPolicy, rawSegment, type EmbeddedPolicySegment } from './embeddedSegment';

/** Kept for callers written before ARM JSON and Terraform were read too. */
export type BicepPolicySegment = EmbeddedPolicySegment;

export function extractBicepPolicies(source: string): EmbeddedPolicySegment[] {
  const segments: EmbeddedPolicySegment[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      const nl = source.indexOf('\n', i + 2);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (source.startsWith("'''", i)) {
      const contentStart = i + 3;
      let close = source.indexOf("'''", contentStart);
      if (close < 0) close = n;
      // A run of more than three quotes closes on its last three: the extra quotes belong to the content.
      while (source[close + 3] === "'") close++;
      const text = source.slice(contentStart, close);
      if (holdsPolicy(text)) segments.push(rawSegment(text, contentStart, (t) => (t.includes("'''") ? undefined : t)));
      i = Math.min(n, close + 3);
    } else if (c === "'") {
      const literal = readSingleLine(source, i + 1);
      if (holdsPolicy(literal.decoded.text)) segments.push(literal.decoded.segment(literal.close, encodeSingleLine));
      i = Math.max(literal.end, i + 1);
    } else i++;
  }
  return segments;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$' };

function encodeSingleLine(replacement: string): string {
  return replacement.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

function readSingleLine(source: string, start: number): { decoded: DecodedText; close: number; end: number } {
  const n = source.length;
  const decoded = new DecodedText();
  let i = start;
  let close = n;
  while (i < n) {
    const c = source[i]!;
    if (c === "'" || c === '\n' || c === '\r') {
      close = i;
      break;
    }
    if (c === '\\') {
      const escape = bicepEscape(source, i);
      decoded.push(escape.decoded, i, i + escape.length);
      i += escape.length;
      continue;
    }
    if (c === '$' && source[i + 1] === '{') {
      const j = interpolationEnd(source, i);
      decoded.copy(source, i, j);
      i = j;
      continue;
    }
    decoded.push(c, i, i + 1);
    i++;
  }
  const end = close < n && source[close] === "'" ? close + 1 : close;
  return { decoded, close, end };
}

function bicepEscape(source: string, i: number): { decoded: string; length: number } {
  const next = source[i + 1];
  if (next === 'u' && source[i + 2] === '{') {
    const brace = source.indexOf('}', i + 3);
    const code = brace < 0 ? NaN : Number.parseInt(source.slice(i + 3, brace), 16);
    if (Number.isFinite(code) && code >= 0 && code <= 0x10ffff) return { decoded: String.fromCodePoint(code), length: brace + 1 - i };
  }
  if (next !== undefined && next in ESCAPES) return { decoded: ESCAPES[next]!, length: 2 };
  return { decoded: '\\', length: 1 };
}

/** Interpolations stay verbatim; nested braces and strings are skipped so a `'` inside does not end the literal. */
function interpolationEnd(source: string, i: number): number {
  const n = source.length;
  let depth = 0;
  let j = i + 1;
  while (j < n) {
    const d = source[j];
    if (d === '{') depth++;
    else if (d === '}') {
      depth--;
      if (depth === 0) return j + 1;
    } else if (d === "'") {
      const inner = source.indexOf("'", j + 1);
      j = inner < 0 ? n : inner;
    } else if (d === '\n') break;
    j++;
  }
  return Math.min(j, n);
}
