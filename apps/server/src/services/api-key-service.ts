import { newId } from '@leasehold/protocol/ids';
import type { ApiKey, ApiKeyScope } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import { matchesHash, newApiKeySecret, sha256 } from '../crypto.js';
import type { Db, Tx } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import { type RequestContext, systemContext } from '../kernel/request-context.js';
import { type ApiKeyRow, apiKeyRepository } from '../repositories/api-key-repository.js';
import { organisationRepository } from '../repositories/organisation-repository.js';
import { iso, isoOrNull, pageOf } from './paging.js';

/** Scopes a key bound to one organisation may hold: nothing vendor-wide. */
const ORGANISATION_SCOPES = new Set<ApiKeyScope>([
  'products:read',
  'plans:read',
  'organisations:read',
  'licenses:read',
  'licenses:write',
  'sessions:read',
  'sessions:write',
  'audit:read',
  'webhooks:read',
  'webhooks:write',
]);

const apiKeyView = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes as ApiKeyScope[],
  organisationId: r.organisationId,
  hint: r.hint,
  createdAt: iso(r.createdAt),
  lastUsedAt: isoOrNull(r.lastUsedAt),
  revokedAt: isoOrNull(r.revokedAt),
});

export interface AuthenticatedKey {
  /** The key's ID; or a staff user's, when `viaStaff`. */
  id: string;
  /** Set when a staff user signed in to the dashboard stands in for a key. */
  viaStaff?: true;
  scopes: ReadonlySet<string>;
  organisationId: string | null;
}

/** Vendor API keys: stored as hashes, shown once, scoped, optionally bound to one organisation. */
export class ApiKeyService {
  // lastUsedAt is written at most once a minute per key, not on every request.
  readonly #lastTouched = new Map<string, number>();

  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async create(input: { name: string; scopes: ApiKeyScope[]; organisationId: string | null }, scope: OrganisationScope, ctx: RequestContext) {
    if (scope.organisationId) throw new LeaseholdError('FORBIDDEN', 'A key bound to one organisation cannot create API keys.');
    if (input.organisationId) {
      if (!(await organisationRepository.exists(this.deps.db, input.organisationId))) throw notFound('organisation', input.organisationId);
      const vendorWide = input.scopes.filter((s) => !ORGANISATION_SCOPES.has(s));
      if (vendorWide.length > 0) {
        throw new LeaseholdError('VALIDATION_FAILED', `A key bound to an organisation cannot hold ${vendorWide.join(', ')}.`, {
          errors: [{ path: 'scopes', message: `not allowed with organisationId: ${vendorWide.join(', ')}` }],
        });
      }
    }
    return this.#insert(input, ctx);
  }

  async #insert(input: { name: string; scopes: string[]; organisationId: string | null }, ctx: RequestContext) {
    return this.deps.db.transaction((tx) => this.#insertIn(tx, input, ctx, newApiKeySecret()));
  }

  async #insertIn(tx: Tx, input: { name: string; scopes: string[]; organisationId: string | null }, ctx: RequestContext, secret: string) {
    const now = this.deps.clock.now();
    const row: ApiKeyRow = {
      id: newId('apiKey', now.getTime()),
      name: input.name,
      secretHash: sha256(secret),
      hint: secret.slice(-4),
      scopes: [...new Set(input.scopes)],
      organisationId: input.organisationId,
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await apiKeyRepository.insert(tx, row);
    await appendAudit(tx, ctx, now, [
      { action: 'api-key.created', organisationId: row.organisationId, targetType: 'api-key', targetId: row.id, data: { name: row.name, scopes: row.scopes } },
    ]);
    return { ...apiKeyView(row), secret };
  }

  /**
   * On the first start of an empty database, creates the first admin key: the one
   * configured, or a new one. Returns the secret only when it generated it.
   * Replicas starting together are serialised on the audit chain's head row, so
   * exactly one of them creates the key.
   */
  async bootstrap(configured: string | null): Promise<string | null> {
    return this.deps.db.transaction(async (tx) => {
      await apiKeyRepository.serialiseFirstKey(tx);
      if ((await apiKeyRepository.count(tx)) > 0) return null;
      const secret = configured ?? newApiKeySecret();
      await this.#insertIn(tx, { name: 'bootstrap admin', scopes: ['*'], organisationId: null }, systemContext('bootstrap'), secret);
      return configured ? null : secret;
    });
  }

  async list(limit: number, cursor: string | undefined) {
    const rows = await apiKeyRepository.page(this.deps.db, { limit: limit + 1, cursor });
    const page = pageOf(rows, limit, (r) => r.id);
    return { data: page.data.map(apiKeyView), nextCursor: page.nextCursor };
  }

  async revoke(id: string, ctx: RequestContext): Promise<ApiKey> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await apiKeyRepository.revoke(tx, id, now);
      if (!row) throw notFound('active API key', id);
      await appendAudit(tx, ctx, now, [
        { action: 'api-key.revoked', organisationId: row.organisationId, targetType: 'api-key', targetId: id, data: { name: row.name } },
      ]);
      return apiKeyView(row);
    });
  }

  /** The key a bearer secret belongs to, or null when it is unknown or revoked. */
  async authenticate(secret: string): Promise<AuthenticatedKey | null> {
    const hash = sha256(secret);
    const row = await apiKeyRepository.findBySecretHash(this.deps.db, hash);
    if (!row || row.revokedAt || !matchesHash(secret, row.secretHash)) return null;
    const now = this.deps.clock.now();
    const last = this.#lastTouched.get(row.id) ?? 0;
    if (now.getTime() - last > 60_000) {
      this.#lastTouched.set(row.id, now.getTime());
      await apiKeyRepository.recordUse(this.deps.db, row.id, now);
    }
    return { id: row.id, scopes: new Set(row.scopes), organisationId: row.organisationId };
  }
}
