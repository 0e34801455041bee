import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkSizes, lineCount, MAX_FILE_LINES, MAX_FUNCTION_LINES, sizeProblems } from '../../../scripts/check-size';

/** `n` statement lines, so a function written around them spans n + 2 lines. */
const body = (n: number): string => Array.from({ length: n }, (_, i) => `  total += ${i};`).join('\n');

/** A function of each shape, `span` lines from its first token to its closing brace. */
const shapes: Record<string, (span: number) => string> = {
  declaration: (span) => `/** Doc lines are not counted. */\nexport function adds(): number {\n  let total = 0;\n${body(span - 3)}\n}\n`,
  arrow: (span) => `export const adds = (): void => {\n  let total = 0;\n${body(span - 3)}\n};\n`,
  method: (span) => `class Sum {\n  adds(): void {\n    let total = 0;\n${body(span - 3)}\n  }\n}\n`,
  'class constructor': (span) => `class Sum {\n  constructor() {\n    let total = 0;\n${body(span - 3)}\n  }\n}\n`,
  callback: (span) => `describe('sums', () => {\n  let total = 0;\n${body(span - 3)}\n});\n`,
};

describe('check-size: no file in src over 400 lines, no function over 80', () => {
  it('counts lines as an editor numbers them', () => {
    assert.equal(lineCount(''), 0);
    assert.equal(lineCount('a'), 1);
    assert.equal(lineCount('a\n'), 1);
    assert.equal(lineCount('a\nb'), 2);
    assert.equal(lineCount('a\n\n'), 2);
  });

  it(`accepts a ${MAX_FILE_LINES}-line file and refuses one of ${MAX_FILE_LINES + 1}`, () => {
    const lines = (n: number): string => `${Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n')}\n`;
    assert.deepEqual(sizeProblems('src/ok.ts', lines(MAX_FILE_LINES)), []);
    assert.deepEqual(sizeProblems('src/big.ts', lines(MAX_FILE_LINES + 1)), [
      { file: 'src/big.ts', line: 1, message: `file is ${MAX_FILE_LINES + 1} lines (limit ${MAX_FILE_LINES})` },
    ]);
  });

  for (const [shape, write] of Object.entries(shapes)) {
    it(`accepts a ${MAX_FUNCTION_LINES}-line ${shape} and refuses one of ${MAX_FUNCTION_LINES + 1}`, () => {
      assert.deepEqual(sizeProblems('src/f.ts', write(MAX_FUNCTION_LINES)), []);
      const problems = sizeProblems('src/f.ts', write(MAX_FUNCTION_LINES + 1));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]!.message, new RegExp(` is ${MAX_FUNCTION_LINES + 1} lines \\(limit ${MAX_FUNCTION_LINES}\\)$`));
    });
  }

  it('names the function and its first line, and measures a nested function on its own too', () => {
    const inner = shapes.arrow!(MAX_FUNCTION_LINES + 1).replace('export const adds', 'const inner').replace(/^/gm, '  ');
    const text = `// header\nexport function outer(): void {\n${inner}}\n`;
    assert.deepEqual(
      sizeProblems('src/n.ts', text).map((p) => `${p.line}: ${p.message}`),
      [`2: outer is ${MAX_FUNCTION_LINES + 3} lines (limit 80)`, `3: inner is ${MAX_FUNCTION_LINES + 1} lines (limit 80)`],
    );
    assert.match(sizeProblems('src/c.ts', shapes.callback!(MAX_FUNCTION_LINES + 1))[0]!.message, /^describe\("sums"\) callback is/);
  });

  it('walks src only, and every code file in it', () => {
    const root = mkdtempSync(join(tmpdir(), 'apim-mcp-size-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'src/core'), { recursive: true });
    mkdirSync(join(root, 'test'), { recursive: true });
    writeFileSync(join(root, 'src/core/long.ts'), shapes.declaration!(MAX_FUNCTION_LINES + 1));
    writeFileSync(join(root, 'src/script.mjs'), shapes.arrow!(MAX_FUNCTION_LINES + 1));
    writeFileSync(join(root, 'src/types.d.ts'), shapes.declaration!(MAX_FUNCTION_LINES + 1));
    writeFileSync(join(root, 'test/long.test.ts'), shapes.callback!(MAX_FUNCTION_LINES + 1));
    const report = checkSizes(root);
    assert.equal(report.files, 2);
    assert.deepEqual(report.problems.map((p) => p.file), ['src/core/long.ts', 'src/script.mjs']);
  });
});
