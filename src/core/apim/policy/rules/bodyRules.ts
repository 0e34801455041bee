/**
 * Reads of a message body. Whose body is decided from what the expression reads, never from variable names:
 * `context.Request.Body` is the caller's, `context.Response.Body` the answer to the caller, and the `.Body` of a
 * `send-request` response variable is another service's answer, which no one else reads after the policy.
 */
import { elementAt, matchingParen, sectionOf } from '../policyQueries';
import type { PolicyRule } from '../policyRule';
import type { PolicyDocument, PolicyElement, PolicyExpression } from '../policyTypes';

/** `.Body.As<T>(`, `.Body?.As<T>(`, the entity-escaped `As&lt;T&gt;(` of strict XML, and `AsFormUrlEncodedContent(`. */
const BODY_READ = /\bBody\s*\??\s*\.\s*(As\s*(?:<[^>()]*>|&lt;(?:(?!&gt;)[^()])*&gt;)|AsFormUrlEncodedContent)\s*\(/g;
const RECEIVER = /context\s*\.\s*(Request|Response)\s*\??\s*\.\s*$/;

type Stream = 'request' | 'response';

/**
 * The read needs no preserveContent when nothing reads the body after it: it is inside a `return-response` (the
 * message is never forwarded), or the same message's body is replaced by a later `set-body` of its own section.
 */
function bodyReplacedAfter(doc: PolicyDocument, at: number, stream: Stream): boolean {
  const element = elementAt(doc, at);
  for (let e: PolicyElement | undefined = element; e; e = e.parent) if (e.name === 'return-response') return true;
  const section = element ? sectionOf(element) : undefined;
  const wanted = stream === 'request' ? 'inbound' : 'outbound';
  if (section !== wanted) return false;
  return doc.elements.some((e) => {
    if (e.range.end < at || sectionOf(e) !== wanted) return false;
    // An unconditional return-response in the section: the message is never forwarded after the read.
    if (e.name === 'return-response') return e.parent?.name === wanted;
    if (e.name !== 'set-body') return false;
    for (let p = e.parent; p; p = p.parent) if (p.name === 'send-request' || p.name === 'return-response') return false;
    return true;
  });
}

function preserveEdit(code: string, base: number, open: number, close: number): { start: number; end: number; newText: string } {
  const args = code.slice(open + 1, close);
  const falseArg = /preserveContent\s*:\s*false/.exec(args);
  if (falseArg) return { start: base + open + 1 + falseArg.index, end: base + open + 1 + falseArg.index + falseArg[0].length, newText: 'preserveContent: true' };
  if (args.trim() === '' || /^\s*false\s*$/.test(args)) return { start: base + open + 1, end: base + close, newText: 'preserveContent: true' };
  return { start: base + close, end: base + close, newText: ', preserveContent: true' };
}

function unpreservedReads(doc: PolicyDocument, expression: PolicyExpression): { stream: Stream; call: string; start: number; open: number; close: number }[] {
  const { code } = expression;
  const found: { stream: Stream; call: string; start: number; open: number; close: number }[] = [];
  for (const match of code.matchAll(BODY_READ)) {
    const receiver = RECEIVER.exec(code.slice(Math.max(0, match.index - 60), match.index));
    if (!receiver) continue;
    const open = match.index + match[0].length - 1;
    const close = matchingParen(code, open);
    if (close < 0) continue;
    const args = code.slice(open + 1, close);
    if (/preserveContent\s*:\s*true/.test(args) || /^\s*true\s*$/.test(args)) continue;
    const stream: Stream = receiver[1] === 'Request' ? 'request' : 'response';
    if (bodyReplacedAfter(doc, expression.range.start, stream)) continue;
    const call = match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/\s+/g, '');
    found.push({ stream, call, start: match.index + match[0].indexOf(match[1]!), open, close });
  }
  return found;
}

/** G2: `Body.As<T>()` consumes the stream unless `preserveContent: true`. */
export const bodyWithoutPreserveContent: PolicyRule = {
  id: 'apim.policy.bodyWithoutPreserveContent',
  severity: 'error',
  title: 'Body read without preserveContent: true',
  check({ doc, report }) {
    for (const expression of doc.expressions) {
      if (!expression.code.includes('Body')) continue;
      const base = expression.codeRange.start;
      for (const read of unpreservedReads(doc, expression)) {
        const fixed = `${read.call}(preserveContent: true)`;
        report({
          message:
            read.stream === 'request'
              ? `The request body is read without preserveContent: true, so the backend receives an empty body. Use ${fixed}.`
              : `The response body is read without preserveContent: true, so the caller receives an empty body. Use ${fixed}.`,
          start: base + read.start,
          end: base + read.close + 1,
          fixes: [{ title: 'Add preserveContent: true', edits: [preserveEdit(expression.code, base, read.open, read.close)] }],
        });
      }
    }
  },
};

/** G1: any read of `context.Response.Body` in an MCP policy buffers the response and breaks streaming. */
export const responseBodyInMcp: PolicyRule = {
  id: 'apim.policy.responseBodyInMcp',
  severity: 'error',
  title: 'context.Response.Body read in an MCP server policy',
  check({ doc, scope, report }) {
    if (scope !== 'mcp') return;
    for (const expression of doc.expressions) {
      if (!expression.code.includes('Body')) continue;
      for (const match of expression.code.matchAll(/context\s*\.\s*Response\s*\??\s*\.\s*Body\b/g)) {
        report({
          message:
            'Reading context.Response.Body in an MCP server policy buffers the response, which breaks MCP streaming (tools/list hangs, SSE fails). Remove the read.',
          start: expression.codeRange.start + match.index,
          end: expression.codeRange.start + match.index + match[0].length,
        });
      }
    }
  },
};
