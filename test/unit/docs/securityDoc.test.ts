/**
 * docs/security.md links each guarantee to the tests that hold it: `[file](../test/…) › "title" › "title"`. These
 * tests keep the page honest as the code moves: every relative link in the shipped docs points at a file that exists,
 * and every quoted title is in the test file it follows, so a renamed or deleted test shows up here, not in a reader's
 * dead end.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const SECURITY = join(ROOT, 'docs', 'security.md');
const DOCS = ['README.md', 'docs/security.md', 'docs/findings.md', 'docs/policy-rules.md'].map((f) => join(ROOT, f));

/** Relative link targets of a Markdown file (web links, mail and in-page anchors are not files). */
export function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(t)).map((t) => t.replace(/#.*$/, ''));
}

/** Each link to a test file and the titles quoted after it (`› "…"`). */
export function linkedTitles(markdown: string): { file: string; titles: string[] }[] {
  return [...markdown.matchAll(/\]\((\.\.\/test\/[^)]+)\)((?:\s*›\s*"[^"]+")+)/g)].map((m) => ({
    file: m[1]!,
    titles: [...m[2]!.matchAll(/"([^"]+)"/g)].map((t) => t[1]!),
  }));
}

/** A test file's text with string escapes undone where a title may use them (`\'`, `\"`, `\\`). */
const unescaped = (source: string) => source.replace(/\\(['"\\`])/g, '$1');

describe('docs links', () => {
  it('every relative link in the docs points at a file that exists', () => {
    for (const doc of DOCS) {
      for (const target of relativeLinks(readFileSync(doc, 'utf8'))) {
        if (target === '') continue;
        assert.ok(existsSync(join(dirname(doc), target)), `${relative(ROOT, doc)} links to ${target}, which does not exist`);
      }
    }
  });

  it('16 docs/security.md: every quoted test title is in the test file it follows', () => {
    const page = readFileSync(SECURITY, 'utf8');
    const proofs = linkedTitles(page);
    assert.ok(proofs.length >= 20, `only ${proofs.length} test links found: the link format changed?`);
    const testLinks = [...page.matchAll(/\]\((\.\.\/test\/[^)]+)\)/g)].length;
    assert.equal(proofs.length, testLinks, 'a link to a test file is not followed by › "title"');
    for (const { file, titles } of proofs) {
      const source = unescaped(readFileSync(join(ROOT, 'docs', file), 'utf8'));
      for (const title of titles) assert.ok(source.includes(title), `docs/security.md quotes "${title}", which is not in ${file}`);
    }
  });

  it('reads links and titles the way the page writes them', () => {
    const sample = 'See [a](../test/unit/a.test.ts) › "one" › "two", [b](https://example.com), [c](#anchor), [d](./d.md#x).';
    assert.deepEqual(relativeLinks(sample), ['../test/unit/a.test.ts', './d.md']);
    assert.deepEqual(linkedTitles(sample), [{ file: '../test/unit/a.test.ts', titles: ['one', 'two'] }]);
  });
});
