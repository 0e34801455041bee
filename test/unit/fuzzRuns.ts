/**
 * The one place fuzz and property tests read how many cases to run. `npm test` runs a quick count; `npm run
 * test:fuzz` sets FUZZ_RUNS=100000. A value that is not a positive integer fails loudly instead of silently
 * running the default (or NaN, which fast-check would treat as "use its own default").
 */
export const DEFAULT_FUZZ_RUNS = 2000;

export function fuzzRuns(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FUZZ_RUNS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_RUNS;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`FUZZ_RUNS must be a positive integer, got "${raw}"`);
  return Number(raw);
}

export const FUZZ_RUNS = fuzzRuns();
