/**
 * A lenient reader for APIM policy documents. APIM's `rawxml` format is not XML: attribute values hold C#
 * expressions with unescaped `"`, `<` and `&&` (research/apim-entra-diagnostics.md G18), so no XML parser accepts
 * real policies. This reader never throws: on malformed input it records a problem and carries on, and every node
 * keeps its exact source range.
 */
import { scanExpression } from './expressionScanner';
import { templateEnd } from './templateText';
import { LineMap, type SourceRange } from '../../text/sourceRange';
import type { PolicyAttribute, PolicyComment, PolicyDocument, PolicyElement, PolicyExpression, PolicyNode, ReaderProblem } from './policyTypes';

export type { PolicyAttribute, PolicyCData, PolicyComment, PolicyDocument, PolicyElement, PolicyExpression, PolicyNode, PolicyText, ReaderProblem } from './policyTypes';

/** Name characters by code (the reader's hottest test): letters, `_`, `:`, and anything beyond ASCII. */
function isNameStartCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 58 || code > 0x7f;
}
const isNameStart = (c: string | undefined): boolean => c !== undefined && isNameStartCode(c.charCodeAt(0));
const isNameChar = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return isNameStartCode(code) || (code >= 48 && code <= 57) || code === 46 || code === 45;
};
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Attribute-boundary after a closing quote: end of tag, or the next `name=`. */
const ATTRIBUTE_BOUNDARY = /\s*(?:\/?>|[A-Za-z_:][A-Za-z0-9_:.\-]*\s*=)/y;

export function readPolicy(text: string): PolicyDocument {
  return new Reader(String(text)).read();
}

interface MutableElement extends PolicyElement {
  children: PolicyNode[];
}

class Reader {
  private readonly lines: LineMap;
  private readonly n: number;
  private pos = 0;
  private readonly top: PolicyNode[] = [];
  private readonly stack: MutableElement[] = [];
  private readonly elements: PolicyElement[] = [];
  private readonly expressions: PolicyExpression[] = [];
  private readonly comments: PolicyComment[] = [];
  private readonly problems: ReaderProblem[] = [];

  constructor(private readonly text: string) {
    this.lines = new LineMap(text);
    this.n = text.length;
  }

  read(): PolicyDocument {
    const { text } = this;
    while (this.pos < this.n) {
      const at = this.pos;
      if (text[at] === '<') {
        if (text.startsWith('<!--', at)) this.readComment();
        else if (text.startsWith('<![CDATA[', at)) this.readCData();
        else if (text.startsWith('<?', at)) this.skipUntil('?>', 'processing instruction');
        else if (text.startsWith('<!', at)) this.skipUntil('>', 'declaration');
        else if (text[at + 1] === '/' && isNameStart(text[at + 2])) this.readEndTag();
        else if (isNameStart(text[at + 1])) this.readStartTag();
        else this.readText();
      } else this.readText();
    }
    for (const open of this.stack) {
      this.problem(`<${open.name}> is never closed`, open.nameRange.start, open.nameRange.end);
    }
    return {
      text,
      lines: this.lines,
      nodes: this.top,
      elements: this.elements,
      expressions: this.expressions,
      comments: this.comments,
      problems: this.problems,
    };
  }

  private range(start: number, end: number): SourceRange {
    return this.lines.lazyRange(start, end);
  }

  private problem(message: string, start: number, end: number): void {
    this.problems.push({ message, range: this.range(start, end) });
  }

  private append(node: PolicyNode): void {
    const parent = this.stack[this.stack.length - 1];
    (parent ? parent.children : this.top).push(node);
  }

  private readComment(): void {
    const start = this.pos;
    const close = this.text.indexOf('-->', start + 4);
    const end = close < 0 ? this.n : close + 3;
    if (close < 0) this.problem('Comment is never closed', start, end);
    const comment: PolicyComment = {
      kind: 'comment',
      range: this.range(start, end),
      text: this.text.slice(start + 4, close < 0 ? this.n : close),
    };
    this.comments.push(comment);
    this.append(comment);
    this.pos = end;
  }

  private readCData(): void {
    const start = this.pos;
    const contentStart = start + 9;
    const close = this.text.indexOf(']]>', contentStart);
    const contentEnd = close < 0 ? this.n : close;
    const end = close < 0 ? this.n : close + 3;
    if (close < 0) this.problem('CDATA section is never closed', start, end);
    this.append({
      kind: 'cdata',
      range: this.range(start, end),
      text: this.text.slice(contentStart, contentEnd),
      textRange: this.range(contentStart, contentEnd),
      expressions: this.expressionsIn(contentStart, contentEnd),
    });
    this.pos = end;
  }

