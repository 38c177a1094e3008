import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';

type Waiter = (licenseId: string | null | Error) => void;

/**
 * Which license each session belongs to, so a heartbeat finds its license's Redis keys.
 * A session never changes license, so what is known is kept (up to a limit). A replica
 * that just started knows no session yet: the sessions it must look up during one turn
 * of the event loop are read from PostgreSQL in one query, not one query each.
 */
export class SessionLicenses {
  readonly #known = new Map<string, string>();
  #waiting = new Map<string, Waiter[]>();
  #scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly limit = 500_000,
  ) {}

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
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(sessionId) ?? [];
      waiters.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
      this.#waiting.set(sessionId, waiters);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#lookUp());
      }
    });
  }

  async #lookUp(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    this.#scheduled = false;
    try {
      const ids = JSON.stringify([...batch.keys()]);
      const result = (await this.db.execute(
        sql`select id, license_id from sessions where id in (select jsonb_array_elements_text(${ids}::jsonb))`,
      )) as unknown as { rows: Array<{ id: string; license_id: string }> };
      const found = new Map(result.rows.map((r) => [r.id, r.license_id]));
      for (const [sessionId, waiters] of batch) {
        const licenseId = found.get(sessionId) ?? null;
        if (licenseId) this.remember(sessionId, licenseId);
        for (const w of waiters) w(licenseId);
      }
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w(error as Error);
    }
  }
}
