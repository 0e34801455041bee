import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAadstsText } from '../../../src/core/entra/aadstsText';
import { htmlToText } from '../../../src/core/probe/authorizePreflight';
import { FUZZ_RUNS } from '../fuzzRuns';

/**
 * Issue 16, item 8: Entra error text and pages come from servers (the authorize preflight reads them, the panel and
 * `explain` read pasted ones), and used to be parsed with regexes that took quadratic time on long whitespace:
 * 64k no-break spaces took 8 s of CPU, outside any --timeout, and in the extension host they block the host.
 * Each adversarial megabyte below must parse in under 50 ms of CPU time (the best of five runs; CPU time, so that other
 * processes on a busy machine do not fail it).
 */
const BUDGET_MS = 50;
/**
 * A page goes through four linear passes over the whole megabyte before the AADSTS parser reads its first 200 000
 * characters; the quadratic expressions it replaces took minutes on these inputs, so this still tells the two apart.
 */
const PAGE_BUDGET_MS = 250;
/** A case that has not finished by then is quadratic: the child is stopped instead of running for minutes. */
const STUCK_MS = 8000;

/** Runs one suite of linearParsing.child.ts; returns the cases over `budget`, or the one it was stuck in. */
async function slowCases(suite: 'aadsts' | 'pages', budget: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'linearParsing.child.ts'), suite], { stdio: ['ignore', 'pipe', 'inherit'] });
  const slow: string[] = [];
  let current = '(starting)';
  let stuck: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(stuck);
    stuck = setTimeout(() => {
      slow.push(`${current}: still running after ${STUCK_MS} ms, stopped`);
      child.kill('SIGKILL');
    }, STUCK_MS);
  };
  watch();
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const event = JSON.parse(line) as { start?: string; name?: string; ms?: number };
    if (event.start) {
      current = event.start;
      watch();
    } else if (event.ms !== undefined && event.ms >= budget) slow.push(`${event.name}: ${event.ms.toFixed(1)} ms`);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(stuck);
  if (code !== 0 && slow.length === 0) slow.push(`the child exited with ${code}`);
  return slow;
}

/** The expressions these parsers used before, kept here only to check the linear versions give the same answers. */
const oldDescription = (text: string): string | undefined => /(AADSTS\d+[:\s][^\n]*?)(?:\s*Trace ID:|\n|$)/.exec(text)?.[1]?.trim();
const oldHtmlToText = (html: string): string =>
  html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();

describe('linear-time parsing of server text (issue 16, item 8)', () => {
  it(`parseAadstsText: every adversarial megabyte in under ${BUDGET_MS} ms`, async () => {
    assert.deepEqual(await slowCases('aadsts', BUDGET_MS), []);
  });

  it(`htmlToText: every adversarial megabyte of page in under ${PAGE_BUDGET_MS} ms`, async () => {
    assert.deepEqual(await slowCases('pages', PAGE_BUDGET_MS), []);
  });

  it('reads the same description as the old expression (property, short inputs)', () => {
    const pieces = fc.constantFrom('AADSTS50011', 'AADSTS7000215', ':', ' ', '\u00a0', '\n', '\t', 'Trace ID:', 'Trace ID: 1', 'x', 'The redirect URI', '.');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 25 }), (parts) => {
        const text = parts.join('');
        assert.equal(parseAadstsText(text).description, oldDescription(text) || undefined);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('gives the same text as the old expressions for pages (property, short inputs)', () => {
    const pieces = fc.constantFrom('<', '>', '<p>', '</p>', '<script>', '</script>', '<SCRIPT a="1">', '</SCRIPT>', '<style>', '</style>', ' ', '\u00a0', '\n', '\t', 'AADSTS50011', 'text', '<br/>');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 25 }), (parts) => {
        const html = parts.join('');
        assert.equal(htmlToText(html), oldHtmlToText(html));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
