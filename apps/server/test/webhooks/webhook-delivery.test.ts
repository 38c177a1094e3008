import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAudit } from '../../src/audit/audit-log.js';
import { systemContext } from '../../src/kernel/request-context.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS } from '../../src/webhooks/retry-schedule.js';
import { documentValidator, fetchDocument } from '../openapi/support.js';
import { DRIVERS } from '../support/databases.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { type Received, Receiver } from './receiver.js';

const ALL_LICENSE_EVENTS = [
  'license.created',
  'license.updated',
  'license.suspended',
  'license.reinstated',
  'license.revoked',
  'license.renewed',
  'seat.granted',
];

/** Verifies with the independent Standard Webhooks library, whose clock is the wall clock: it is set to the server's for the check. */
function verify(secret: string, received: Received, at: Date): unknown {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(at);
    return new Webhook(secret).verify(received.body, received.headers as Record<string, string>);
  } finally {
    vi.useRealTimers();
  }
}

describe.each(DRIVERS)('outgoing webhooks (%s)', (driver) => {
  let h: Harness;
  let receiver: Receiver;

  beforeAll(async () => {
    h = await createHarness(driver, { env: { LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', LEASEHOLD_WEBHOOKS_TIMEOUT_MS: '1500' } });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await receiver?.stop();
  });

  async function endpoint(eventTypes: string[] = ALL_LICENSE_EVENTS, extra: Record<string, unknown> = {}) {
    receiver = await new Receiver().start();
    return expectStatus(await h.admin('POST', '/webhook-endpoints', { url: receiver.url, eventTypes, ...extra }), 201);
  }
  const run = () => h.services.webhooks.runOnce();

  it('sends a committed change once, signed so the Standard Webhooks library verifies it', async () => {
    const created = await endpoint();
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const shown = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}`), 200);
    expect(shown.secret).toBeUndefined();

    const seed = await seedLicense(h);
    await run();
    await run();
    expect(receiver.received).toHaveLength(1);
    const [received] = receiver.received as [Received];
    const payload = verify(created.secret, received, h.clock.now()) as { type: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({
      type: 'license.created',
      timestamp: '2030-01-01T00:00:00.000Z',
      data: { licenseId: seed.licenseId, organisationId: seed.organisationId },
    });
    expect(received.headers['webhook-id']).toBe(payload.data.eventId);
    expect(received.headers['webhook-id']).toMatch(/^evt_/);
    // The body is what the OpenAPI document's `webhooks` section says it is.
    const matchesDocument = documentValidator(await fetchDocument(h))('/components/schemas/WebhookEvent');
    expect(matchesDocument(payload), JSON.stringify(matchesDocument.errors)).toBe(true);
    // A wrong secret does not verify: the check can fail.
    expect(() => verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', received, h.clock.now())).toThrow(/signature/);

    const log = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`), 200);
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, eventType: 'license.created' });
    expect(log.data[0].lastLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('retries after a 500 and after a timeout, with backoff, and logs every attempt', async () => {
    const created = await endpoint();
    let calls = 0;
    receiver.reply = () => {
      calls += 1;
      return calls === 1 ? 500 : calls === 2 ? 'hang' : 204;
    };
    await seedLicense(h);
    await run();
    expect(calls).toBe(1);
    await run();
    expect(calls, 'not before the backoff').toBe(1);
    h.clock.advance(RETRY_DELAYS_SECONDS[0] as number);
    await run();
    expect(calls).toBe(2);
    h.clock.advance(RETRY_DELAYS_SECONDS[1] as number);
    await run();
    expect(calls).toBe(3);
    const [delivery] = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`), 200).data;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    const detail = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries/${delivery.id}`), 200);
    const attempts = await h.services.metrics.registry.getSingleMetricAsString('leasehold_webhook_attempts_total');
    expect(attempts).toMatch(/outcome="retry"} [1-9]/);
    expect(attempts).toMatch(/outcome="delivered"} [1-9]/);
    expect(detail.log.map((a: { statusCode: number | null }) => a.statusCode)).toEqual([500, null, 204]);
    expect(detail.log[1].error).toMatch(/no answer within 1500 ms/);
    // Every attempt carried the same webhook-id, so the receiver can deduplicate.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it("keeps each license's events in order: a later one waits while an earlier one is pending", async () => {
    await endpoint();
    let failFirst = true;
    receiver.reply = () => {
      if (failFirst) {
        failFirst = false;
        return 503;
      }
      return 200;
    };
    const seed = await seedLicense(h);
    for (const action of ['suspend', 'reinstate', 'revoke']) expectStatus(await h.admin('POST', `/licenses/${seed.licenseId}/${action}`, {}), 200);
    await run();
    expect(receiver.events().map((e) => e.type)).toEqual(['license.created']);
    h.clock.advance(5);
    await run();
    expect(receiver.events().map((e) => e.type)).toEqual(['license.created', 'license.created', 'license.suspended', 'license.reinstated', 'license.revoked']);
  });

  it('two passes at once send each delivery once', async () => {
    await endpoint();
    for (let i = 0; i < 5; i++) await seedLicense(h);
    await Promise.all([run(), run(), run()]);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  // Only on PostgreSQL: PGlite runs one transaction at a time, so no pass can run beside an open one there.
  const concurrently = driver === 'postgres' ? it : (_name: string, _test: () => Promise<void>) => {};
  concurrently('an event whose transaction commits while a pass runs is sent by the next pass, not skipped (PostgreSQL)', async () => {
    await endpoint();
    const seed = await seedLicense(h);
    await run();
    receiver.received.length = 0;
    let appended: () => void = () => {};
    let commit: () => void = () => {};
    const wasAppended = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const mayCommit = new Promise<void>((resolve) => {
      commit = resolve;
    });
    const event = { action: 'license.suspended', organisationId: seed.organisationId, targetType: 'license', targetId: seed.licenseId, data: {} };
    const open = h.services.database.db.transaction(async (tx) => {
      await appendAudit(tx, systemContext('test'), h.clock.now(), [event]);
      appended();
      await mayCommit;
    });
    await wasAppended;
    await run();
    expect(receiver.received).toHaveLength(0);
    commit();
    await open;
    await run();
    expect(receiver.events().map((e) => e.type)).toEqual(['license.suspended']);
  });

  it('sends nothing for a change that rolled back, and the committed one after it', async () => {
    await endpoint();
    const seed = await seedLicense(h);
    await run();
    receiver.received.length = 0;
    const { db } = h.services.database;
    const ctx = systemContext('test');
    const event = (action: string) => ({ action, organisationId: seed.organisationId, targetType: 'license', targetId: seed.licenseId, data: {} });
    await expect(
      db.transaction(async (tx) => {
        await appendAudit(tx, ctx, h.clock.now(), [event('license.suspended')]);
        throw new Error('the change fails after its audit event');
      }),
    ).rejects.toThrow(/fails/);
    await db.transaction((tx) => appendAudit(tx, ctx, h.clock.now(), [event('license.revoked')]));
    await run();
    expect(receiver.events().map((e) => e.type)).toEqual(['license.revoked']);
  });

  it('a receiver down for an hour still gets every event, in order per license', async () => {
    await endpoint();
    await receiver.stop();
    const seeds = [await seedLicense(h), await seedLicense(h)];
    for (let minute = 0; minute < 60; minute++) {
      if (minute % 15 === 0)
        for (const seed of seeds) expectStatus(await h.admin('POST', `/licenses/${seed.licenseId}/${minute % 30 === 0 ? 'suspend' : 'reinstate'}`, {}), 200);
      await run();
      h.clock.advance(60);
    }
    expect(receiver.received).toHaveLength(0);
    await receiver.start();
    // The longest wait after an hour of failures is below two hours.
    for (let i = 0; i < 12 && receiver.received.length < 10; i++) {
      h.clock.advance(900);
      await run();
    }
    const events = receiver.events();
    expect(events).toHaveLength(10);
    for (const seed of seeds) {
      expect(events.filter((e) => e.data.licenseId === seed.licenseId).map((e) => e.type)).toEqual([
        'license.created',
        'license.suspended',
        'license.reinstated',
        'license.suspended',
        'license.reinstated',
      ]);
    }
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const created = await endpoint();
    const rotated = expectStatus(await h.admin('POST', `/webhook-endpoints/${created.id}/rotate-secret`), 200);
    expect(rotated.secret).not.toBe(created.secret);
    await seedLicense(h);
    await run();
    const [first] = receiver.received as [Received];
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    verify(created.secret, first, h.clock.now());
    verify(rotated.secret, first, h.clock.now());
    h.clock.advance(24 * 3600 + 1);
    await seedLicense(h);
    await run();
    const second = receiver.received[1] as Received;
    verify(rotated.secret, second, h.clock.now());
    expect(() => verify(created.secret, second, h.clock.now())).toThrow(/signature/);
  });

  it('keeps the log of finished deliveries for 30 days', async () => {
    const created = await endpoint();
    await seedLicense(h);
    await run();
    const log = () => h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`);
    h.clock.advance(29 * 86_400);
    await h.services.webhooks.deliveries.purge();
    expect(expectStatus(await log(), 200).data).toHaveLength(1);
    h.clock.advance(2 * 86_400);
    expect(await h.services.webhooks.deliveries.purge()).toBeGreaterThanOrEqual(1);
    expect(expectStatus(await log(), 200).data).toHaveLength(0);
  });

  it('redelivers on demand with the same webhook-id', async () => {
    const created = await endpoint();
    await seedLicense(h);
    await run();
    const [delivery] = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`), 200).data;
    const again = expectStatus(await h.admin('POST', `/webhook-endpoints/${created.id}/deliveries/${delivery.id}/redeliver`), 200);
    expect(again).toMatchObject({ status: 'pending', attempts: 0 });
    await run();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);
  });

  it('disables an endpoint after a day of failures, and stops sending to it', async () => {
    const created = await endpoint();
    receiver.reply = () => 500;
    await seedLicense(h);
    await run();
    for (const delay of RETRY_DELAYS_SECONDS) {
      h.clock.advance(delay);
      await run();
    }
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    const total = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total / 3600).toBeGreaterThan(20);
    expect(total / 3600).toBeLessThan(36);
    const shown = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}`), 200);
    expect(shown).toMatchObject({ status: 'disabled' });
    expect(shown.disabledReason).toMatch(/every attempt failed/);
    const [delivery] = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`), 200).data;
    expect(delivery).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null });
    const audit = expectStatus(await h.admin('GET', `/audit?action=webhook-endpoint.disabled&targetId=${created.id}`), 200);
    expect(audit.data).toHaveLength(1);
    await seedLicense(h);
    await run();
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
  });

  it('sends seat.near-capacity when a grant brings a license to 80 % of its seats, with a webhook-id of its own', async () => {
    await endpoint(['seat.granted', 'seat.near-capacity']);
    const seed = await seedLicense(h, { seats: 5 });
    for (let i = 0; i < 5; i++) expectStatus(await h.licensing('acquire', acquireBody(seed, `near-capacity-machine-${i}`)), 200);
    await run();
    const events = receiver.events();
    expect(events.map((e) => e.type)).toEqual(['seat.granted', 'seat.granted', 'seat.granted', 'seat.granted', 'seat.near-capacity', 'seat.granted']);
    const near = receiver.received[4] as Received;
    expect(JSON.parse(near.body).data.details).toMatchObject({ seatsUsed: 4, seatsTotal: 5 });
    expect(near.headers['webhook-id']).toBe(`${receiver.received[3]?.headers['webhook-id']}.near-capacity`);
  });

  it('sends license.expiring-soon from the reminder pass', async () => {
    await endpoint(['license.expiring-soon']);
    const seed = await seedLicense(h, {}, { expiresAt: new Date(h.clock.now().getTime() + 2 * 86_400_000).toISOString() });
    await h.services.reminders.send();
    await run();
    expect(receiver.events()).toEqual([
      expect.objectContaining({
        type: 'license.expiring-soon',
        data: expect.objectContaining({ licenseId: seed.licenseId, details: expect.objectContaining({ daysLeft: 2 }) }),
      }),
    ]);
  });

  it("an organisation's endpoint gets only its own events", async () => {
    const mine = await seedLicense(h);
    const created = await endpoint(ALL_LICENSE_EVENTS, { organisationId: mine.organisationId });
    expect(created.organisationId).toBe(mine.organisationId);
    await seedLicense(h);
    expectStatus(await h.admin('POST', `/licenses/${mine.licenseId}/suspend`, {}), 200);
    await run();
    expect(receiver.events().map((e) => [e.type, e.data.licenseId])).toEqual([['license.suspended', mine.licenseId]]);
  });
});
