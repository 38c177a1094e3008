import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seatWaiterRepository } from '../../src/repositories/seat-waiter-repository.js';
import { createRedisHarness } from '../redis/redis-support.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

// The seat queue in one process, on both stores: waiting for a seat, FIFO, newcomers
// behind waiters, places that lapse, and the plan's bound.
for (const store of ['sql', 'redis'] as const) {
  describe(`seat queue (${store} store)`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = store === 'sql' ? await createHarness('pglite') : await createRedisHarness();
    });
    afterAll(() => h?.close());

    const release = (creds: { sessionId: string; sessionSecret: string }) =>
      h.licensing('release', { sessionId: creds.sessionId, sessionSecret: creds.sessionSecret });

    it('a waiter gets the seat as soon as it is given back; a newcomer without wait is behind it', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const holder = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-holder')), 200);
      const started = Date.now();
      const waiting = h.licensing('acquire', acquireBody(seed, 'machine-waiter', { wait: 30, idempotencyKey: 'waiter-key-1' }));
      // Let it join the queue, then a newcomer asks without waiting.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const newcomer = await h.licensing('acquire', acquireBody(seed, 'machine-newcomer'));
      expect(newcomer.statusCode).toBe(409);
      expect(newcomer.json().detail).toMatch(/1 acquire is waiting ahead of you/);
      expectStatus(await release(holder), 200);
      const granted = expectStatus(await waiting, 200);
      expect(granted.licenseId).toBe(seed.licenseId);
      // Woken by the release, not by its next look a second later.
      expect(Date.now() - started).toBeLessThan(1_200);
      // The newcomer is still refused: the seat went to the waiter.
      expect((await h.licensing('acquire', acquireBody(seed, 'machine-newcomer'))).statusCode).toBe(409);
    });

    it('waiters are served in the order they came, each answer with its place while it waits', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      let holder = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-first')), 200);
      const order: string[] = [];
      const waiters = ['machine-w1', 'machine-w2', 'machine-w3'].map(async (name, i) => {
        await new Promise((resolve) => setTimeout(resolve, 150 * i));
        const answer = expectStatus(await h.licensing('acquire', acquireBody(seed, name, { wait: 30, idempotencyKey: `${name}-key` })), 200);
        order.push(name);
        return answer;
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      for (let i = 0; i < 3; i++) {
        expectStatus(await release(holder), 200);
        // The next waiter is granted; find it by polling the others' promises.
        holder = await Promise.race(waiters.filter((_, j) => j >= i));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(order).toEqual(['machine-w1', 'machine-w2', 'machine-w3']);
    });

    it('a hold ends with the place and a ticket; the ticket keeps the place, a ticket of another machine joins at the back', async () => {
      const seed = await seedLicense(h, { seats: 1, heartbeatIntervalSeconds: 5, leaseTtlSeconds: 60 });
      const holder = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-holder')), 200);
      const pending = h.licensing('acquire', acquireBody(seed, 'machine-ticket', { wait: 1 }));
      // The hold is measured on the server's clock: move it past the wait.
      await new Promise((resolve) => setTimeout(resolve, 200));
      h.clock.advance(2);
      const queued = await pending;
      expect(queued.statusCode).toBe(409);
      const place = queued.json().queue;
      expect(place).toMatchObject({ position: 1, waiting: 1, pollWithinSeconds: 5 });
      expect(place.ticket).toMatch(/^wtr_/);
      // Kept: another machine joins behind, then the ticket holder is served first.
      const behind = h.licensing('acquire', acquireBody(seed, 'machine-behind', { wait: 30 }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const again = h.licensing('acquire', acquireBody(seed, 'machine-ticket', { wait: 30, queueTicket: place.ticket }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expectStatus(await release(holder), 200);
      const first = expectStatus(await again, 200);
      expect((await Promise.race([behind.then(() => 'served'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))])) as string).toBe(
        'waiting',
      );
      expectStatus(await release(first), 200);
      expectStatus(await behind, 200);
      // A ticket of another machine does not hold a place: it joins at the back.
      const foreign = h.licensing('acquire', acquireBody(seed, 'machine-other', { wait: 1, queueTicket: place.ticket }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      h.clock.advance(2);
      expect((await foreign).json().queue.ticket).not.toBe(place.ticket);
    });

    it('the plan bounds the wait, and a plan without a queue answers at once', async () => {
      const off = await seedLicense(h, { seats: 1, maxQueueWaitSeconds: 0 });
      expectStatus(await h.licensing('acquire', acquireBody(off, 'machine-holder')), 200);
      const started = Date.now();
      const refused = await h.licensing('acquire', acquireBody(off, 'machine-waiter', { wait: 30 }));
      expect(refused.statusCode).toBe(409);
      expect(refused.json().queue).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('linger: a released seat stays held back for the same machine; another machine is refused or waits until it lapses', async () => {
      const seed = await seedLicense(h, { seats: 1, seatBasis: 'machine', lingerSeconds: 30 });
      const first = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-looping')), 200);
      expectStatus(await release(first), 200);
      // Between two runs of the same tool: someone else asks.
      const other = await h.licensing('acquire', acquireBody(seed, 'machine-other'));
      expect(other.statusCode).toBe(409);
      // The same machine takes it again within the window, and the linger is spent.
      const again = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-looping')), 200);
      expectStatus(await release(again), 200);
      // A waiter gets the seat once the new linger lapses.
      const waiting = h.licensing('acquire', acquireBody(seed, 'machine-other', { wait: 120 }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      h.clock.advance(31);
      expectStatus(await waiting, 200);
      const audit = await h.db.database.db.execute(
        sql`select action from audit_events where target_id = ${seed.licenseId} and action like 'seat.%' order by seq`,
      );
      expect((audit.rows as { action: string }[]).map((r) => r.action)).toEqual([
        'seat.lingering',
        'seat.queue-left',
        'seat.lingering',
        'seat.queued',
        'seat.queue-left',
        'seat.queue-left',
      ]);
    });

    it('priorities: where the plan has them, a high-priority waiter goes before a low one that came first', async () => {
      const seed = await seedLicense(h, { seats: 1, queuePriorities: true });
      const holder = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-holder')), 200);
      const served: string[] = [];
      const low = h.licensing('acquire', acquireBody(seed, 'machine-low', { wait: 60, priority: 'low' })).then((a) => {
        served.push('low');
        return expectStatus(a, 200);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const high = h.licensing('acquire', acquireBody(seed, 'machine-high', { wait: 60, priority: 'high' })).then((a) => {
        served.push('high');
        return expectStatus(a, 200);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expectStatus(await release(holder), 200);
      expectStatus(await release(await high), 200);
      await low;
      expect(served).toEqual(['high', 'low']);
    });

    it('newcomers arriving together share one count of the line, and each is behind a waiter that joined before it asked', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const other = await seedLicense(h, { seats: 5 });
      const holder = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-holder')), 200);
      const waiting = h.licensing('acquire', acquireBody(seed, 'machine-waiter', { wait: 30 }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const statements = [vi.spyOn(seatWaiterRepository, 'openCounts'), vi.spyOn(seatWaiterRepository, 'counts')];
      try {
        const answers = await Promise.all([
          ...Array.from({ length: 12 }, (_, i) => h.licensing('acquire', acquireBody(seed, `machine-newcomer-${i}`))),
          ...Array.from({ length: 4 }, (_, i) => h.licensing('acquire', acquireBody(other, `machine-other-${i}`))),
        ]);
        for (const answer of answers.slice(0, 12)) expect(answer.json().detail).toMatch(/1 acquire is waiting ahead of you/);
        for (const answer of answers.slice(12)) expectStatus(answer, 200);
        // The embedded database knows the quiet licenses without asking at all.
        if (store === 'redis') expect(statements[0]!.mock.calls.length + statements[1]!.mock.calls.length).toBeLessThanOrEqual(3);
      } finally {
        for (const spy of statements) spy.mockRestore();
      }
      expectStatus(await release(holder), 200);
      expectStatus(await waiting, 200);
    });

    it('refuses a malformed ticket and wait with 400, changing nothing', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      for (const extra of [{ wait: -1 }, { wait: 'soon' }, { queueTicket: 'wtr_nope' }, { queueTicket: 'ses_01jf4a2d4f6h8k0m2p4r6t8v0x' }]) {
        expect((await h.licensing('acquire', acquireBody(seed, 'machine-bad', extra))).statusCode).toBe(400);
      }
      expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-good')), 200);
    });
  });
}
