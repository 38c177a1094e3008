import { describe, expect, it } from 'vitest';
import { backgroundTimers, HeartbeatScheduler, type Timers } from '../src/lease/heartbeat-scheduler.js';

/** Timers on a hand-moved clock: `advance` runs what has come due, in order. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    setTimer: (run, delayMs) => {
      const id = next++;
      due.set(id, { at: now + delayMs, run });
      return id;
    },
    clearTimer: (handle) => void due.delete(handle as number),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const [id, timer] = [...due].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0] ?? [];
      if (id === undefined || !timer) break;
      due.delete(id);
      now = timer.at;
      timer.run();
    }
    now = until;
  };
  return { timers, advance, pendingCount: () => due.size };
}

describe('the heartbeat scheduler', () => {
  it('runs the heartbeat once, when it comes due', () => {
    const { timers, advance } = manualTimers();
    const runs: number[] = [];
    const scheduler = new HeartbeatScheduler(() => runs.push(1), timers);
    scheduler.after(60_000);
    expect(scheduler.pending).toBe(true);
    advance(59_999);
    expect(runs).toHaveLength(0);
    advance(1);
    expect(runs).toHaveLength(1);
    expect(scheduler.pending).toBe(false);
    advance(600_000);
    expect(runs).toHaveLength(1);
  });

  it('keeps one heartbeat pending: scheduling again replaces it', () => {
    const { timers, advance, pendingCount } = manualTimers();
    const runs: number[] = [];
    const scheduler = new HeartbeatScheduler(() => runs.push(1), timers);
    scheduler.after(60_000);
    scheduler.after(15_000);
    expect(pendingCount()).toBe(1);
    advance(15_000);
    expect(runs).toHaveLength(1);
    advance(60_000);
    expect(runs).toHaveLength(1);
  });

  it('lets the heartbeat schedule the next one', () => {
    const { timers, advance } = manualTimers();
    let runs = 0;
    const scheduler: HeartbeatScheduler = new HeartbeatScheduler(() => {
      runs++;
      scheduler.after(5000);
    }, timers);
    scheduler.after(5000);
    advance(20_000);
    expect(runs).toBe(4);
    expect(scheduler.pending).toBe(true);
  });

  it('cancels the pending heartbeat', () => {
    const { timers, advance, pendingCount } = manualTimers();
    const runs: number[] = [];
    const scheduler = new HeartbeatScheduler(() => runs.push(1), timers);
    scheduler.after(1000);
    scheduler.cancel();
    expect(scheduler.pending).toBe(false);
    expect(pendingCount()).toBe(0);
    advance(10_000);
    expect(runs).toHaveLength(0);
    scheduler.cancel();
  });

  it("by default uses Node's timers without keeping the process alive", async () => {
    const handle = backgroundTimers.setTimer(() => {}, 60_000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    backgroundTimers.clearTimer(handle);
    const ran = await new Promise<boolean>((resolve) => {
      new HeartbeatScheduler(() => resolve(true)).after(1);
      setTimeout(() => resolve(false), 1000);
    });
    expect(ran).toBe(true);
  });
});
