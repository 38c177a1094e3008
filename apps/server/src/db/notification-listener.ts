import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Executor } from './database.js';

export interface NotificationHandlers {
  /** A NOTIFY on the channel, with its payload. */
  notify(payload: string): void;
  /**
   * The listener started (true) or stopped (false) hearing the channel. Whatever was
   * sent while it was not listening is lost, so a consumer treats both edges as
   * "anything may have changed".
   */
  live(listening: boolean): void;
}

/**
 * One dedicated PostgreSQL connection that LISTENs on one channel, reconnecting for
 * ever (backing off to one attempt a second). Not from the pool: a pooled client
 * would be handed back and stop hearing notifications.
 */
export class NotificationListener {
  #client: pg.Client | null = null;
  #attempts = 0;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly handlers: NotificationHandlers,
  ) {}

  start(): void {
    void this.#connect();
  }

  async #connect(): Promise<void> {
    // keepAlive: a peer that vanished without closing the socket is noticed, not waited on for ever;
    // the connect timeout does the same for an attempt that gets no answer, so the retries go on.
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, keepAliveInitialDelayMillis: 5_000, connectionTimeoutMillis: 5_000 });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      this.#lost(client);
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.handlers.notify(message.payload ?? '*');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch {
      onLost();
      return;
    }
    if (lost) return;
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#attempts = 0;
    this.handlers.live(true);
  }

  #lost(client: pg.Client): void {
    if (this.#client === client) {
      this.#client = null;
      this.handlers.live(false);
    }
    client.end().catch(() => {});
    if (this.#closed) return;
    this.#attempts += 1;
    this.#retry = setTimeout(() => void this.#connect(), Math.min(this.#attempts * 100, 1_000));
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    if (client) {
      this.handlers.live(false);
      await client.end().catch(() => {});
    }
  }
}

/** Tells every listener of `channel` (on any replica) `payload`, once the caller's transaction commits. */
export async function notify(db: Executor, channel: string, payload: string): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
