import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lintPolicyFile } from '../../../src/core/apim/policy/index';
import { corpus, FILES } from './policyCorpus';

// Not a timed test (timings live in `npm run bench`): it proves the corpus lints cleanly and prints the figure.
it(`lints ${FILES} policy files of realistic size`, (t) => {
  const files = corpus();
  const bytes = files.reduce((sum, f) => sum + f.text.length, 0);
  lintPolicyFile(files[0]!.name, files[0]!.text);
  const started = performance.now();
  let findings = 0;
  for (const file of files) findings += lintPolicyFile(file.name, file.text).length;
  const elapsed = performance.now() - started;
  const perFile = elapsed / files.length;
  const report = `[bench] policy lint: ${files.length} files, ${(bytes / files.length / 1024).toFixed(1)} KiB average, ${elapsed.toFixed(0)} ms total, ${perFile.toFixed(3)} ms per file, ${findings} findings`;
  t.diagnostic(report);
  console.log(report);
  assert.ok(findings > 0);
});
