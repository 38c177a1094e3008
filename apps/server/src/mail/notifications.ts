import { eq } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { licenses, organisations, plans, products, users } from '../db/schema.js';
import { ownerRepository } from '../repositories/owner-repository.js';
import type { Mail, Mailer, MailLog } from './mailer.js';
import { type Brand, templates } from './templates.js';

export interface MailSettings {
  brand: Brand;
  /** Who hears about the vendor's own webhook endpoints. */
  vendorEmail: string | null;
}

/**
 * The mails Leasehold sends about a request or an event: to people it invites, to whoever
 * asked for a license key, and about a webhook endpoint that was disabled (reminders are in
 * reminders.ts). They are sent after the commit without holding up the answer; a failure
 * is logged, never answered.
 */
export class MailNotifications {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly deps: { db: Db; mailer: Mailer; log: MailLog; settings: MailSettings }) {}

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
        ? await ownerRepository.ownerEmails(this.deps.db, endpoint.organisationId)
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

  /** Resolves once every mail started so far is sent or has failed (for tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  #background(what: string, build: () => Promise<Mail | null>): void {
    const work = build()
      .then((mail) => (mail ? this.deps.mailer.send(mail) : undefined))
      .catch((error: unknown) => this.deps.log({ err: error }, `${what} mail failed`))
      .finally(() => this.#pending.delete(work));
    this.#pending.add(work);
  }
}
