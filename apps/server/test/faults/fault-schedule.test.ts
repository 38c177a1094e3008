import { describe, expect, it } from 'vitest';
import { runFaultSchedule } from './fault-schedule.js';
import { canMakePostgres } from './throwaway-postgres.js';

// A short schedule in the test command; `npm run bench` runs longer ones with several seeds
// (FAULT_SEEDS=1,2,3 FAULT_SECONDS=40 FAULT_RESTART_POSTGRES=1).
const seeds = (process.env.FAULT_SEEDS ?? '8').split(',').map(Number);
const seconds = Number(process.env.FAULT_SECONDS ?? 6);
// PostgreSQL restarts need a throwaway cluster (initdb: seconds more), so only when asked (the bench does).
const restartPostgres = process.env.FAULT_RESTART_POSTGRES === '1' && canMakePostgres;

describe('seat promise under a seeded fault schedule: three replicas, Redis flushed, stopped and paused, replicas killed, the signer failing', () => {
  for (const seed of seeds) {
    it(
      `seed ${seed}: never more holders than seats, every acknowledged grant recorded, audit intact, reconciler agrees`,
      async () => {
        const result = await runFaultSchedule({ seed, seconds, clients: 24, seats: 8, restartPostgres });
        console.log(JSON.stringify(result));
        expect(result.faults.length).toBeGreaterThanOrEqual(2);
        expect(result.grants).toBeGreaterThanOrEqual(8);
        expect(result.peakHolders).toBeLessThanOrEqual(result.seats);
        // Every fault is a dependency down: answered 503 (or a refusal), never a server error.
        expect(Object.keys(result.answers).filter((answer) => /\b5\d\d$/.test(answer) && !answer.endsWith(' 503'))).toEqual([]);
        expect(result.unrecorded).toEqual([]);
        expect(result.auditIntact).toBe(true);
        expect(result.reconcilerAfter).toMatch(/: 0 sessions only Redis held, 0 PostgreSQL held/);
      },
      (seconds + 90) * 1000,
    );
  }
});
