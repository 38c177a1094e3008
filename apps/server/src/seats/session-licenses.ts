import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { jsonList } from '../db/json-list.js';
import { BatchLoader } from '../kernel/batch-loader.js';

/**
 * Which license each session belongs to, so a heartbeat finds its license's Redis keys.
 * A session never changes license, so what is known is kept (up to a limit). A replica
 * that just started knows no session yet: the sessions it must look up during one turn
 * of the event loop are read from PostgreSQL in one query, not one query each.
 */
export class SessionLicenses {
  readonly #known = new Map<string, string>();
  readonly #loader: BatchLoader<string, string>;

  constructor(
    db: Db,
    private readonly limit = 500_000,
  ) {
    this.#loader = new BatchLoader(async (ids) => {
      const result = (await db.execute(sql`select id, license_id from sessions where id in ${jsonList(ids)}`)) as unknown as {
        rows: Array<{ id: string; license_id: string }>;
      };
      for (const r of result.rows) this.remember(r.id, r.license_id);
      return new Map(result.rows.map((r) => [r.id, r.license_id]));
    });
  }

  remember(sessionId: string, licenseId: string): void {
    if (this.#known.size >= this.limit) this.#known.clear();
    this.#known.set(sessionId, licenseId);
  }

  forget(sessionId: string): void {
    this.#known.delete(sessionId);
  }

  /** The session's license, or null when PostgreSQL has no such session. */
  licenseOf(sessionId: string): Promise<string | null> {
    const known = this.#known.get(sessionId);
    return known ? Promise.resolve(known) : this.#loader.load(sessionId);
  }
}