  private skipUntil(terminator: string, what: string): void {
    const close = this.text.indexOf(terminator, this.pos + 2);
    const end = close < 0 ? this.n : close + terminator.length;
    if (close < 0) this.problem(`Unterminated ${what}`, this.pos, end);
    this.pos = end;
  }

  /** Expressions that start anywhere in `[start, end)` and are found by scanning, e.g. inside CDATA. */
  private expressionsIn(start: number, end: number): PolicyExpression[] {
    const found: PolicyExpression[] = [];
    let i = start;
    while (i < end - 1) {
      if (this.text[i] === '@' && (this.text[i + 1] === '(' || this.text[i + 1] === '{') && !isWordChar(this.text[i - 1])) {
        const expression = this.expression(i, () => end);
        found.push(expression);
        i = Math.max(expression.range.end, i + 1);
      } else i++;
    }
    return found;
  }

  /** Reads the expression at `at`; an unbalanced one is cut where `recover()` says and recorded as a problem. */
  private expression(at: number, recover: () => number): PolicyExpression {
    const scanned = scanExpression(this.text, at);
    let end = scanned.end;
    let terminated = scanned.terminated;
    if (!terminated || end > this.n) {
      end = Math.max(at + 2, Math.min(recover(), this.n));
      terminated = false;
      this.problem('Policy expression is not closed', at, end);
    }
    const kind = this.text[at + 1] === '{' ? 'multi' : 'single';
    const codeStart = at + 2;
    const codeEnd = terminated ? end - 1 : end;
    const expression: PolicyExpression = {
      kind,
      range: this.range(at, end),
      code: this.text.slice(codeStart, Math.max(codeStart, codeEnd)),
      codeRange: this.range(codeStart, Math.max(codeStart, codeEnd)),
      terminated,
    };
    this.expressions.push(expression);
    return expression;
  }

  private readText(): void {
    const { text } = this;
    const start = this.pos;
    const expressions: PolicyExpression[] = [];
    let i = start;
    // The first character is consumed unconditionally (it may be a `<` that starts no markup).
    if (text[i] === '<') i++;
    while (i < this.n) {
      const c = text[i];
      if (c === '<' && (isNameStart(text[i + 1]) || text[i + 1] === '/' || text[i + 1] === '!' || text[i + 1] === '?')) break;
      if (c === '@' && (text[i + 1] === '(' || text[i + 1] === '{') && !isWordChar(text[i - 1])) {
        const expression = this.expression(i, () => {
          const close = text.indexOf('</', i + 2);
          return close < 0 ? this.n : close;
        });
        expressions.push(expression);
        i = Math.max(expression.range.end, i + 1);
        continue;
      }
      i++;
    }
    this.append({ kind: 'text', range: this.range(start, i), text: text.slice(start, i), expressions });
    this.pos = i;
  }

  private readName(i: number): number {
    while (i < this.n && isNameChar(this.text[i])) i++;
    return i;
  }

  private readEndTag(): void {
    const { text } = this;
    const start = this.pos;
    const nameStart = start + 2;
    const nameEnd = this.readName(nameStart);
    const name = text.slice(nameStart, nameEnd);
    let i = nameEnd;
    while (i < this.n && isSpace(text[i])) i++;
    let end: number;
    if (text[i] === '>') end = i + 1;
    else {
      end = i;
      this.problem(`Closing tag </${name}> is not terminated with '>'`, start, end);
    }
    this.pos = end;
    let k = this.stack.length - 1;
    while (k >= 0 && this.stack[k]!.name !== name) k--;
    if (k < 0) {
      this.problem(`Closing tag </${name}> has no matching start tag`, start, end);
      return;
    }
    while (this.stack.length - 1 > k) {
      const open = this.stack.pop()!;
      this.problem(`<${open.name}> is never closed`, open.nameRange.start, open.nameRange.end);
    }
    const element = this.stack.pop()!;
    element.endTagRange = this.range(start, end);
    element.range = this.range(element.range.start, end);
  }

