// npm run check:size (and npm test): no file in src over 400 lines and no function there over 80 lines (STYLE.md).
// Functions are measured with the TypeScript parser: declarations, methods, accessors, constructors, function
// expressions and arrows, each from its first token (not its doc comment) to its closing brace; a nested function
// counts inside its parent as well as on its own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;

/** The product's code. Tests are out of scope: a describe() block or a sandbox service is a list, not logic to split. */
export const ROOTS = ['src'];

export interface SizeProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const CODE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;

/** Lines as an editor numbers them: a final newline does not start another line. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** A readable name: the declared one, the variable or property it is assigned to, or the call it is passed to. */
function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) {
    const label = parent.arguments.find((argument) => ts.isStringLiteralLike(argument));
    const callee = parent.expression.getText(source);
    return label ? `${callee}(${JSON.stringify((label as ts.StringLiteralLike).text)}) callback` : `${callee}(…) callback`;
  }
  return 'anonymous function';
}

/** The size problems of one file. */
export function sizeProblems(file: string, text: string): SizeProblem[] {
  const problems: SizeProblem[] = [];
  const lines = lineCount(text);
  if (lines > MAX_FILE_LINES) {
    problems.push({ file, line: 1, message: `file is ${lines} lines (limit ${MAX_FILE_LINES})` });
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (isFunction(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const span = last - first + 1;
      if (span > MAX_FUNCTION_LINES) {
        problems.push({ file, line: first + 1, message: `${functionName(node, source)} is ${span} lines (limit ${MAX_FUNCTION_LINES})` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

function* codeFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* codeFiles(path);
    else if (CODE.test(name) && !/\.d\.[mc]?ts$/.test(name)) yield path;
  }
}

export interface SizeReport {
  readonly files: number;
  readonly problems: readonly SizeProblem[];
}

/** Checks every code file under the roots of `root` (a repository checkout). */
export function checkSizes(root: string): SizeReport {
  const problems: SizeProblem[] = [];
  let files = 0;
  for (const top of ROOTS) {
    for (const path of codeFiles(join(root, top))) {
      files += 1;
      problems.push(...sizeProblems(relative(root, path), readFileSync(path, 'utf8')));
    }
  }
  return { files, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { files, problems } = checkSizes(process.cwd());
  for (const p of problems) console.log(`${p.file}:${p.line}: ${p.message}`);
  console.log(
    problems.length === 0
      ? `check-size: ${files} files in ${ROOTS.join(', ')}, none over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES} lines`
      : `check-size: ${problems.length} over the limits in ${files} files; split them by concern (STYLE.md)`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}
