import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';

/**
 * Records, from `at` on, the seats sold in force for the licenses `where` selects
 * (over `licenses l`), as they stand after a change made in the same transaction.
 * A license whose seats did not change gets no new row.
 */
export async function recordSeatsInForce(tx: Executor, at: Date, where: ReturnType<typeof sql>): Promise<void> {
  await tx.execute(sql`
    insert into license_seat_history (license_id, since, seats)
    select l.id, ${at.toISOString()}::timestamptz, coalesce(l.seats_override, p.seats)
    from licenses l join plans p on p.id = l.plan_id
    where (${where})
      and coalesce(l.seats_override, p.seats) is distinct from
        (select h.seats from license_seat_history h where h.license_id = l.id order by h.since desc limit 1)
    on conflict (license_id, since) do update set seats = excluded.seats`);
}
