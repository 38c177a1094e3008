import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { systemContext } from '../kernel/request-context.js';
import { mailReminderRepository, type ReminderKind } from '../repositories/mail-reminder-repository.js';
import { ownerRepository } from '../repositories/owner-repository.js';
import type { Mailer, MailLog } from './mailer.js';
import { type Brand, templates } from './templates.js';

const DAY_MS = 86_400_000;

interface Due {
  kind: ReminderKind;
  id: string;
  organisationId: string;
  organisation: string;
  product: string;
  /** The moment the reminder is about: the expiry, or when the payment failed. */
  about: Date;
}

/**
 * Reminders on a schedule (the reaper's pass), each once per license and moment: before
 * a license expires (`LEASEHOLD_EXPIRY_REMINDER_DAYS`), when a payment failed, and a day
 * before its grace ends. A reminder is recorded, audited (so `license.expiring-soon` and
 * `billing.grace-ending` go out as webhooks) and mailed to the organisation's owners in one
 * transaction: a mail that fails rolls it back, to be tried again at the next pass, and
 * replicas never send one twice.
 */
export class Reminders {
  constructor(private readonly deps: { db: Db; clock: Clock; mailer: Mailer; log: MailLog; brand: Brand; expiryReminderDays: number; graceDays: number }) {}

  async send(): Promise<number> {
    let sent = 0;
    for (const due of await this.#due()) if (await this.#remind(due)) sent += 1;
    return sent;
  }

  async #due(): Promise<Due[]> {
    const now = this.deps.clock.now();
    const { db, expiryReminderDays, graceDays } = this.deps;
    const expiring =
      expiryReminderDays > 0 ? await mailReminderRepository.activeExpiringBetween(db, now, new Date(now.getTime() + expiryReminderDays * DAY_MS)) : [];
    const unpaid = await mailReminderRepository.activeWithPaymentFailed(db);
    const graceEndsBy = new Date(now.getTime() - (graceDays - 1) * DAY_MS);
    return [
      ...expiring.map((r) => ({ ...r, kind: 'expiry' as const, about: r.expiresAt as Date })),
      ...unpaid.map((r) => ({ ...r, kind: 'payment-failed' as const, about: r.paymentFailedAt as Date })),
      ...unpaid
        .filter((r) => graceDays > 0 && (r.paymentFailedAt as Date) <= graceEndsBy)
        .map((r) => ({ ...r, kind: 'grace-ending' as const, about: r.paymentFailedAt as Date })),
    ];
  }

  async #remind(due: Due): Promise<boolean> {
    const now = this.deps.clock.now();
    const graceUntil = new Date(due.about.getTime() + this.deps.graceDays * DAY_MS);
    return this.deps.db
      .transaction(async (tx) => {
        const claimed = await mailReminderRepository.claim(tx, { licenseId: due.id, kind: due.kind, about: due.about, sentAt: now });
        if (!claimed) return false;
        const audited =
          due.kind === 'expiry'
            ? {
                action: 'license.expiring-soon',
                data: { expiresAt: due.about.toISOString(), daysLeft: Math.ceil((due.about.getTime() - now.getTime()) / DAY_MS) },
              }
            : due.kind === 'grace-ending'
              ? { action: 'license.grace-ending', data: { paymentFailedAt: due.about.toISOString(), graceUntil: graceUntil.toISOString() } }
              : null;
        if (audited)
          await appendAudit(tx, systemContext('reminders'), now, [{ ...audited, organisationId: due.organisationId, targetType: 'license', targetId: due.id }]);
        const to = await ownerRepository.ownerEmails(tx, due.organisationId);
        if (to.length > 0) await this.deps.mailer.send(this.#mail(due, to, graceUntil));
        return true;
      })
      .catch((error: unknown) => {
        this.deps.log({ err: error, licenseId: due.id, kind: due.kind }, 'reminder failed; tried again at the next pass');
        return false;
      });
  }

  #mail(due: Due, to: string[], graceUntil: Date) {
    const facts = { to, organisation: due.organisation, product: due.product, licenseId: due.id };
    if (due.kind === 'expiry') return templates.expiryReminder(this.deps.brand, { ...facts, expiresAt: due.about });
    if (due.kind === 'payment-failed') return templates.paymentFailed(this.deps.brand, { ...facts, graceUntil });
    return templates.graceEnding(this.deps.brand, { ...facts, graceUntil });
  }
}
