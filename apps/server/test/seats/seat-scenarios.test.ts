import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisHarness } from '../redis/redis-support.js';
import { createHarness, type Harness } from '../support/harness.js';
import { expected, type Observed, runOnStore, SCENARIOS, SeatModel } from './seat-scenarios.js';

/** Keeps only what the table states, so a runner's extra facts do not count as drift. */
const asStated = (observed: (Observed | null)[], wanted: (Observed | null)[]) =>
  observed.map((o, i) => {
    const w = wanted[i];
    if (!w || !o) return o && w ? o : null;
    return { result: o.result, ...(w.used !== undefined ? { used: o.used } : {}), ...(w.leaseEndsIn !== undefined ? { leaseEndsIn: o.leaseEndsIn } : {}) };
  });

describe('seat scenarios: the pure rules', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, () => {
      const model = new SeatModel(scenario.terms);
      const wanted = expected(scenario);
      expect(
        asStated(
          scenario.steps.map((s) => model.step(s)),
          wanted,
        ),
      ).toEqual(wanted);
    });
  }
});

for (const [name, make] of [
  ['sql store', () => createHarness('pglite')],
  ['redis store', () => createRedisHarness()],
] as const) {
  describe(`seat scenarios: ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close();
    });
    for (const scenario of SCENARIOS) {
      it(scenario.name, async () => {
        const wanted = expected(scenario);
        expect(asStated(await runOnStore(h, scenario), wanted)).toEqual(wanted);
      });
    }
  });
}
