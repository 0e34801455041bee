/**
 * Finds every `l10n.t` / `vscode.l10n.t` in a source file with the TypeScript parser, and the bundle key each one
 * gets from @vscode/l10n-dev: the message, or `message/comment` (comment lines joined) when there is a comment.
 * The extractor silently skips a call whose message is not a literal, so such a string would never be translated:
 * those calls are problems here.
 */
import ts from 'typescript';

export interface L10nProblem {
  readonly line: number;
  readonly message: string;
}

export interface L10nCalls {
  readonly keys: readonly string[];
  readonly problems: readonly L10nProblem[];
}

const literalText = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

/** `l10n.t` or `vscode.l10n.t` (however `vscode` is imported as a namespace, it is spelled `vscode` in src). */
function isL10nT(node: ts.Node): node is ts.PropertyAccessExpression {
  if (!ts.isPropertyAccessExpression(node) || node.name.text !== 't') return false;
  const owner = node.expression;
  if (ts.isIdentifier(owner)) return owner.text === 'l10n';
  return ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n' && ts.isIdentifier(owner.expression) && owner.expression.text === 'vscode';
}

/** The key of `{ message: '…', comment: '…' | ['…'], args? }`, or why it has none. */
function objectKey(object: ts.ObjectLiteralExpression): string | { problem: string } {
  let message: string | undefined;
  let comment: string[] | undefined;
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) return { problem: 'spreads and shorthand properties hide the message' };
    const value = property.initializer;
    if (property.name.text === 'message') {
      message = literalText(value);
      if (message === undefined) return { problem: 'message is not a string literal' };
    } else if (property.name.text === 'comment') {
      const lines = ts.isArrayLiteralExpression(value) ? value.elements.map(literalText) : [literalText(value)];
      if (lines.some((line) => line === undefined)) return { problem: 'comment is not a string literal or an array of them' };
      comment = lines as string[];
    } else if (property.name.text !== 'args') {
      return { problem: `unknown property ${property.name.text}` };
    }
  }
  if (message === undefined) return { problem: 'no message' };
  return comment && comment.length > 0 ? `${message}/${comment.join('')}` : message;
}

export function l10nCalls(fileName: string, text: string): L10nCalls {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const keys: string[] = [];
  const problems: L10nProblem[] = [];
  const problem = (node: ts.Node, message: string): void => {
    problems.push({ line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, message });
  };
  const visit = (node: ts.Node): void => {
    if (isL10nT(node)) {
      const call = node.parent;
      if (!ts.isCallExpression(call) || call.expression !== node) {
        problem(node, `${node.getText(source)} is used without being called with a literal: the bundle would miss the string`);
      } else {
        const first = call.arguments[0];
        const literal = literalText(first);
        const key = literal ?? (first && ts.isObjectLiteralExpression(first) ? objectKey(first) : { problem: 'the message is not a literal' });
        if (typeof key === 'string') keys.push(key);
        else problem(call, `${node.getText(source)}(${first?.getText(source).slice(0, 60) ?? ''}…): ${key.problem}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { keys, problems };
}
