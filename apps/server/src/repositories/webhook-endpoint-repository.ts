import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { webhookEndpoints } from '../db/schema.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/** Webhook endpoints: where events are sent, with their secrets and state. */
export const webhookEndpointRepository = {
  async listEnabled(db: Executor): Promise<WebhookEndpointRow[]> {
    return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.status, 'enabled'));
  },

  async findById(db: Executor, id: string): Promise<WebhookEndpointRow | null> {
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    return row ?? null;
  },

  /** The endpoint, locked until the transaction ends; null when gone. */
  async lockById(db: Executor, id: string): Promise<WebhookEndpointRow | null> {
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for('update');
    return row ?? null;
  },

  async markSucceeded(db: Executor, id: string, at: Date): Promise<void> {
    await db.update(webhookEndpoints).set({ lastSuccessAt: at }).where(eq(webhookEndpoints.id, id));
  },

  async disable(db: Executor, id: string, reason: string, now: Date): Promise<WebhookEndpointRow | null> {
    const [row] = await db
      .update(webhookEndpoints)
      .set({ status: 'disabled', disabledReason: reason, updatedAt: now })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return row ?? null;
  },
};
