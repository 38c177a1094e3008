import { newId } from '@leasehold/protocol/ids';
import type { CreatePlan, Plan, Product, UpdatePlan } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { catalogRepository, type PlanRow, type ProductRow } from '../repositories/catalog-repository.js';
import { seatUsageRepository } from '../repositories/seat-usage-repository.js';
import { iso, pageOf } from './paging.js';
import { isUniqueViolation } from './unique-violation.js';

const productView = (r: ProductRow): Product => ({ id: r.id, code: r.code, name: r.name, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });

const planView = (r: PlanRow): Plan => ({
  id: r.id,
  productId: r.productId,
  code: r.code,
  name: r.name,
  seats: r.seats,
  seatBasis: r.seatBasis,
  leaseTtlSeconds: r.leaseTtlSeconds,
  heartbeatIntervalSeconds: r.heartbeatIntervalSeconds,
  offlineGraceSeconds: r.offlineGraceSeconds,
  maxBorrowSeconds: r.maxBorrowSeconds,
  maxQueueWaitSeconds: r.maxQueueWaitSeconds,
  lingerSeconds: r.lingerSeconds,
  queuePriorities: r.queuePriorities,
  overage: r.overage,
  entitlements: r.entitlements,
  durationDays: r.durationDays,
  stripePriceId: r.stripePriceId,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

/** Products and the plans they are sold under: vendor-wide, not per organisation. */
export class CatalogService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async createProduct(input: { code: string; name: string }, ctx: RequestContext): Promise<Product> {
    const now = this.deps.clock.now();
    const row = { id: newId('product', now.getTime()), code: input.code, name: input.name, createdAt: now, updatedAt: now };
    try {
      await this.deps.db.transaction(async (tx) => {
        await catalogRepository.insertProduct(tx, row);
        await appendAudit(tx, ctx, now, [{ action: 'product.created', targetType: 'product', targetId: row.id, data: { code: row.code, name: row.name } }]);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new LeaseholdError('ALREADY_EXISTS', `A product with code "${input.code}" already exists.`);
      throw error;
    }
    return productView(row);
  }

  async listProducts(limit: number, cursor?: string) {
    const rows = await catalogRepository.pageOfProducts(this.deps.db, { limit: limit + 1, cursor });
    const page = pageOf(rows, limit, (r) => r.id);
    return { data: page.data.map(productView), nextCursor: page.nextCursor };
  }

  async getProduct(id: string): Promise<Product> {
    const row = await catalogRepository.findProduct(this.deps.db, id);
    if (!row) throw notFound('product', id);
    return productView(row);
  }

  async updateProduct(id: string, input: { name?: string | undefined }, ctx: RequestContext): Promise<Product> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await catalogRepository.updateProduct(tx, id, input, now);
      if (!row) throw notFound('product', id);
      await appendAudit(tx, ctx, now, [{ action: 'product.updated', targetType: 'product', targetId: id, data: { changes: input } }]);
      return productView(row);
    });
  }

  async createPlan(input: CreatePlan, ctx: RequestContext): Promise<Plan> {
    await this.getProduct(input.productId);
    const now = this.deps.clock.now();
    const row: PlanRow = { id: newId('plan', now.getTime()), ...input, createdAt: now, updatedAt: now };
    try {
      await this.deps.db.transaction(async (tx) => {
        await catalogRepository.insertPlan(tx, row);
        await appendAudit(tx, ctx, now, [{ action: 'plan.created', targetType: 'plan', targetId: row.id, data: { ...input } }]);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new LeaseholdError('ALREADY_EXISTS', `A plan with code "${input.code}" or Stripe price "${input.stripePriceId}" already exists.`);
      }
      throw error;
    }
    return planView(row);
  }

  async listPlans(limit: number, cursor?: string, productId?: string) {
    const rows = await catalogRepository.pageOfPlans(this.deps.db, { limit: limit + 1, cursor, productId });
    const page = pageOf(rows, limit, (r) => r.id);
    return { data: page.data.map(planView), nextCursor: page.nextCursor };
  }

  async getPlan(id: string): Promise<Plan> {
    const row = await catalogRepository.findPlan(this.deps.db, id);
    if (!row) throw notFound('plan', id);
    return planView(row);
  }

  async updatePlan(id: string, input: UpdatePlan, ctx: RequestContext): Promise<Plan> {
    const now = this.deps.clock.now();
    const current = await this.getPlan(id);
    const ttl = input.leaseTtlSeconds ?? current.leaseTtlSeconds;
    const interval = input.heartbeatIntervalSeconds ?? current.heartbeatIntervalSeconds;
    if (interval >= ttl) {
      throw new LeaseholdError('VALIDATION_FAILED', 'heartbeatIntervalSeconds must be shorter than leaseTtlSeconds.', {
        errors: [{ path: 'heartbeatIntervalSeconds', message: `must be shorter than the lease TTL (${ttl} s)` }],
      });
    }
    try {
      return await this.deps.db.transaction(async (tx) => {
        const row = await catalogRepository.updatePlan(tx, id, input, now);
        if (!row) throw notFound('plan', id);
        if (input.seats !== undefined) await seatUsageRepository.recordSeatsInForceOfPlan(tx, now, id);
        await appendAudit(tx, ctx, now, [{ action: 'plan.updated', targetType: 'plan', targetId: id, data: { changes: input } }]);
        return planView(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new LeaseholdError('ALREADY_EXISTS', `Stripe price "${input.stripePriceId}" is mapped to another plan.`);
      throw error;
    }
  }
}
