import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { getL10nJson } from '@vscode/l10n-dev';
import { l10nCalls } from './l10nCalls';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const files = [...sources(join(ROOT, 'src'))].map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
const calls = files.map((file) => ({ ...file, ...l10nCalls(file.path, file.text) }));
const keys = new Set(calls.flatMap((c) => c.keys));

describe('l10n: every user-visible string of the extension reaches the bundle', () => {
  it('gives l10n.t only a string literal or { message: literal, comment: literal(s), args }', () => {
    const problems = calls.flatMap((c) => c.problems.map((p) => `${c.path}:${p.line}: ${p.message}`));
    assert.deepEqual(problems, []);
    assert.ok(calls.reduce((n, c) => n + c.keys.length, 0) > 300, 'the src tree has l10n.t calls to check');
  });

  it('has exactly one bundle key per distinct l10n.t literal (npm run l10n regenerates l10n/bundle.l10n.json)', () => {
    const bundle = Object.keys(JSON.parse(read('l10n/bundle.l10n.json')) as Record<string, unknown>);
    assert.deepEqual([...keys].filter((k) => !bundle.includes(k)), [], 'strings missing from the bundle');
    assert.deepEqual(bundle.filter((k) => !keys.has(k)), [], 'bundle keys no l10n.t call uses');
    assert.equal(bundle.length, keys.size);
  });

  it('computes the keys @vscode/l10n-dev extracts', async () => {
    const extracted = await getL10nJson(files.map((f) => ({ contents: f.text, extension: extname(f.path) })));
    assert.deepEqual(Object.keys(extracted).sort(), [...keys].sort());
  });

  it('resolves every %key% of package.json from package.nls.json, and every nls key is used', () => {
    const strings = (value: unknown): string[] =>
      typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
    const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
    const used = new Set(strings(JSON.parse(read('package.json'))).flatMap((s) => [...s.matchAll(/^%([\w.-]+)%$/g)].map((m) => m[1]!)));
    assert.ok(used.size > 20);
    assert.deepEqual([...used].filter((k) => !(k in nls)), [], '%key% without a package.nls.json entry');
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'package.nls.json keys the manifest does not use');
  });
});

describe('l10nCalls', () => {
  const check = (text: string) => l10nCalls('x.ts', `import * as vscode from 'vscode';\nimport { l10n } from 'vscode';\n${text}\n`);

  it('keys a literal by its text and a commented message by message/comment, as l10n-dev does', () => {
    const { keys, problems } = check(
      [
        `vscode.l10n.t('Add {0}', name);`,
        'l10n.t(`Plain template`);',
        `vscode.l10n.t({ message: 'Step', comment: ['Column ', 'header.'] });`,
        `vscode.l10n.t({ message: 'Tool', args: [n], comment: 'An MCP tool.' });`,
        `vscode.l10n.t({ message: 'Bare' });`,
      ].join('\n'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(keys, ['Add {0}', 'Plain template', 'Step/Column header.', 'Tool/An MCP tool.', 'Bare']);
  });

  for (const [what, text] of [
    ['a variable', 'vscode.l10n.t(message);'],
    ['a template with a substitution', 'l10n.t(`Add ${name}`);'],
    ['a concatenation', `vscode.l10n.t('Add ' + name);`],
    ['a call with no argument', 'vscode.l10n.t();'],
    ['a computed message', 'vscode.l10n.t({ message: text, comment: ["c"] });'],
    ['a computed comment', `vscode.l10n.t({ message: 'm', comment: [note] });`],
    ['a spread', `vscode.l10n.t({ ...base, comment: ['c'] });`],
    ['an alias', 'const t = vscode.l10n.t;'],
    ['a reference passed on', 'labels.map(l10n.t);'],
  ] as const) {
    it(`refuses ${what}`, () => {
      const { keys, problems } = check(text);
      assert.deepEqual(keys, []);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.line, 3);
    });
  }
});
