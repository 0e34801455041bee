/**
 * Lint throughput on the real-pattern corpus (test/fixtures/policy-corpus, the files modelled on public policies),
 * for `npm run bench -- lint`. Baseline, in the same run: the reader alone on the same policies (for Bicep, ARM JSON
 * and Terraform files, finding the policy strings and reading them), so the ratio is what the rules cost on top.
 */
import { lintPolicyFile, policySegmentsOf, readPolicy } from '../src/core/apim/policy/index';
import { loadCorpus } from '../test/unit/policy/realPatternCorpus';

export interface CorpusLintResult {
  /** Policy files in the corpus, and how many of them one timed pass reads (the corpus repeated). */
  files: number;
  filesPerPass: number;
  bytesPerPass: number;
  lintMedianMs: number;
  filesPerSecond: number;
  readerMedianMs: number;
  readerFilesPerSecond: number;
  ratioToReader: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Median wall time of `runs` passes of each, after two warm-up passes of each (the JIT settles on the second). The
 * passes alternate, so a change in the machine's load during the run weighs on both sides of the ratio alike.
 */
function timeBoth(runs: number, lint: () => void, reader: () => void): { lintMs: number; readerMs: number } {
  const timed = (pass: () => void): number => {
    const started = performance.now();
    pass();
    return performance.now() - started;
  };
  for (let i = 0; i < 2; i++) {
    lint();
    reader();
  }
  const lintTimes: number[] = [];
  const readerTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    lintTimes.push(timed(lint));
    readerTimes.push(timed(reader));
  }
  return { lintMs: median(lintTimes), readerMs: median(readerTimes) };
}

export function benchCorpusLint(runs = 15, filesPerPass = 2000): CorpusLintResult {
  const files = loadCorpus().filter((e) => e.expect !== 'not-a-policy');
  const pass = Array.from({ length: Math.ceil(filesPerPass / files.length) }, () => files).flat();
  const { lintMs, readerMs } = timeBoth(
    runs,
    () => {
      for (const f of pass) lintPolicyFile(f.path, f.text);
    },
    () => {
      for (const f of pass) {
        const segments = policySegmentsOf(f.path, f.text);
        if (segments) for (const segment of segments) readPolicy(segment.text);
        else readPolicy(f.text);
      }
    },
  );
  const perSecond = (ms: number): number => Math.round((pass.length / ms) * 1000);
  return {
    files: files.length,
    filesPerPass: pass.length,
    bytesPerPass: pass.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0),
    lintMedianMs: Number(lintMs.toFixed(1)),
    filesPerSecond: perSecond(lintMs),
    readerMedianMs: Number(readerMs.toFixed(1)),
    readerFilesPerSecond: perSecond(readerMs),
    ratioToReader: Number((lintMs / readerMs).toFixed(2)),
  };
}
