/**
 * Finds APIM policy XML held in Bicep string literals (`value: '''<policies>…'''` with `format: 'rawxml'`), so the
 * linter can read it with offsets that point back into the `.bicep` file. `loadTextContent('x.xml')` needs nothing
 * here: the referenced file is linted on its own.
 */
export interface BicepPolicySegment {
  /** The policy text as APIM will see it (escapes decoded; `${…}` interpolations kept as written). */
  readonly text: string;
  readonly form: 'multiline' | 'singleline';
  /** Host offset of the start of decoded character `offset` (or of the closing quote when `offset === text.length`). */
  toHost(offset: number): number;
  /** Host offset just past decoded character `offset - 1`. */
  toHostEnd(offset: number): number;
  /** Encodes replacement text for this literal; undefined when it cannot be written (`'''` inside a multi-line string). */
  encode(text: string): string | undefined;
}

const POLICY_MARKER = /<(?:policies|fragment)\b/;

export function extractBicepPolicies(source: string): BicepPolicySegment[] {
  const segments: BicepPolicySegment[] = [];
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
      if (POLICY_MARKER.test(text)) segments.push(multiline(text, contentStart));
      i = Math.min(n, close + 3);
    } else if (c === "'") {
      const literal = readSingleLine(source, i + 1);
      if (POLICY_MARKER.test(literal.text)) segments.push(literal.segment);
      i = Math.max(literal.end, i + 1);
    } else i++;
  }
  return segments;
}

function multiline(text: string, base: number): BicepPolicySegment {
  return {
    text,
    form: 'multiline',
    toHost: (offset) => base + clamp(offset, text.length),
    toHostEnd: (offset) => base + clamp(offset, text.length),
    encode: (replacement) => (replacement.includes("'''") ? undefined : replacement),
  };
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$' };

function readSingleLine(source: string, start: number): { text: string; end: number; segment: BicepPolicySegment } {
  const n = source.length;
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (decoded: string, from: number, to: number): void => {
    for (const ch of decoded) {
      for (let k = 0; k < ch.length; k++) {
        text += ch[k];
        starts.push(from);
        ends.push(to);
      }
    }
  };
  let i = start;
  let close = n;
  while (i < n) {
    const c = source[i]!;
    if (c === "'") {
      close = i;
      break;
    }
    if (c === '\n' || c === '\r') {
      close = i;
      break;
    }
    if (c === '\\') {
      const next = source[i + 1];
      if (next === 'u' && source[i + 2] === '{') {
        const brace = source.indexOf('}', i + 3);
        const code = brace < 0 ? NaN : Number.parseInt(source.slice(i + 3, brace), 16);
        if (Number.isFinite(code) && code >= 0 && code <= 0x10ffff) {
          push(String.fromCodePoint(code), i, brace + 1);
          i = brace + 1;
          continue;
        }
      }
      if (next !== undefined && next in ESCAPES) {
        push(ESCAPES[next]!, i, i + 2);
        i += 2;
        continue;
      }
      push(c, i, i + 1);
      i++;
      continue;
    }
    if (c === '$' && source[i + 1] === '{') {
      // Interpolations stay verbatim; skip nested braces and strings so a `'` inside does not end the literal.
      let depth = 0;
      let j = i + 1;
      while (j < n) {
        const d = source[j];
        if (d === '{') depth++;
        else if (d === '}') {
          depth--;
          if (depth === 0) {
            j++;
            break;
          }
        } else if (d === "'") {
          const inner = source.indexOf("'", j + 1);
          j = inner < 0 ? n : inner;
        } else if (d === '\n') break;
        j++;
      }
      j = Math.min(j, n);
      for (let k = i; k < j; k++) push(source[k]!, k, k + 1);
      i = j;
      continue;
    }
    push(c, i, i + 1);
    i++;
  }
  const end = close < n && source[close] === "'" ? close + 1 : close;
  const segment: BicepPolicySegment = {
    text,
    form: 'singleline',
    toHost: (offset) => (offset < starts.length ? starts[Math.max(0, offset)]! : close),
    toHostEnd: (offset) => (offset <= 0 ? (starts[0] ?? close) : offset <= ends.length ? ends[offset - 1]! : close),
    encode: (replacement) =>
      replacement
        .replace(/\\/g, '\\\\')
        .replace(/'/g, "\\'")
        .replace(/\r/g, '\\r')
        .replace(/\n/g, '\\n')
        .replace(/\t/g, '\\t'),
  };
  return { text, end, segment };
}

function clamp(offset: number, max: number): number {
  return Math.max(0, Math.min(offset, max));
}
