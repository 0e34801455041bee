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

/** Median wall time of `runs` passes, after two warm-up passes (the JIT settles on the second). */
function time(runs: number, pass: () => void): number {
  pass();
  pass();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    pass();
    times.push(performance.now() - started);
  }
  return median(times);
}

export function benchCorpusLint(runs = 9, filesPerPass = 2000): CorpusLintResult {
  const files = loadCorpus().filter((e) => e.expect !== 'not-a-policy');
  const pass = Array.from({ length: Math.ceil(filesPerPass / files.length) }, () => files).flat();
  const lintMs = time(runs, () => {
    for (const f of pass) lintPolicyFile(f.path, f.text);
  });
  const readerMs = time(runs, () => {
    for (const f of pass) {
      const segments = policySegmentsOf(f.path, f.text);
      if (segments) for (const segment of segments) readPolicy(segment.text);
      else readPolicy(f.text);
    }
  });
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
