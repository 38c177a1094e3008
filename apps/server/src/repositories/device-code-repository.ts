import { and, eq, lt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { deviceCodes } from '../db/schema.js';

export type DeviceCodeRow = typeof deviceCodes.$inferSelect;

/** The device authorization grant's requests, found by the user code a person types or the device code a program polls with. */
export const deviceCodeRepository = {
  /** Fails with a unique violation when the user code is taken. */
  async insert(db: Executor, row: typeof deviceCodes.$inferInsert): Promise<void> {
    await db.insert(deviceCodes).values(row);
  },

  async findPendingByUserCode(db: Executor, userCode: string): Promise<DeviceCodeRow | null> {
    const [row] = await db
      .select()
      .from(deviceCodes)
      .where(and(eq(deviceCodes.userCode, userCode), eq(deviceCodes.status, 'pending')));
    return row ?? null;
  },

  /** As findPendingByUserCode, locked until the caller's transaction ends, so it is decided once. */
  async lockPendingByUserCode(db: Executor, userCode: string): Promise<DeviceCodeRow | null> {
    const [row] = await db
      .select()
      .from(deviceCodes)
      .where(and(eq(deviceCodes.userCode, userCode), eq(deviceCodes.status, 'pending')))
      .for('update');
    return row ?? null;
  },

  async decide(db: Executor, id: string, status: 'approved' | 'denied', userId: string): Promise<void> {
    await db.update(deviceCodes).set({ status, userId }).where(eq(deviceCodes.id, id));
  },

  /** The request of this device code hash, locked until the caller's transaction ends: polls of one code take turns. */
  async lockByDeviceCodeHash(db: Executor, deviceCodeHash: string): Promise<DeviceCodeRow | null> {
    const [row] = await db.select().from(deviceCodes).where(eq(deviceCodes.deviceCodeHash, deviceCodeHash)).for('update');
    return row ?? null;
  },

  async recordPoll(db: Executor, id: string, now: Date, intervalSeconds: number): Promise<void> {
    await db.update(deviceCodes).set({ lastPolledAt: now, intervalSeconds }).where(eq(deviceCodes.id, id));
  },

  async markConsumed(db: Executor, id: string, now: Date): Promise<void> {
    await db.update(deviceCodes).set({ status: 'consumed', lastPolledAt: now }).where(eq(deviceCodes.id, id));
  },

  /** Deletes the requests that expired before the cutoff; returns how many. */
  async deleteExpiredBefore(db: Executor, cutoff: Date): Promise<number> {
    const rows = await db.delete(deviceCodes).where(lt(deviceCodes.expiresAt, cutoff)).returning({ id: deviceCodes.id });
    return rows.length;
  },
};
