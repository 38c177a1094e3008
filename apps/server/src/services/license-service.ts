import { newId } from '@leasehold/protocol/ids';
import type { CreateLicense, License, LicenseQuery, RenewLicense, UpdateLicense } from '@leasehold/protocol/schemas';
import { and, asc, eq, gt, lt, lte, type SQL } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import { newLicenseKey, sha256 } from '../crypto.js';
import type { Db, Tx } from '../db/database.js';
import { licenses, organisations, plans } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { seatUsageRepository } from '../repositories/seat-usage-repository.js';
import type { SeatStore } from '../seats/seat-store.js';
import { iso, isoOrNull, pageOf } from './paging.js';

type LicenseRow = typeof licenses.$inferSelect;
type PlanRow = typeof plans.$inferSelect;
type Status = LicenseRow['status'];

const DAY_MS = 86_400_000;

/** Which status changes each action allows. Revoked is final; expiry is undone by renewing. */
const TRANSITIONS: Record<'suspend' | 'reinstate' | 'revoke', { from: Status[]; to: Status; action: string }> = {
  suspend: { from: ['active'], to: 'suspended', action: 'license.suspended' },
  reinstate: { from: ['suspended'], to: 'active', action: 'license.reinstated' },
  revoke: { from: ['active', 'suspended', 'expired'], to: 'revoked', action: 'license.revoked' },
};

/** Issuing and managing licenses. Every change is audited in its own transaction. */
export class LicenseService {
  constructor(private readonly deps: { db: Db; clock: Clock; seats: SeatStore }) {}

