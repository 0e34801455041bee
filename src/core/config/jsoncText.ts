import { applyEdits, parseTree, printParseErrorCode, type Edit, type Node, type ParseError } from 'jsonc-parser';
import { LineMap } from '../text/sourceRange';

/**
 * Minimal, layout-preserving edits on JSONC text, built on jsonc-parser's tree and `applyEdits`.
 *
 * Why not `modify` with `formattingOptions`: it re-formats whole neighbouring lines (an existing compact sibling gets
 * expanded) and removing a first property also deletes the next property's leading comment and line break. Here each
 * edit touches only the inserted or removed child, its separator comma and its own line, so an add followed by a
 * remove gives back the original bytes, and everything outside the changed child is left alone.
 */
export interface Layout {
  /** One indentation level: `\t` or some spaces. */
  readonly indentUnit: string;
  readonly eol: '\n' | '\r\n';
}

export interface JsonSyntaxError {
  readonly message: string;
  /** 1-based, as an editor shows it. */
  readonly line: number;
  /** 1-based, in UTF-16 code units like VS Code columns. */
  readonly column: number;
  readonly offset: number;
}

export type ParsedJsonc = { ok: true; root: Node | undefined } | { ok: false; error: JsonSyntaxError };

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true } as const;

/** Parses JSONC (comments and trailing commas allowed, as VS Code's mcp.json schema does); any error refuses the file. */
export function parseJsonc(text: string): ParsedJsonc {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  const first = errors[0];
  if (first) {
    return { ok: false, error: syntaxError(text, first.offset, describeParseError(printParseErrorCode(first.error))) };
  }
  if (root && root.type !== 'object') {
    return { ok: false, error: syntaxError(text, root.offset, 'The file must contain a JSON object.') };
  }
  return { ok: true, root };
}

function describeParseError(code: string): string {
  // printParseErrorCode gives identifiers such as `CommaExpected`; make them read like a sentence.
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1) + '.';
}

export function syntaxError(text: string, offset: number, message: string): JsonSyntaxError {
  const { line, column } = lineColumn(text, offset);
  return { message, line, column, offset };
}

/** 1-based line and column of one offset. For several offsets in the same text, use `lineColumns` once. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  return lineColumns(text)(offset);
}

/**
 * 1-based line and column of offsets in one text, as an editor shows them. Line starts are found once and each
 * lookup is a binary search, so a file with N servers costs O(N log N), not O(N × size). Line breaks are those VS
 * Code counts: LF, CRLF and a lone CR.
 */
export function lineColumns(text: string): (offset: number) => { line: number; column: number } {
  const lines = new LineMap(text);
  return (offset) => {
    const { line, column } = lines.positionAt(offset);
    return { line: line + 1, column: column + 1 };
  };
}

/** Reads the file's own indentation and line-ending style; `fallback` is used for what the text does not show. */
export function detectLayout(text: string, fallback: Layout): Layout {
  const eol: Layout['eol'] = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : fallback.eol;
  let indentUnit: string | undefined;
  let minSpaces = Infinity;
  for (const line of text.split('\n')) {
    const m = /^([ \t]+)\S/.exec(line);
    if (!m) continue;
    const ws = m[1]!;
    if (ws.startsWith('\t')) {
      indentUnit = '\t';
      break;
    }
    // Lines inside block comments are often aligned with one extra space; ignore odd one-space alignment.
    const spaces = /^ +/.exec(ws)![0].length;
    if (spaces >= 2 && spaces < minSpaces) minSpaces = spaces;
  }
  if (!indentUnit && minSpaces !== Infinity) indentUnit = ' '.repeat(minSpaces);
  return { indentUnit: indentUnit ?? fallback.indentUnit, eol };
}

