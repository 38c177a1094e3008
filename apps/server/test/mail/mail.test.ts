import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { licenses } from '../../src/db/schema.js';
import { createMailer } from '../../src/mail/mailer.js';
import { RETRY_DELAYS_SECONDS } from '../../src/webhooks/retry-schedule.js';
import { asUser, newUser, personalOrg } from '../identity/support.js';
import { createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { Receiver } from '../webhooks/receiver.js';
import { startSmtpSink } from './smtp-sink.js';

describe('mail through SMTP', () => {
  let h: Harness;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await createHarness('postgres', {
      env: {
        LEASEHOLD_SMTP_URL: sink.url,
        LEASEHOLD_MAIL_FROM: 'Acme Licensing <licensing@vendor.example>',
        LEASEHOLD_MAIL_BRAND: 'Acme Licensing',
        LEASEHOLD_VENDOR_EMAIL: 'ops@vendor.example',
        LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.mails.length = 0;
  });

  it('sends an invitation naming the organisation and who invited, with the link', async () => {
    const owner = await newUser(h, 'Alice');
    const orgId = await personalOrg(h, owner);
    expectStatus(await h.admin('PATCH', `/organisations/${orgId}`, { name: 'Acme Robotics' }), 200);
    const invited = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/invitations`, { role: 'admin', email: 'bob@acme.example' }), 201);
    await h.services.mail.settled();
    const [mail] = await sink.waitFor(1);
    expect(mail?.to).toEqual(['bob@acme.example']);
    expect(mail?.from).toBe('licensing@vendor.example');
    expect(mail?.message).toContain('Subject: [Acme Licensing] Alice invited you to Acme Robotics');
    expect(mail?.message).toContain('Alice invited you to join Acme Robotics as an admin.');
    expect(mail?.message).toContain(invited.url);
    expect(mail?.message).toContain('text/html');
  });

  it('sends no invitation mail when the invitation names no address', async () => {
    const owner = await newUser(h, 'Carol');
    const orgId = await personalOrg(h, owner);
    expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/invitations`, { role: 'member' }), 201);
    await h.services.mail.settled();
    expect(sink.mails).toEqual([]);
  });

  it('mails the license key on creation when asked, and only then', async () => {
    const seed = await seedLicense(h);
    expect(sink.mails).toEqual([]);
    const created = expectStatus(
      await h.admin('POST', '/licenses', { organisationId: seed.organisationId, planId: seed.planId, sendKeyTo: 'it@acme.example' }),
      201,
    );
    await h.services.mail.settled();
    const [mail] = await sink.waitFor(1);
    expect(mail?.to).toEqual(['it@acme.example']);
    expect(mail?.message).toContain(created.key);
    expect(mail?.message).toContain('Subject: [Acme Licensing] Your license key for Test product');
    expectStatus(await h.admin('POST', '/licenses', { organisationId: seed.organisationId, planId: seed.planId, sendKeyTo: 'not an address' }), 400);
  });

  it("reminds the organisation's owners once before a license expires, and once after a payment failed", async () => {
    const owner = await newUser(h, 'Dora');
    const orgId = await personalOrg(h, owner);
    const seed = await seedLicense(h);
    const expiresAt = new Date(h.clock.now().getTime() + 3 * 86_400_000).toISOString();
    const expiring = expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: seed.planId, expiresAt }), 201);
    const unpaid = expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: seed.planId }), 201);
    await h.services.database.db.update(licenses).set({ paymentFailedAt: h.clock.now() }).where(eq(licenses.id, unpaid.id));
    expect(await h.services.reminders.send()).toBe(2);
    expect(await h.services.reminders.send(), 'each reminder once').toBe(0);
    const mails = await sink.waitFor(2);
    const expiry = mails.find((m) => m.message.includes(expiring.id));
    const payment = mails.find((m) => m.message.includes(unpaid.id));
    expect(expiry?.to).toEqual([owner.email]);
    expect(expiry?.message).toContain(`expires on ${expiresAt.slice(0, 10)}`);
    expect(payment?.to).toEqual([owner.email]);
    expect(payment?.message).toContain('Payment failed for Test product');
    expect(payment?.message).toContain('keeps working until 2030-01-08');

    // A day before the grace ends, one more; and each is in the audit log.
    sink.mails.length = 0;
    h.clock.advance(6 * 86_400);
    expect(await h.services.reminders.send()).toBe(1);
    const [grace] = await sink.waitFor(1);
    expect(grace?.to).toEqual([owner.email]);
    expect(grace?.message).toContain('Its grace ends on 2030-01-08');
    const audit = expectStatus(await h.admin('GET', `/audit?targetId=${unpaid.id}&action=license.grace-ending`), 200);
    expect(audit.data).toHaveLength(1);
    expect(expectStatus(await h.admin('GET', `/audit?targetId=${expiring.id}&action=license.expiring-soon`), 200).data).toHaveLength(1);
  });

  it('tries a reminder again at the next pass when the mail fails', async () => {
    const owner = await newUser(h, 'Erin');
    const orgId = await personalOrg(h, owner);
    const seed = await seedLicense(h);
    const expiresAt = new Date(h.clock.now().getTime() + 86_400_000).toISOString();
    expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: seed.planId, expiresAt }), 201);
    await sink.close();
    expect(await h.services.reminders.send(), 'the SMTP server is down').toBe(0);
    sink = await startSmtpSink(sink.port);
    expect(await h.services.reminders.send()).toBe(1);
    const [mail] = await sink.waitFor(1);
    expect(mail?.to).toEqual([owner.email]);
  });

  it('tells the vendor when its webhook endpoint is disabled', async () => {
    const receiver = await new Receiver().start();
    try {
      receiver.reply = () => 500;
      const created = expectStatus(await h.admin('POST', '/webhook-endpoints', { url: receiver.url, eventTypes: ['license.created'] }), 201);
      await seedLicense(h);
      await h.services.webhooks.runOnce();
      for (const delay of RETRY_DELAYS_SECONDS) {
        h.clock.advance(delay);
        await h.services.webhooks.runOnce();
      }
      await h.services.mail.settled();
      const mail = (await sink.waitFor(1)).find((m) => m.message.includes(created.id));
      expect(mail?.to).toEqual(['ops@vendor.example']);
      expect(mail?.message).toContain('A webhook endpoint was disabled');
      expect(mail?.message).toContain(receiver.url);
    } finally {
      await receiver.stop();
    }
  });
});

