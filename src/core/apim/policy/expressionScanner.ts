/**
 * Finds where an APIM policy expression (`@(…)` or `@{…}`) ends. The body is C#: strings, verbatim and interpolated
 * strings, char literals and comments may hold any of `) } " < &`, so they are skipped, not counted. The scan is
 * iterative (no recursion, so deep nesting cannot overflow the stack) and always advances, so it always stops.
 */
export interface ExpressionEnd {
  /** Offset just past the closing `)` / `}`, or where recovery stopped. */
  readonly end: number;
  readonly terminated: boolean;
}

type Frame = 'paren' | 'brace' | 'bracket' | 'hole' | 'istr' | 'vistr';

const CLOSER: Record<string, Frame> = { ')': 'paren', '}': 'brace', ']': 'bracket' };

/** `at` must point at the `@` of `@(` or `@{`. Returns `{ terminated: false, end: text.length }` when unbalanced. */
export function scanExpression(text: string, at: number): ExpressionEnd {
  const n = text.length;
  const opener = text[at + 1];
  const stack: Frame[] = [opener === '{' ? 'brace' : 'paren'];
  let i = at + 2;
  while (i < n) {
    const top = stack[stack.length - 1]!;
    const c = text[i]!;
    if (top === 'istr' || top === 'vistr') {
      const verbatim = top === 'vistr';
      if (c === '"') {
        if (verbatim && text[i + 1] === '"') i += 2;
        else {
          stack.pop();
          i++;
        }
      } else if (c === '\\' && !verbatim) i += 2;
      else if ((c === '{' && text[i + 1] === '{') || (c === '}' && text[i + 1] === '}')) i += 2;
      else if (c === '{') {
        stack.push('hole');
        i++;
      } else if ((c === '\n' || c === '\r') && !verbatim) {
        // A regular C# string cannot span lines: treat the string as unterminated and go on as code.
        stack.pop();
        i++;
      } else i++;
      continue;
    }
    if (c === '"') {
      i = skipString(text, i + 1);
    } else if (c === '@' && text[i + 1] === '"') {
      i = skipVerbatimString(text, i + 2);
    } else if ((c === '$' && text[i + 1] === '"') || (c === '$' && text[i + 1] === '@' && text[i + 2] === '"') || (c === '@' && text[i + 1] === '$' && text[i + 2] === '"')) {
      const verbatim = text[i + 1] === '@' || c === '@';
      stack.push(verbatim ? 'vistr' : 'istr');
      i += verbatim ? 3 : 2;
    } else if (c === "'") {
      i = skipCharLiteral(text, i);
    } else if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i + 2);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === '(') {
      stack.push('paren');
      i++;
    } else if (c === '[') {
      stack.push('bracket');
      i++;
    } else if (c === '{') {
      stack.push('brace');
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      const want = CLOSER[c]!;
      if (c === '}' && top === 'hole') stack.pop();
      else {
        // Pop to the nearest matching frame, but never out of an interpolated string's hole.
        let k = stack.length - 1;
        while (k >= 0 && stack[k] !== want && stack[k] !== 'hole') k--;
        if (k >= 0 && stack[k] === want) stack.length = k;
      }
      i++;
      if (stack.length === 0) return { end: i, terminated: true };
    } else i++;
  }
  return { end: n, terminated: false };
}

/** From just after an opening `"`, to just after the closing one; stops at a line break (unterminated). */
function skipString(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n' || c === '\r') return i;
    else i++;
  }
  return n;
}

function skipVerbatimString(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') i += 2;
      else return i + 1;
    } else i++;
  }
  return n;
}

/** `'x'`, `'\''`, `'\u0041'`; a lone `'` is just a character. */
function skipCharLiteral(text: string, i: number): number {
  if (text[i + 1] === '\\') {
    const close = text.indexOf("'", i + 3);
    if (close >= 0 && close - i <= 10) return close + 1;
    return i + 1;
  }
  if (text[i + 2] === "'" && text[i + 1] !== '\n') return i + 3;
  return i + 1;
}
