import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { organisations, webhookEndpoints } from '../db/schema.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/** Only the endpoints of this organisation; null means every endpoint. */
const ofOrganisation = (organisationId: string | null): SQL | undefined => (organisationId ? eq(webhookEndpoints.organisationId, organisationId) : undefined);

/** Webhook endpoints: where events are sent, with their secrets and state. */
export const webhookEndpointRepository = {
  /** Whether the organisation an endpoint is created for exists. */
  async organisationExists(db: Executor, organisationId: string): Promise<boolean> {
    const [org] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, organisationId));
    return org !== undefined;
  },

  async insert(db: Executor, row: WebhookEndpointRow): Promise<void> {
    await db.insert(webhookEndpoints).values(row);
  },

  /** A page in ID order after the cursor, of one organisation's endpoints or (null) all. */
  async listPage(db: Executor, page: { organisationId: string | null; after: string | undefined; limit: number }): Promise<WebhookEndpointRow[]> {
    const where: (SQL | undefined)[] = [page.after ? gt(webhookEndpoints.id, page.after) : undefined, ofOrganisation(page.organisationId)];
    return db
      .select()
      .from(webhookEndpoints)
      .where(and(...where))
      .orderBy(asc(webhookEndpoints.id))
      .limit(page.limit);
  },

  /** The endpoint if it belongs to this organisation (null: to any), locked on request; null otherwise. */
  async findVisible(db: Executor, id: string, organisationId: string | null, forUpdate: boolean): Promise<WebhookEndpointRow | null> {
    const query = db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), ofOrganisation(organisationId)));
    const [row] = forUpdate ? await query.for('update') : await query;
    return row ?? null;
  },

  async update(db: Executor, id: string, changes: Partial<WebhookEndpointRow>): Promise<WebhookEndpointRow | null> {
    const [row] = await db.update(webhookEndpoints).set(changes).where(eq(webhookEndpoints.id, id)).returning();
    return row ?? null;
  },

  /** Deletes the endpoint; its deliveries and their attempts go with it. */
  async delete(db: Executor, id: string): Promise<void> {
    await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  },

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