  private readStartTag(): void {
    const { text } = this;
    const start = this.pos;
    const nameStart = start + 1;
    const nameEnd = this.readName(nameStart);
    const name = text.slice(nameStart, nameEnd);
    const attributes: PolicyAttribute[] = [];
    let i = nameEnd;
    let selfClosing = false;
    let closed = false;
    while (i < this.n) {
      const c = text[i];
      if (isSpace(c)) {
        i++;
      } else if (c === '/' && text[i + 1] === '>') {
        selfClosing = true;
        closed = true;
        i += 2;
        break;
      } else if (c === '>') {
        closed = true;
        i++;
        break;
      } else if (c === '<') {
        break;
      } else if (isNameStart(c)) {
        const attribute = this.readAttribute(i);
        attributes.push(attribute);
        i = Math.max(attribute.range.end, i + 1);
      } else {
        this.problem(`Unexpected '${c}' in <${name}>`, i, i + 1);
        i++;
      }
    }
    if (!closed) this.problem(`Start tag <${name}> is not terminated with '>'`, start, i);
    const parent = this.stack[this.stack.length - 1];
    const element: MutableElement = {
      kind: 'element',
      name,
      nameRange: this.range(nameStart, nameEnd),
      range: this.range(start, i),
      startTagRange: this.range(start, i),
      endTagRange: undefined,
      selfClosing,
      attributes,
      children: [],
      parent,
    };
    this.elements.push(element);
    this.append(element);
    if (!selfClosing) this.stack.push(element);
    this.pos = i;
  }

  private readAttribute(at: number): PolicyAttribute {
    const { text } = this;
    const nameEnd = this.readName(at);
    const name = text.slice(at, nameEnd);
    let i = nameEnd;
    while (i < this.n && isSpace(text[i])) i++;
    if (text[i] !== '=') {
      return this.attribute(name, at, nameEnd, nameEnd, nameEnd, '', nameEnd, []);
    }
    i++;
    while (i < this.n && isSpace(text[i])) i++;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") {
      const valueStart = i;
      while (i < this.n && !isSpace(text[i]) && text[i] !== '>' && !(text[i] === '/' && text[i + 1] === '>') && text[i] !== '<') i++;
      return this.attribute(name, at, nameEnd, valueStart, i, '', i, []);
    }
    const valueStart = i + 1;
    const expressions: PolicyExpression[] = [];
    let j = valueStart;
    while (j < this.n && isSpace(text[j])) j++;
    if (text[j] === '@' && (text[j + 1] === '(' || text[j + 1] === '{')) {
      const expression = this.expression(j, () => this.recoverQuoted(j + 2, quote));
      expressions.push(expression);
      j = expression.range.end;
    } else j = valueStart;
    const close = this.closingQuote(quote, j);
    if (close < 0) {
      const gt = text.indexOf('>', j);
      const valueEnd = gt < 0 ? this.n : gt;
      this.problem(`Value of ${name} is missing its closing ${quote}`, at, valueEnd);
      return this.attribute(name, at, nameEnd, valueStart, valueEnd, quote, valueEnd, expressions);
    }
    return this.attribute(name, at, nameEnd, valueStart, close, quote, close + 1, expressions);
  }

  /**
   * The quote that closes a value. A template placeholder (`${var.x == "a" ? 1 : 2}`, `%{ if x }`) may hold quotes
   * of its own: it is a value written by Terraform before APIM sees the policy, so it is skipped whole.
   */
  private closingQuote(quote: string, from: number): number {
    const { text } = this;
    for (let i = from; i < this.n; i++) {
      const c = text[i];
      if (c === quote) return i;
      if ((c === '$' || c === '%') && text[i + 1] === '{') i = templateEnd(text, i) - 1;
    }
    return -1;
  }

  /** Where an unbalanced expression inside a quoted value most plausibly ends: a quote followed by `>` or `name=`. */
  private recoverQuoted(from: number, quote: string): number {
    let i = this.text.indexOf(quote, from);
    while (i >= 0) {
      ATTRIBUTE_BOUNDARY.lastIndex = i + 1;
      if (i + 1 >= this.n || ATTRIBUTE_BOUNDARY.test(this.text)) return i;
      i = this.text.indexOf(quote, i + 1);
    }
    return this.n;
  }

  private attribute(
    name: string,
    start: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    quote: '"' | "'" | '',
    end: number,
    expressions: PolicyExpression[],
  ): PolicyAttribute {
    return {
      name,
      nameRange: this.range(start, nameEnd),
      value: this.text.slice(valueStart, valueEnd),
      valueRange: this.range(valueStart, valueEnd),
      quote,
      range: this.range(start, end),
      expressions,
    };
  }
}
