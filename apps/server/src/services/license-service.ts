import { newId } from '@leasehold/protocol/ids';
import type { CreateLicense, License, LicenseQuery, RenewLicense, UpdateLicense } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import { newLicenseKey, sha256 } from '../crypto.js';
import type { Db, Executor } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { catalogRepository, type PlanRow } from '../repositories/catalog-repository.js';
import { type LicenseRow, type LicenseStatus, licenseRepository } from '../repositories/license-repository.js';
import { organisationRepository } from '../repositories/organisation-repository.js';
import { seatUsageRepository } from '../repositories/seat-usage-repository.js';
import type { SeatStore } from '../seats/seat-store.js';
import { iso, isoOrNull, pageOf } from './paging.js';

const DAY_MS = 86_400_000;

/** Which status changes each action allows. Revoked is final; expiry is undone by renewing. */
const TRANSITIONS: Record<'suspend' | 'reinstate' | 'revoke', { from: LicenseStatus[]; to: LicenseStatus; action: string }> = {
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
    if (!(await organisationRepository.exists(this.deps.db, input.organisationId))) throw notFound('organisation', input.organisationId);
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
      await licenseRepository.insert(tx, row);
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
    const filter = {
      scopedTo: scope.organisationId,
      organisationId: query.organisationId,
      productId: query.productId,
      planId: query.planId,
      status: query.status,
      expiresBefore: query.expiresBefore ? new Date(query.expiresBefore) : undefined,
    };
    const rows = await licenseRepository.pageWithPlans(this.deps.db, filter, { limit: query.limit + 1, cursor: query.cursor });
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
      await licenseRepository.update(tx, id, changes);
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
      await licenseRepository.update(tx, id, { status: rule.to, suspensionReason, updatedAt: now });
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
      await licenseRepository.update(tx, id, { expiresAt, status: 'active', updatedAt: now });
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
      await licenseRepository.update(tx, id, { keyHash: sha256(key), keyHint: key.slice(-5), updatedAt: now });
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
      const rows = await licenseRepository.expireDue(tx, now);
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

  async #plan(planId: string, db: Executor = this.deps.db): Promise<PlanRow> {
    const plan = await catalogRepository.findPlan(db, planId);
    if (!plan) throw notFound('plan', planId);
    return plan;
  }

  async #load(db: Executor, id: string, scope: OrganisationScope, lock = false) {
    const row = lock ? await licenseRepository.lockWithPlan(db, id) : await licenseRepository.findWithPlan(db, id);
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
