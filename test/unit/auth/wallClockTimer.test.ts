import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAtWallClock, type Clock } from '../../../src/auth/wallClockTimer';

/**
 * A machine whose wall clock and timer clock can drift apart, as they do across sleep: timers count running time
 * only, `now()` is the wall clock.
 */
class SleepyMachine implements Clock {
  wall = Date.UTC(2026, 10, 22, 9, 0, 0);
  private running = 0;
  private timers: { at: number; run: () => void; id: number }[] = [];
  private nextId = 1;

  now = () => this.wall;
  setTimeout = (run: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.running + ms, run, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };

  /** Runs for `ms`: both clocks advance and due timers fire in order. */
  runFor(ms: number): void {
    const end = this.running + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.wall += next.at - this.running;
      this.running = next.at;
      next.run();
    }
    this.wall += end - this.running;
    this.running = end;
  }

  /** Sleeps for `ms`: the wall clock moves on, timers do not. */
  sleep(ms: number): void {
    this.wall += ms;
  }

  pending(): number {
    return this.timers.length;
  }
}

const MINUTE = 60_000;

describe('runAtWallClock', () => {
  it('fires at the due time on a machine that stays awake', () => {
    const machine = new SleepyMachine();
    const dueAt = machine.now() + 50 * MINUTE;
    let firedAt: number | undefined;
    runAtWallClock(dueAt, () => (firedAt = machine.now()), machine);
    machine.runFor(50 * MINUTE - 1);
    assert.equal(firedAt, undefined);
    machine.runFor(1);
    assert.equal(firedAt, dueAt);
    assert.equal(machine.pending(), 0);
  });

  it('fires within the wake check after a sleep that passed the due time, where setTimeout would wait on', () => {
    const machine = new SleepyMachine();
    const dueAt = machine.now() + 50 * MINUTE;
    let fired = 0;
    let plainFired = 0;
    runAtWallClock(dueAt, () => fired++, machine, 30_000);
    machine.setTimeout(() => plainFired++, 50 * MINUTE);
    machine.runFor(10 * MINUTE);
    machine.sleep(2 * 60 * MINUTE);
    machine.runFor(30_000);
    assert.equal(fired, 1, 'the renewal should run within 30 s of waking up');
    assert.equal(plainFired, 0, 'a plain timer is still 40 running minutes away');
  });

  it('waits on when the wall clock is set back, and never fires after cancel', () => {
    const machine = new SleepyMachine();
    let fired = 0;
    const timer = runAtWallClock(machine.now() + 5 * MINUTE, () => fired++, machine, 30_000);
    machine.runFor(4 * MINUTE);
    machine.sleep(-10 * MINUTE);
    machine.runFor(2 * MINUTE);
    assert.equal(fired, 0);
    timer.cancel();
    machine.runFor(60 * MINUTE);
    assert.equal(fired, 0);
    assert.equal(machine.pending(), 0);
  });

  it('runs at once when already due', () => {
    const machine = new SleepyMachine();
    let fired = 0;
    runAtWallClock(machine.now() - 1, () => fired++, machine);
    assert.equal(fired, 1);
    assert.equal(machine.pending(), 0);
  });
});