/** Pretty JSON in the file's layout: objects one key per line, arrays of scalars inline (`["*"]`). */
export function formatValue(value: unknown, layout: Layout, baseIndent: string): string {
  const inner = (v: unknown, indent: string): string => {
    if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) return '[' + v.map((x) => JSON.stringify(x)).join(', ') + ']';
      const next = indent + layout.indentUnit;
      return '[' + v.map((x) => layout.eol + next + inner(x, next)).join(',') + layout.eol + indent + ']';
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      const next = indent + layout.indentUnit;
      return '{' + entries.map(([k, x]) => layout.eol + next + JSON.stringify(k) + ': ' + inner(x, next)).join(',') + layout.eol + indent + '}';
    }
    return JSON.stringify(v);
  };
  return inner(value, baseIndent);
}

export function nodeEnd(node: Node): number {
  return node.offset + node.length;
}

/** Leading whitespace of the line that contains `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = start;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return text.slice(start, end);
}

/** Offset of the line break just before the line that contains `offset` (the `\r` of a CRLF), if only blanks come between. */
function lineBreakBefore(text: string, offset: number): number | undefined {
  let i = offset;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i === 0 || text[i - 1] !== '\n') return undefined;
  return i >= 2 && text[i - 2] === '\r' ? i - 2 : i - 1;
}

/** Skips blanks and comments on the current line: the offset of the line break (atEol) or of the next token. */
function sameLineEnd(text: string, pos: number): { pos: number; atEol: boolean } {
  let i = pos;
  for (;;) {
    const c = text[i];
    if (c === undefined) return { pos: i, atEol: true };
    if (c === ' ' || c === '\t') i++;
    else if (c === '\r' || c === '\n') return { pos: i, atEol: true };
    else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? text.length : close + 2;
      // A block comment that spans lines belongs to what follows it.
      if (/[\r\n]/.test(text.slice(i, end))) return { pos: i, atEol: true };
      i = end;
    } else return { pos: i, atEol: false };
  }
}

/** Skips all whitespace and comments: the offset of the next token. */
function nextToken(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text[i];
    if (c === undefined) return i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
    else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else return i;
  }
}

function childIndentFor(text: string, container: Node, layout: Layout): string {
  const children = container.children ?? [];
  const last = children[children.length - 1];
  if (last && lineBreakBefore(text, last.offset) !== undefined) return lineIndentAt(text, last.offset);
  return lineIndentAt(text, container.offset) + layout.indentUnit;
}

/**
 * Edits that append a child to an object or array. For an object pass the key; `value` is formatted in `layout`.
 * The new child goes on its own line after the last child (and after that child's comma and same-line comment),
 * following the container's trailing-comma style.
 */
export function appendChildEdits(text: string, container: Node, key: string | undefined, value: unknown, layout: Layout): Edit[] {
  const indent = childIndentFor(text, container, layout);
  const body = (key === undefined ? '' : JSON.stringify(key) + ': ') + formatValue(value, layout, indent);
  const children = container.children ?? [];
  const last = children[children.length - 1];
  if (!last) {
    const open = container.offset + 1;
    const close = nodeEnd(container) - 1;
    const interior = text.slice(open, close);
    const closingIndent = lineIndentAt(text, container.offset);
    const lastBreak = Math.max(interior.lastIndexOf('\n'), -1);
    if (lastBreak >= 0) {
      const at = open + lastBreak - (interior[lastBreak - 1] === '\r' ? 1 : 0);
      return [{ offset: at, length: 0, content: layout.eol + indent + body }];
    }
    const blank = /^[ \t]*$/.test(interior);
    return [
      {
        offset: blank ? open : close,
        length: blank ? interior.length : 0,
        content: layout.eol + indent + body + layout.eol + closingIndent,
      },
    ];
  }
  const after = nextToken(text, nodeEnd(last));
  if (text[after] === ',') {
    const anchor = after + 1;
    const end = sameLineEnd(text, anchor);
    return [{ offset: end.atEol ? end.pos : anchor, length: 0, content: layout.eol + indent + body + ',' }];
  }
  const end = sameLineEnd(text, nodeEnd(last));
  if (end.atEol && end.pos > nodeEnd(last)) {
    return [
      { offset: nodeEnd(last), length: 0, content: ',' },
      { offset: end.pos, length: 0, content: layout.eol + indent + body },
    ];
  }
  return [{ offset: nodeEnd(last), length: 0, content: ',' + layout.eol + indent + body }];
}

