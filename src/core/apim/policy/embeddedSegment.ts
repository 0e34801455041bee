import { policyRootOf } from './policyFiles';
import { templateEnd } from './templateText';

/**
 * A policy held inside another file's string literal (Bicep, ARM JSON, Terraform), with the offset mapping that lets
 * findings and fixes point back into the host file.
 */
export interface EmbeddedPolicySegment {
  /** The policy text as APIM will see it (escapes decoded; template interpolations kept as written). */
  readonly text: string;
  readonly form: 'multiline' | 'singleline';
  /** Host offset of the start of decoded character `offset` (or of the closing quote when `offset === text.length`). */
  toHost(offset: number): number;
  /** Host offset just past decoded character `offset - 1`. */
  toHostEnd(offset: number): number;
  /** Encodes replacement text for this literal; undefined when it cannot be written there. */
  encode(text: string): string | undefined;
}

/** Both root elements a policy document can have (a quick test before the root is checked). */
export const POLICY_MARKER = /<(?:policies|fragment)\b/;

/** A string literal holds a policy when its text starts with the root element (after comments and directives). */
export function holdsPolicy(text: string): boolean {
  return POLICY_MARKER.test(text) && policyRootOf(text) !== undefined;
}

const clamp = (offset: number, max: number): number => Math.max(0, Math.min(offset, max));

/** A literal whose content is the policy byte for byte (Bicep `'''…'''`, a Terraform heredoc). */
export function rawSegment(text: string, base: number, encode: (text: string) => string | undefined): EmbeddedPolicySegment {
  return {
    text,
    form: 'multiline',
    toHost: (offset) => base + clamp(offset, text.length),
    toHostEnd: (offset) => base + clamp(offset, text.length),
    encode,
  };
}

/** Collects decoded characters with the host range each came from, for literals with escapes. */
export class DecodedText {
  text = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Appends `decoded`, which was written as host `[from, to)`. */
  push(decoded: string, from: number, to: number): void {
    for (let k = 0; k < decoded.length; k++) {
      this.text += decoded[k];
      this.starts.push(from);
      this.ends.push(to);
    }
  }

  /** Appends host `[from, to)` verbatim (template interpolations). */
  copy(source: string, from: number, to: number): void {
    for (let k = from; k < to; k++) this.push(source[k]!, k, k + 1);
  }

  segment(close: number, encode: (text: string) => string | undefined): EmbeddedPolicySegment {
    const { text, starts, ends } = this;
    return {
      text,
      form: 'singleline',
      toHost: (offset) => (offset < starts.length ? starts[Math.max(0, offset)]! : close),
      toHostEnd: (offset) => (offset <= 0 ? (starts[0] ?? close) : offset <= ends.length ? ends[offset - 1]! : close),
      encode,
    };
  }
}

/** `\n`, `\t`, `\"`… as JSON and HCL write them; `\uXXXX` too. Returns the decoded text and the escape's length, or undefined. */
export function decodeBackslash(source: string, at: number, simple: Readonly<Record<string, string>>): { decoded: string; length: number } | undefined {
  const next = source[at + 1];
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(at + 2, at + 6))) {
    return { decoded: String.fromCharCode(Number.parseInt(source.slice(at + 2, at + 6), 16)), length: 6 };
  }
  if (next !== undefined && next in simple) return { decoded: simple[next]!, length: 2 };
  return undefined;
}

/** Escapes replacement text for a double-quoted JSON / HCL string. */
export function encodeDoubleQuoted(text: string, templates: boolean): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return templates ? escaped.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{') : escaped;
}

/**
 * A double-quoted JSON / HCL string from just after its opening quote: escapes decoded, and with `templates`,
 * `${…}` / `%{…}` kept verbatim (they may hold quotes). Ends at the closing quote or the end of the line.
 */
export function readDoubleQuoted(source: string, start: number, escapes: Readonly<Record<string, string>>, templates: boolean): { decoded: DecodedText; close: number } {
  const decoded = new DecodedText();
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"' || c === '\n') return { decoded, close: i };
    if (templates && (c === '$' || c === '%') && source[i + 1] === '{') {
      const end = templateEnd(source, i);
      decoded.copy(source, i, end);
      i = end;
      continue;
    }
    const escape = c === '\\' ? decodeBackslash(source, i, escapes) : undefined;
    if (escape) {
      decoded.push(escape.decoded, i, i + escape.length);
      i += escape.length;
    } else {
      decoded.push(c, i, i + 1);
      i++;
    }
  }
  return { decoded, close: source.length };
}