describe('mail about an organisation’s own webhook endpoint', () => {
  it('tells its owners when it is disabled', async () => {
    const sink = await startSmtpSink();
    const h = await createHarness('postgres', { env: { LEASEHOLD_SMTP_URL: sink.url, LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
    const receiver = await new Receiver().start();
    try {
      receiver.reply = () => 503;
      const owner = await newUser(h, 'Frank');
      const orgId = await personalOrg(h, owner);
      const created = expectStatus(
        await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/webhook-endpoints`, { url: receiver.url, eventTypes: ['license.created'] }),
        201,
      );
      const seed = await seedLicense(h);
      expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: seed.planId }), 201);
      await h.services.webhooks.runOnce();
      for (const delay of RETRY_DELAYS_SECONDS) {
        h.clock.advance(delay);
        await h.services.webhooks.runOnce();
      }
      await h.services.mail.settled();
      const [mail] = await sink.waitFor(1);
      expect(mail?.to).toEqual([owner.email]);
      expect(mail?.message).toContain(created.id);
      expect(mail?.message).toContain('answered 503');
    } finally {
      await receiver.stop();
      await h.close();
      await sink.close();
    }
  });
});

describe("a vendor's own templates", () => {
  it('replace the parts given, filled in with the facts (escaped in HTML), and keep the built-in rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-templates-'));
    writeFileSync(join(dir, 'invitation.subject.txt'), 'Join {{organisation}} on {{brand}}\n');
    writeFileSync(
      join(dir, 'invitation.html'),
      '<h1>{{inviter}} asks you to join {{organisation}}</h1><a href="{{url}}">Accept by {{expiresAt}}</a> {{unknown}}',
    );
    const sink = await startSmtpSink();
    const h = await createHarness('postgres', {
      env: { LEASEHOLD_SMTP_URL: sink.url, LEASEHOLD_MAIL_BRAND: 'Acme Licensing', LEASEHOLD_MAIL_TEMPLATES_DIR: dir },
    });
    try {
      const owner = await newUser(h, 'Grace');
      const orgId = await personalOrg(h, owner);
      expectStatus(await h.admin('PATCH', `/organisations/${orgId}`, { name: 'R&D <Lab>' }), 200);
      const invited = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/invitations`, { role: 'member', email: 'hal@acme.example' }), 201);
      await h.services.mail.settled();
      const [mail] = await sink.waitFor(1);
      expect(mail?.message).toContain('Subject: Join R&D <Lab> on Acme Licensing');
      expect(mail?.message).toContain('<h1>Grace asks you to join R&#38;D &#60;Lab&#62;</h1>');
      expect(mail?.message).toContain(`Accept by ${invited.expiresAt.slice(0, 10)}`);
      expect(mail?.message).toContain('{{unknown}}');
      // The text part was not replaced: the built-in one is sent.
      expect(mail?.message).toContain('Grace invited you to join R&D <Lab> as a member.');
    } finally {
      await h.close();
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mail without SMTP', () => {
  it('writes each mail to the log instead (development mode)', async () => {
    const lines: { entry: Record<string, unknown>; message: string }[] = [];
    const mailer = createMailer({ smtpUrl: null, from: 'x@example.test' }, (entry, message) => lines.push({ entry, message }));
    await mailer.send({ to: ['bob@acme.example'], subject: 'Hello', text: 'The text', html: '<p>The text</p>' });
    expect(lines).toEqual([
      { entry: { mail: { to: ['bob@acme.example'], subject: 'Hello', text: 'The text' } }, message: expect.stringContaining('development mode') },
    ]);
  });
});
