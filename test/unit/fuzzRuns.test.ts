import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FUZZ_RUNS, fuzzRuns } from './fuzzRuns';

test('FUZZ_RUNS: default when unset, the number when valid, an error otherwise', () => {
  assert.equal(fuzzRuns({}), DEFAULT_FUZZ_RUNS);
  assert.equal(fuzzRuns({ FUZZ_RUNS: '' }), DEFAULT_FUZZ_RUNS);
  assert.equal(fuzzRuns({ FUZZ_RUNS: '100000' }), 100_000);
  for (const bad of ['0', '-5', '1e5', 'abc', '10.5', '100k']) assert.throws(() => fuzzRuns({ FUZZ_RUNS: bad }), /positive integer/, bad);
});
