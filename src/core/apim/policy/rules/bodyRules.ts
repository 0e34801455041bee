import { matchingParen } from '../policyQueries';
import type { PolicyRule } from '../policyRule';

const BODY_READ = /\.Body\s*\??\s*\.\s*(As\s*<[^>()]*>|AsFormUrlEncodedContent)\s*\(/g;

/** G2: `Body.As<T>()` consumes the stream unless `preserveContent: true`. */
export const bodyWithoutPreserveContent: PolicyRule = {
  id: 'apim.policy.bodyWithoutPreserveContent',
  severity: 'error',
  title: 'Body read without preserveContent: true',
  check({ doc, report }) {
    for (const expression of doc.expressions) {
      const { code } = expression;
      const base = expression.codeRange.start;
      for (const match of code.matchAll(BODY_READ)) {
        const open = match.index + match[0].length - 1;
        const close = matchingParen(code, open);
        if (close < 0) continue;
        const args = code.slice(open + 1, close);
        if (/preserveContent\s*:\s*true/.test(args) || /^\s*true\s*$/.test(args)) continue;
        const callStart = match.index + match[0].indexOf(match[1]!);
        const falseArg = /preserveContent\s*:\s*false/.exec(args);
        const edit = falseArg
          ? { start: base + open + 1 + falseArg.index, end: base + open + 1 + falseArg.index + falseArg[0].length, newText: 'preserveContent: true' }
          : args.trim() === ''
            ? { start: base + open + 1, end: base + close, newText: 'preserveContent: true' }
            : /^\s*false\s*$/.test(args)
              ? { start: base + open + 1, end: base + close, newText: 'preserveContent: true' }
              : { start: base + close, end: base + close, newText: ', preserveContent: true' };
        const stream = /Response\s*$/.test(code.slice(0, match.index)) ? 'response' : 'request';
        report({
          message:
            stream === 'request'
              ? `The request body is read without preserveContent: true, so the backend receives an empty body. Use ${match[1]!.replace(/\s+/g, '')}(preserveContent: true).`
              : `The response body is read without preserveContent: true, so the caller receives an empty body. Use ${match[1]!.replace(/\s+/g, '')}(preserveContent: true).`,
          start: base + callStart,
          end: base + close + 1,
          fixes: [{ title: 'Add preserveContent: true', edits: [edit] }],
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
      for (const match of expression.code.matchAll(/context\s*\.\s*Response\s*\.\s*Body\b/g)) {
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
