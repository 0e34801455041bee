/** The clock and timers a wall-clock timer uses; tests pass a fake one. */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How late a wall-clock timer may fire after the machine wakes up. */
export const WAKE_CHECK_MS = 30_000;

export interface WallClockTimer {
  cancel(): void;
}

/**
 * Runs `run` once the wall clock reaches `dueAt`. A plain setTimeout counts time the process is running: on a laptop
 * that sleeps, a token renewal due in 50 minutes fires 50 running minutes later, long after the token expired. This
 * timer waits in steps of at most `stepMs` and compares the wall clock at each one, so it fires at most `stepMs`
 * after the machine wakes up.
 */
export function runAtWallClock(dueAt: number, run: () => void, clock: Clock = systemClock, stepMs = WAKE_CHECK_MS): WallClockTimer {
  let handle: unknown;
  let cancelled = false;
  const arm = (): void => {
    const remaining = dueAt - clock.now();
    if (remaining <= 0) {
      run();
      return;
    }
    handle = clock.setTimeout(() => {
      if (!cancelled) arm();
    }, Math.min(remaining, stepMs));
  };
  arm();
  return {
    cancel: () => {
      cancelled = true;
      if (handle !== undefined) clock.clearTimeout(handle);
    },
  };
}