/** Edits that remove child `index` of an object or array: its own line(s) when it has them, and one separator comma. */
export function removeChildEdits(text: string, container: Node, index: number): Edit[] {
  const children = container.children ?? [];
  const child = children[index];
  if (!child) return [];
  const prev = index > 0 ? children[index - 1] : undefined;
  const afterChild = nextToken(text, nodeEnd(child));
  const hasComma = text[afterChild] === ',';
  const afterComma = hasComma ? afterChild + 1 : nodeEnd(child);
  const lineEnd = sameLineEnd(text, afterComma);
  const breakBefore = lineBreakBefore(text, child.offset);

  let edits: Edit[];
  if (breakBefore !== undefined && lineEnd.atEol) {
    edits = [{ offset: breakBefore, length: lineEnd.pos - breakBefore, content: '' }];
    if (!hasComma && prev) {
      // The removed child was last without a trailing comma: the previous child's separator must go too.
      const sep = nextToken(text, nodeEnd(prev));
      if (text[sep] === ',') edits.push({ offset: sep, length: 1, content: '' });
    }
  } else if (prev) {
    edits = [{ offset: nodeEnd(prev), length: nodeEnd(child) - nodeEnd(prev), content: '' }];
  } else {
    let end = afterComma;
    if (hasComma) while (text[end] === ' ' || text[end] === '\t') end++;
    edits = [{ offset: child.offset, length: end - child.offset, content: '' }];
  }

  if (children.length === 1) {
    const open = container.offset + 1;
    const close = nodeEnd(container) - 1;
    const edited = applyEdits(text, edits);
    const interior = edited.slice(open, close - (text.length - edited.length));
    if (/^\s*$/.test(interior)) return [{ offset: open, length: close - open, content: '' }];
  }
  return edits;
}

/** Edit that replaces a value node, formatted at the indentation of the line it starts on. */
export function replaceValueEdits(text: string, valueNode: Node, value: unknown, layout: Layout): Edit[] {
  const indent = lineIndentAt(text, valueNode.offset);
  return [{ offset: valueNode.offset, length: valueNode.length, content: formatValue(value, layout, indent) }];
}

/** The property node (key + value) for `key` in an object node. */
export function findProperty(object: Node | undefined, key: string): { property: Node; value: Node; index: number } | undefined {
  if (!object || object.type !== 'object') return undefined;
  const children = object.children ?? [];
  for (let i = 0; i < children.length; i++) {
    const property = children[i]!;
    const [keyNode, valueNode] = property.children ?? [];
    if (keyNode?.value === key && valueNode) return { property, value: valueNode, index: i };
  }
  return undefined;
}

export function propertyKeys(object: Node | undefined): string[] {
  if (!object || object.type !== 'object') return [];
  return (object.children ?? []).map((p) => p.children?.[0]?.value).filter((k): k is string => typeof k === 'string');
}

/** Sets `object[key] = value` with minimal edits: replace the value if present, append the property otherwise. */
export function setPropertyEdits(text: string, object: Node, key: string, value: unknown, layout: Layout): Edit[] {
  const existing = findProperty(object, key);
  if (existing) return replaceValueEdits(text, existing.value, value, layout);
  return appendChildEdits(text, object, key, value, layout);
}

export function removePropertyEdits(text: string, object: Node, key: string): Edit[] {
  const existing = findProperty(object, key);
  return existing ? removeChildEdits(text, object, existing.index) : [];
}

export { applyEdits };
export type { Edit, Node };
