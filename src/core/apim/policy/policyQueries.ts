/** Small read-only queries over a `PolicyDocument` tree, shared by the rules. */
import type { PolicyAttribute, PolicyDocument, PolicyElement, PolicyExpression, PolicyNode } from './policyReader';

export type PolicySection = 'inbound' | 'backend' | 'outbound' | 'on-error';

const SECTIONS = new Set<string>(['inbound', 'backend', 'outbound', 'on-error']);

const byName = new WeakMap<PolicyDocument, Map<string, PolicyElement[]>>();
/** The document asked about last: rules ask about one document many times in a row, and this skips the WeakMap. */
let lastDoc: PolicyDocument | undefined;
let lastIndex: Map<string, PolicyElement[]> | undefined;

/** Elements by lower-case name, built once per document: every rule asks for a few names. */
function nameIndex(doc: PolicyDocument): Map<string, PolicyElement[]> {
  if (doc === lastDoc) return lastIndex!;
  let index = byName.get(doc);
  if (!index) {
    index = new Map();
    for (const e of doc.elements) {
      const key = e.name.toLowerCase();
      const list = index.get(key);
      if (list) list.push(e);
      else index.set(key, [e]);
    }
    byName.set(doc, index);
  }
  lastDoc = doc;
  lastIndex = index;
  return index;
}

const NONE: PolicyElement[] = [];

/** Elements with any of these names, in document order. The array is shared: read it, do not change it. */
export function elementsNamed(doc: PolicyDocument, ...names: string[]): PolicyElement[] {
  const index = nameIndex(doc);
  if (names.length === 1) return index.get(names[0]!.toLowerCase()) ?? NONE;
  let key = '';
  for (const name of names) key += `\u0000${name.toLowerCase()}`;
  let merged = index.get(key);
  if (!merged) {
    merged = mergedInOrder(names.map((n) => index.get(n.toLowerCase()) ?? NONE));
    index.set(key, merged);
  }
  return merged;
}

/** Lists of elements merged in document order; most documents have at most one non-empty list, which is returned. */
function mergedInOrder(lists: readonly PolicyElement[][]): PolicyElement[] {
  const filled = lists.filter((list) => list.length > 0);
  if (filled.length <= 1) return filled[0] ?? NONE;
  return filled.flat().sort((a, b) => a.range.start - b.range.start);
}

export function attribute(element: PolicyElement, name: string): PolicyAttribute | undefined {
  const lower = name.toLowerCase();
  for (const a of element.attributes) if (a.name === lower || a.name.toLowerCase() === lower) return a;
  return undefined;
}

export function attributeValue(element: PolicyElement, name: string): string | undefined {
  return attribute(element, name)?.value;
}

export function childElements(element: PolicyElement, name?: string): PolicyElement[] {
  const lower = name?.toLowerCase();
  const found: PolicyElement[] = [];
  for (const c of element.children) {
    if (c.kind === 'element' && (lower === undefined || c.name === lower || c.name.toLowerCase() === lower)) found.push(c);
  }
  return found;
}

export function descendants(element: PolicyElement, name?: string): PolicyElement[] {
  const found: PolicyElement[] = [];
  collectDescendants(element.children, name?.toLowerCase(), found);
  return found;
}

function collectDescendants(nodes: readonly PolicyNode[], lower: string | undefined, found: PolicyElement[]): void {
  for (const node of nodes) {
    if (node.kind !== 'element') continue;
    if (lower === undefined || node.name.toLowerCase() === lower) found.push(node);
    collectDescendants(node.children, lower, found);
  }
}

export function ancestors(element: PolicyElement): PolicyElement[] {
  const chain: PolicyElement[] = [];
  for (let p = element.parent; p; p = p.parent) chain.push(p);
  return chain;
}

export function sectionOf(element: PolicyElement): PolicySection | undefined {
  for (let e: PolicyElement | undefined = element; e; e = e.parent) {
    const lower = e.name.toLowerCase();
    if (SECTIONS.has(lower)) return lower as PolicySection;
  }
  return undefined;
}

export function isInside(element: PolicyElement, ancestor: PolicyElement): boolean {
  for (let p = element.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

/** Concatenated text and CDATA content of an element and its descendants (raw, not entity-decoded). */
export function textContent(element: PolicyElement): string {
  return appendText(element.children, '');
}

function appendText(nodes: readonly PolicyNode[], out: string): string {
  for (const node of nodes) {
    if (node.kind === 'text' || node.kind === 'cdata') out += node.text;
    else if (node.kind === 'element') out = appendText(node.children, out);
  }
  return out;
}

/** Every expression written inside `element`: in its own and its descendants' attributes, text and CDATA. */
export function expressionsWithin(doc: PolicyDocument, element: PolicyElement): PolicyExpression[] {
  // The reader records expressions in document order and they never overlap, so those inside the element are one
  // run found by binary search: O(log N + k) per element instead of a pass over every expression of the document.
  const { expressions } = doc;
  const { start, end } = element.range;
  let low = 0;
  let high = expressions.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (expressions[mid]!.range.start < start) low = mid + 1;
    else high = mid;
  }
  const within: PolicyExpression[] = [];
  for (let i = low; i < expressions.length && expressions[i]!.range.start < end; i++) {
    if (expressions[i]!.range.end <= end) within.push(expressions[i]!);
  }
  return within;
}

/** The innermost element whose range holds `offset`. */
export function elementAt(doc: PolicyDocument, offset: number): PolicyElement | undefined {
  let best: PolicyElement | undefined;
  for (const e of doc.elements) {
    if (e.range.start <= offset && offset < e.range.end) {
      if (!best || e.range.start >= best.range.start) best = e;
    }
  }
  return best;
}

/** Whitespace that starts the line holding `offset`, for indenting inserted lines like their neighbours. */
export function indentationAt(text: string, offset: number): string {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
  let end = lineStart;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(lineStart, end);
}

const indentUnits = new WeakMap<PolicyDocument, string>();

/**
 * One indentation step as used in the document (the smallest non-zero indent), defaulting to 4 spaces. Worked out
 * once per document: the fixes of every element ask for it.
 */
export function indentUnit(doc: PolicyDocument): string {
  let unit = indentUnits.get(doc);
  if (unit === undefined) {
    let best: string | undefined;
    for (const match of doc.text.matchAll(/^([ \t]+)</gm)) {
      const indent = match[1]!;
      if (!best || indent.length < best.length) best = indent;
    }
    unit = best ?? '    ';
    indentUnits.set(doc, unit);
  }
  return unit;
}

/** `"` or `&quot;`: expressions in strict-XML policies spell quotes as entities. */
export const Q = '(?:"|&quot;)';

/** String literals in C# code (regular `"…"` or entity-quoted `&quot;…&quot;`), with offsets of their contents in `code`. */
export function stringLiterals(code: string): { value: string; start: number; end: number }[] {
  const found: { value: string; start: number; end: number }[] = [];
  const pattern = /"((?:[^"\\\r\n]|\\.)*)"|&quot;(.*?)&quot;/g;
  for (const m of code.matchAll(pattern)) {
    const value = m[1] ?? m[2] ?? '';
    const quoteLength = m[1] !== undefined ? 1 : 6;
    found.push({ value, start: m.index + quoteLength, end: m.index + quoteLength + value.length });
  }
  return found;
}

/** Finds the `)` that closes the `(` at `open` in C# code, skipping strings; -1 when unbalanced. */
export function matchingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      i++;
      while (i < code.length && code[i] !== '"') i += code[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