  async create(input: CreateLicense, scope: OrganisationScope, ctx: RequestContext): Promise<License & { key: string }> {
    if (scope.organisationId && scope.organisationId !== input.organisationId) throw notFound('organisation', input.organisationId);
    const now = this.deps.clock.now();
    const plan = await this.#plan(input.planId);
    const [org] = await this.deps.db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, input.organisationId));
    if (!org) throw notFound('organisation', input.organisationId);
    const expiresAt =
      input.expiresAt !== undefined
        ? input.expiresAt
          ? new Date(input.expiresAt)
          : null
        : plan.durationDays
          ? new Date(now.getTime() + plan.durationDays * DAY_MS)
          : null;
    if (expiresAt && expiresAt <= now) throw validation('expiresAt', 'must be in the future');
    const { row, key } = newLicenseRow(
      {
        organisationId: input.organisationId,
        plan,
        seats: input.seats ?? null,
        overage: input.overage ?? null,
        entitlements: input.entitlements ?? null,
        expiresAt,
        metadata: input.metadata,
      },
      now,
    );
    await this.deps.db.transaction(async (tx) => {
      await tx.insert(licenses).values(row);
      await seatUsageRepository.recordSeatsInForceOfLicense(tx, now, row.id);
      await appendAudit(tx, ctx, now, [
        {
          action: 'license.created',
          organisationId: row.organisationId,
          targetType: 'license',
          targetId: row.id,
          data: { planId: plan.id, seats: row.seatsOverride ?? plan.seats, expiresAt: isoOrNull(expiresAt) },
        },
      ]);
    });
    return { ...licenseView(row, plan, 0), key };
  }

  async list(query: LicenseQuery, scope: OrganisationScope) {
    const where: (SQL | undefined)[] = [
      query.cursor ? gt(licenses.id, query.cursor) : undefined,
      scope.organisationId ? eq(licenses.organisationId, scope.organisationId) : undefined,
      query.organisationId ? eq(licenses.organisationId, query.organisationId) : undefined,
      query.productId ? eq(licenses.productId, query.productId) : undefined,
      query.planId ? eq(licenses.planId, query.planId) : undefined,
      query.status ? eq(licenses.status, query.status) : undefined,
      query.expiresBefore ? lt(licenses.expiresAt, new Date(query.expiresBefore)) : undefined,
    ];
    const rows = await this.deps.db
      .select({ license: licenses, plan: plans })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(and(...where))
      .orderBy(asc(licenses.id))
      .limit(query.limit + 1);
    const page = pageOf(rows, query.limit, (r) => r.license.id);
    const used = await this.deps.seats.seatsInUse(page.data.map((r) => r.license.id));
    return { data: page.data.map((r) => licenseView(r.license, r.plan, used.get(r.license.id) ?? 0)), nextCursor: page.nextCursor };
  }

  async get(id: string, scope: OrganisationScope): Promise<License> {
    const { license, plan } = await this.#load(this.deps.db, id, scope);
    const used = await this.deps.seats.seatsInUse([id]);
    return licenseView(license, plan, used.get(id) ?? 0);
  }

  /** Changes seats, overage, entitlements, expiry, plan or metadata. Seats below current use stop new acquires; running sessions go on. */
  async update(id: string, input: UpdateLicense, scope: OrganisationScope, ctx: RequestContext): Promise<License> {
    const now = this.deps.clock.now();
    const changes: Partial<LicenseRow> = { updatedAt: now };
    if (input.seats !== undefined) changes.seatsOverride = input.seats;
    if (input.overage !== undefined) changes.overageOverride = input.overage;
    if (input.entitlements !== undefined) changes.entitlementsOverride = input.entitlements;
    if (input.metadata !== undefined) changes.metadata = input.metadata;
    if (input.expiresAt !== undefined) changes.expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (input.planId !== undefined) {
      const plan = await this.#plan(input.planId);
      changes.planId = plan.id;
    }
    await this.deps.db.transaction(async (tx) => {
      const { license } = await this.#load(tx, id, scope, true);
      if (license.status === 'revoked') throw new LeaseholdError('INVALID_STATE', 'A revoked license cannot be changed.');
      if (changes.planId) {
        const plan = await this.#plan(changes.planId, tx);
        if (plan.productId !== license.productId) throw validation('planId', 'must be a plan of the same product');
      }
      await tx.update(licenses).set(changes).where(eq(licenses.id, id));
      await seatUsageRepository.recordSeatsInForceOfLicense(tx, now, id);
      await appendAudit(tx, ctx, now, [
        { action: 'license.updated', organisationId: license.organisationId, targetType: 'license', targetId: id, data: { changes: input } },
      ]);
    });
    return this.get(id, scope);
  }

  async changeStatus(
    id: string,
    transition: keyof typeof TRANSITIONS,
    reason: string | undefined,
    scope: OrganisationScope,
    ctx: RequestContext,
  ): Promise<License> {
    const rule = TRANSITIONS[transition];
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const { license } = await this.#load(tx, id, scope, true);
      if (!rule.from.includes(license.status)) {
        throw new LeaseholdError('INVALID_STATE', `Cannot ${transition} a license that is ${license.status}.`, { licenseStatus: license.status });
      }
      const suspensionReason = rule.to === 'suspended' ? 'admin' : null;
      await tx.update(licenses).set({ status: rule.to, suspensionReason, updatedAt: now }).where(eq(licenses.id, id));
      await appendAudit(tx, ctx, now, [
        {
          action: rule.action,
          organisationId: license.organisationId,
          targetType: 'license',
          targetId: id,
          data: { from: license.status, to: rule.to, reason: reason ?? null },
        },
      ]);
    });
    return this.get(id, scope);
  }

  /** Extends or sets the expiry; an expired license becomes active again. */
  async renew(id: string, input: RenewLicense, scope: OrganisationScope, ctx: RequestContext): Promise<License> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const { license } = await this.#load(tx, id, scope, true);
      if (license.status === 'revoked' || license.status === 'suspended') {
        throw new LeaseholdError('INVALID_STATE', `Cannot renew a license that is ${license.status}.`, { licenseStatus: license.status });
      }
      const base = license.expiresAt && license.expiresAt > now ? license.expiresAt : now;
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : new Date(base.getTime() + (input.extendDays as number) * DAY_MS);
      if (expiresAt <= now) throw validation('expiresAt', 'must be in the future');
      await tx.update(licenses).set({ expiresAt, status: 'active', updatedAt: now }).where(eq(licenses.id, id));
      await appendAudit(tx, ctx, now, [
        {
          action: 'license.renewed',
          organisationId: license.organisationId,
          targetType: 'license',
          targetId: id,
          data: { from: isoOrNull(license.expiresAt), to: iso(expiresAt), previousStatus: license.status },
        },
      ]);
    });
    return this.get(id, scope);
  }

  /**
   * Issues a new key for a license and forgets the old one (which stops opening it).
   * Also how a license created by billing, whose key nobody has seen, gets one.
   */
  async rotateKey(id: string, scope: OrganisationScope, ctx: RequestContext): Promise<License & { key: string }> {
    const now = this.deps.clock.now();
    const key = newLicenseKey();
    await this.deps.db.transaction(async (tx) => {
      const { license } = await this.#load(tx, id, scope, true);
      if (license.status === 'revoked') throw new LeaseholdError('INVALID_STATE', 'A revoked license gets no new key.');
      await tx
        .update(licenses)
        .set({ keyHash: sha256(key), keyHint: key.slice(-5), updatedAt: now })
        .where(eq(licenses.id, id));
      await appendAudit(tx, ctx, now, [
        {
          action: 'license.key-rotated',
          organisationId: license.organisationId,
          targetType: 'license',
          targetId: id,
          data: { previousHint: license.keyHint, hint: key.slice(-5) },
        },
      ]);
    });
    return { ...(await this.get(id, scope)), key };
  }

  /** Marks active licenses past their expiry as expired. Returns how many. */
  async expireDue(ctx: RequestContext): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const rows = await tx
        .update(licenses)
        .set({ status: 'expired', updatedAt: now })
        .where(and(eq(licenses.status, 'active'), lte(licenses.expiresAt, now)))
        .returning({ id: licenses.id, organisationId: licenses.organisationId, expiresAt: licenses.expiresAt });
      await appendAudit(
        tx,
        ctx,
        now,
        rows.map((r) => ({
          action: 'license.expired',
          organisationId: r.organisationId,
          targetType: 'license',
          targetId: r.id,
          data: { expiresAt: isoOrNull(r.expiresAt) },
        })),
      );
      return rows.length;
    });
  }

  async #plan(planId: string, db: Db | Tx = this.deps.db): Promise<PlanRow> {
    const [plan] = await db.select().from(plans).where(eq(plans.id, planId));
    if (!plan) throw notFound('plan', planId);
    return plan;
  }

  async #load(db: Db | Tx, id: string, scope: OrganisationScope, lock = false) {
    const query = db.select({ license: licenses, plan: plans }).from(licenses).innerJoin(plans, eq(plans.id, licenses.planId)).where(eq(licenses.id, id));
    const [row] = lock ? await query.for('update', { of: licenses }) : await query;
    if (!row || (scope.organisationId && row.license.organisationId !== scope.organisationId)) throw notFound('license', id);
    return row;
  }
}

