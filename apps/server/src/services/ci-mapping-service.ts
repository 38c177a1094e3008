import { newId } from '@leasehold/protocol/ids';
import { type CiMapping, type CreateCiMapping, GITHUB_ACTIONS_ISSUER } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { WorkloadClaims } from '../kernel/workload-claims.js';
import { type CiMappingRow, ciRepository } from '../repositories/ci-repository.js';
import { licenseRepository } from '../repositories/license-repository.js';
import { iso, pageOf } from './paging.js';

const view = (r: CiMappingRow): CiMapping => ({
  id: r.id,
  licenseId: r.licenseId,
  organisationId: r.organisationId,
  issuer: r.issuer,
  repository: r.repositoryPattern,
  ref: r.refPattern,
  jobWorkflowRef: r.jobWorkflowRefPattern,
  mode: r.mode,
  maxConcurrent: r.maxConcurrent,
  createdAt: iso(r.createdAt),
});

/** `*` stands for any run of characters; everything else matches itself. */
function claimMatches(pattern: string, value: string | null): boolean {
  if (value === null) return false;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/** How specific a rule is: rules naming more claims, then with fewer wildcards, win. */
function specificity(r: CiMappingRow): number {
  const patterns = [r.repositoryPattern, r.refPattern, r.jobWorkflowRefPattern].filter((p): p is string => p !== null);
  const literal = patterns.reduce((n, p) => n + p.replace(/\*/g, '').length, 0);
  return patterns.length * 10_000 + literal;
}

/**
 * The rules that map CI jobs to licenses, set by the vendor (admin API) or an
 * organisation's owners (its own licenses only). Every change is audited.
 */
export class CiMappingService {
  constructor(
    private readonly deps: { db: Db; clock: Clock },
    /** Issuers the server trusts: a rule for another could never match. */
    private readonly trustedIssuers: string[],
  ) {}

  async create(input: CreateCiMapping, scope: OrganisationScope, ctx: RequestContext): Promise<CiMapping> {
    const issuer = (input.issuer ?? GITHUB_ACTIONS_ISSUER).replace(/\/+$/, '');
    if (!this.trustedIssuers.includes(issuer)) {
      const message = `is not a trusted CI issuer of this server (LEASEHOLD_CI_ISSUERS: ${this.trustedIssuers.join(', ') || 'none'})`;
      throw new LeaseholdError('VALIDATION_FAILED', `body.issuer ${message}.`, { errors: [{ path: 'body.issuer', message }] });
    }
    const license = await licenseRepository.findOwner(this.deps.db, input.licenseId);
    if (!license || (scope.organisationId && scope.organisationId !== license.organisationId)) throw notFound('license', input.licenseId);
    const now = this.deps.clock.now();
    const row: CiMappingRow = {
      id: newId('ciMapping', now.getTime()),
      licenseId: license.id,
      organisationId: license.organisationId,
      issuer,
      repositoryPattern: input.repository,
      refPattern: input.ref ?? null,
      jobWorkflowRefPattern: input.jobWorkflowRef ?? null,
      mode: input.mode ?? 'enforce',
      maxConcurrent: input.maxConcurrent ?? null,
      createdAt: now,
    };
    await this.deps.db.transaction(async (tx) => {
      await ciRepository.insertMapping(tx, row);
      await appendAudit(tx, ctx, now, [
        { action: 'ci-mapping.created', organisationId: row.organisationId, targetType: 'ci-mapping', targetId: row.id, data: { ...view(row) } },
      ]);
    });
    return view(row);
  }

  async list(query: { limit: number; cursor?: string | undefined; licenseId?: string | undefined }, scope: OrganisationScope) {
    const rows = await ciRepository.pageOfMappings(this.deps.db, {
      limit: query.limit + 1,
      cursor: query.cursor,
      organisationId: scope.organisationId,
      licenseId: query.licenseId,
    });
    const page = pageOf(rows, query.limit, (r) => r.id);
    return { data: page.data.map(view), nextCursor: page.nextCursor };
  }

  async remove(id: string, scope: OrganisationScope, ctx: RequestContext): Promise<CiMapping> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await ciRepository.deleteMapping(tx, id, scope.organisationId);
      if (!row) throw notFound('CI mapping', id);
      await appendAudit(tx, ctx, now, [
        { action: 'ci-mapping.deleted', organisationId: row.organisationId, targetType: 'ci-mapping', targetId: row.id, data: { ...view(row) } },
      ]);
      return view(row);
    });
  }

  /** The most specific rule of the product that the token's claims match, or null. */
  async match(claims: WorkloadClaims, productCode: string): Promise<CiMappingRow | null> {
    const rows = await ciRepository.mappingsOfProduct(this.deps.db, claims.issuer, productCode);
    const matching = rows
      .filter(
        (m) =>
          claimMatches(m.repositoryPattern, claims.repository) &&
          (m.refPattern === null || claimMatches(m.refPattern, claims.ref)) &&
          (m.jobWorkflowRefPattern === null || claimMatches(m.jobWorkflowRefPattern, claims.jobWorkflowRef)),
      )
      .sort((a, b) => specificity(b) - specificity(a) || a.id.localeCompare(b.id));
    return matching[0] ?? null;
  }
}
