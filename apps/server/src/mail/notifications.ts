import type { Db } from '../db/database.js';
import { mailNotificationRepository } from '../repositories/mail-notification-repository.js';
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
      const organisation = await mailNotificationRepository.organisationName(this.deps.db, invitation.organisationId);
      const inviter = await mailNotificationRepository.inviter(this.deps.db, inviterId);
      return templates.invitation(this.deps.settings.brand, {
        to,
        organisation: organisation ?? invitation.organisationId,
        inviter: inviter?.name ?? inviter?.email ?? 'Someone',
        role: invitation.role,
        url: invitation.url,
        expiresAt: new Date(invitation.expiresAt),
      });
    });
  }

  licenseKey(license: { id: string; key: string }, to: string): void {
    this.#background('license key', async () => {
      const row = await mailNotificationRepository.licenseFacts(this.deps.db, license.id);
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