/** A new license row and its key: the key is returned to be shown once; only its hash is stored. */
export function newLicenseRow(
  input: {
    organisationId: string;
    plan: PlanRow;
    seats: number | null;
    overage: number | null;
    entitlements: string[] | null;
    expiresAt: Date | null;
    metadata: Record<string, unknown>;
    stripeSubscriptionId?: string | null;
  },
  now: Date,
): { row: LicenseRow; key: string } {
  const key = newLicenseKey();
  const row: LicenseRow = {
    id: newId('license', now.getTime()),
    organisationId: input.organisationId,
    productId: input.plan.productId,
    planId: input.plan.id,
    keyHash: sha256(key),
    keyHint: key.slice(-5),
    status: 'active',
    seatsOverride: input.seats,
    overageOverride: input.overage,
    entitlementsOverride: input.entitlements,
    expiresAt: input.expiresAt,
    metadata: input.metadata,
    suspensionReason: null,
    stripeSubscriptionId: input.stripeSubscriptionId ?? null,
    billingStatus: null,
    billingStateAt: null,
    paymentFailedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { row, key };
}

function licenseView(r: LicenseRow, plan: PlanRow, seatsInUse: number): License {
  return {
    id: r.id,
    organisationId: r.organisationId,
    productId: r.productId,
    planId: r.planId,
    status: r.status,
    keyHint: r.keyHint,
    seats: r.seatsOverride ?? plan.seats,
    overage: r.overageOverride ?? plan.overage,
    seatBasis: plan.seatBasis,
    entitlements: r.entitlementsOverride ?? plan.entitlements,
    overrides: { seats: r.seatsOverride, overage: r.overageOverride, entitlements: r.entitlementsOverride },
    seatsInUse,
    expiresAt: isoOrNull(r.expiresAt),
    metadata: r.metadata as License['metadata'],
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

function validation(path: string, message: string): LeaseholdError {
  return new LeaseholdError('VALIDATION_FAILED', `${path} ${message}.`, { errors: [{ path, message }] });
}
