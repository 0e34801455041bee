/**
 * Runs the adversarial parsing cases of linearParsing.test.ts in a child process, one JSON line per case, so the
 * parent can stop a quadratic parser after a few seconds instead of waiting the minutes it would take.
 * Usage: node --import tsx linearParsing.child.ts aadsts|pages
 */
import { parseAadstsText } from '../../../src/core/entra/aadstsText';
import { htmlToText } from '../../../src/core/probe/authorizePreflight';

const MB = 1_000_000;
const SPACES = [' ', '\u00a0', '\t', '\u3000', '\u2028', '\r\n', '\u00a0 \t'];
const KEYWORDS = ['AADSTS50011 ', 'AADSTS50011:', 'Trace ID:', 'Correlation ID:', 'Timestamp:', 'appid', 'app id=', 'application ', "redirect URI '", "reply address '", 'redirect_uri:', 'client_id:', 'error_codes:', '\nerror:', "tenant '", "directory '", '&#', '&#x', 'error?code=', '$Config='];

export function aadstsCases(): [string, string][] {
  const cases: [string, string][] = [['AADSTS50011 + 1 MB of no-break spaces + Trace ID', `AADSTS50011 ${'\u00a0'.repeat(MB)}Trace ID: x`]];
  for (const keyword of KEYWORDS) {
    for (const space of SPACES) cases.push([`${JSON.stringify(keyword)} then ${JSON.stringify(space)} for 1 MB`, `${keyword}${space.repeat(Math.floor(MB / space.length))}x`]);
    cases.push([`${JSON.stringify(keyword)} repeated for 1 MB`, `${keyword}\u00a0`.repeat(Math.floor(MB / (keyword.length + 1)))]);
  }
  return cases;
}

export function pageCases(): [string, string][] {
  return [
    ['1 MB of <', '<'.repeat(MB)],
    ['unclosed <script> tags', '<script>'.repeat(MB / 8)],
    ['unclosed <style tags', '<style'.repeat(MB / 6)],
    ['<script without > then </script>', `${'<script'.repeat(MB / 7)}</script>`],
    ['no-break spaces and line breaks', `<p>${'\u00a0'.repeat(MB)}\n</p>`],
    ['no-break spaces without a line break', `<p>${'\u00a0'.repeat(MB)}</p>`],
    ['tags in a long line', '<b>x</b>\u00a0'.repeat(MB / 10)],
  ];
}

/**
 * CPU time in ms, the best of five runs: what the parse costs this process, which other processes on a busy machine
 * do not inflate the way they inflate wall-clock time.
 */
function bestOfFive(work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    work();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

if (require.main === module) {
  const suite = process.argv[2];
  const cases = suite === 'pages' ? pageCases() : aadstsCases();
  const parse = suite === 'pages' ? (text: string) => parseAadstsText(htmlToText(text)) : (text: string) => parseAadstsText(text);
  for (const [name, text] of cases) {
    process.stdout.write(`${JSON.stringify({ start: name })}\n`);
    process.stdout.write(`${JSON.stringify({ name, ms: bestOfFive(() => parse(text)) })}\n`);
  }
}
