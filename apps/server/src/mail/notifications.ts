import { and, eq, gt, isNotNull, lte } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { licenses, mailReminders, memberships, organisations, plans, products, users } from '../db/schema.js';
import type { Mail, Mailer, MailLog } from './mailer.js';
import { type Brand, templates } from './templates.js';

const DAY_MS = 86_400_000;

export interface MailSettings {
  brand: Brand;
  /** Who hears about the vendor's own webhook endpoints. */
  vendorEmail: string | null;
  expiryReminderDays: number;
  graceDays: number;
}

/**
 * The mails Leasehold sends: to people it invites, to whoever asked for a license key,
 * to an organisation's owners before its license expires and after a payment fails,
 * and about a webhook endpoint that was disabled. Mails for a request are sent after
 * its commit without holding up the answer; a failure is logged, never answered.
 */
export class MailNotifications {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly deps: { db: Db; clock: Clock; mailer: Mailer; log: MailLog; settings: MailSettings }) {}

  invitation(invitation: { organisationId: string; email: string | null; role: string; url: string; expiresAt: string }, inviterId: string): void {
    const to = invitation.email;
    if (!to) return;
    this.#background('invitation', async () => {
      const [org] = await this.deps.db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, invitation.organisationId));
      const [inviter] = await this.deps.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, inviterId));
      return templates.invitation(this.deps.settings.brand, {
        to,
        organisation: org?.name ?? invitation.organisationId,
        inviter: inviter?.name ?? inviter?.email ?? 'Someone',
        role: invitation.role,
        url: invitation.url,
        expiresAt: new Date(invitation.expiresAt),
      });
    });
  }

  licenseKey(license: { id: string; key: string }, to: string): void {
    this.#background('license key', async () => {
      const [row] = await this.deps.db
        .select({ organisation: organisations.name, product: products.name, plan: plans.name, expiresAt: licenses.expiresAt })
        .from(licenses)
        .innerJoin(organisations, eq(organisations.id, licenses.organisationId))
        .innerJoin(products, eq(products.id, licenses.productId))
        .innerJoin(plans, eq(plans.id, licenses.planId))
        .where(eq(licenses.id, license.id));
      if (!row) return null;
      return templates.licenseKey(this.deps.settings.brand, { to, ...row, key: license.key });
    });
  }

  webhookDisabled(endpoint: { id: string; url: string; organisationId: string | null; disabledReason: string | null }): void {
    this.#background('webhook disabled', async () => {
      const to = endpoint.organisationId
        ? await this.#owners(endpoint.organisationId)
        : [this.deps.settings.vendorEmail].filter((e): e is string => e !== null);
      if (to.length === 0) return null;
      return templates.webhookDisabled(this.deps.settings.brand, {
        to,
        endpointId: endpoint.id,
        url: endpoint.url,
        reason: endpoint.disabledReason ?? 'it kept failing',
      });
    });
  }

  /**
   * Reminders on a schedule (the reaper's pass): owners hear once per expiry date that an
   * active license expires within the configured days, and once per failed payment, with
   * the day its grace ends. Each reminder is recorded in the transaction that sends it: a mail that
   * fails is tried again at the next pass, and replicas do not send one twice.
   */
  async sendReminders(): Promise<number> {
    const now = this.deps.clock.now();
    const { expiryReminderDays, graceDays } = this.deps.settings;
    const licenseFacts = { id: licenses.id, organisationId: licenses.organisationId, organisation: organisations.name, product: products.name };
    const expiring = await this.deps.db
      .select({ ...licenseFacts, about: licenses.expiresAt })
      .from(licenses)
      .innerJoin(organisations, eq(organisations.id, licenses.organisationId))
      .innerJoin(products, eq(products.id, licenses.productId))
      .where(and(eq(licenses.status, 'active'), gt(licenses.expiresAt, now), lte(licenses.expiresAt, new Date(now.getTime() + expiryReminderDays * DAY_MS))));
    const unpaid = await this.deps.db
      .select({ ...licenseFacts, about: licenses.paymentFailedAt })
      .from(licenses)
      .innerJoin(organisations, eq(organisations.id, licenses.organisationId))
      .innerJoin(products, eq(products.id, licenses.productId))
      .where(and(eq(licenses.status, 'active'), isNotNull(licenses.paymentFailedAt)));
    let sent = 0;
    for (const [kind, rows] of [
      ['expiry', expiring],
      ['payment-failed', unpaid],
    ] as const) {
      for (const row of rows) {
        if (!row.about) continue;
        const about = row.about;
        const to = await this.#owners(row.organisationId);
        if (to.length === 0) continue;
        const mail =
          kind === 'expiry'
            ? templates.expiryReminder(this.deps.settings.brand, {
                to,
                organisation: row.organisation,
                product: row.product,
                licenseId: row.id,
                expiresAt: about,
              })
            : templates.paymentFailed(this.deps.settings.brand, {
                to,
                organisation: row.organisation,
                product: row.product,
                licenseId: row.id,
                graceUntil: new Date(about.getTime() + graceDays * DAY_MS),
              });
        const delivered = await this.deps.db
          .transaction(async (tx) => {
            const [claimed] = await tx.insert(mailReminders).values({ licenseId: row.id, kind, about, sentAt: now }).onConflictDoNothing().returning();
            if (!claimed) return false;
            await this.deps.mailer.send(mail);
            return true;
          })
          .catch((error: unknown) => {
            this.deps.log({ err: error, licenseId: row.id, kind }, 'reminder mail failed; tried again at the next pass');
            return false;
          });
        if (delivered) sent += 1;
      }
    }
    return sent;
  }

  /** Resolves once every mail started so far is sent or has failed (for tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #owners(organisationId: string): Promise<string[]> {
    const rows = await this.deps.db
      .select({ email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'owner'), isNotNull(users.email)));
    return rows.map((r) => r.email).filter((e): e is string => e !== null);
  }

  #background(what: string, build: () => Promise<Mail | null>): void {
    const work = build()
      .then((mail) => (mail ? this.deps.mailer.send(mail) : undefined))
      .catch((error: unknown) => this.deps.log({ err: error }, `${what} mail failed`))
      .finally(() => this.#pending.delete(work));
    this.#pending.add(work);
  }
}
