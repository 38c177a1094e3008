import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { webhookEndpoints } from '../db/schema.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/** Webhook endpoints: where events are sent, with their secrets and state. */
export const webhookEndpointRepository = {
  async listEnabled(db: Executor): Promise<WebhookEndpointRow[]> {
    return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.status, 'enabled'));
  },
};
