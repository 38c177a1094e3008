import type { Db } from './db/database.js';
import { NotificationListener, notify } from './db/notification-listener.js';
import type { Clock } from './kernel/clock.js';
import { QueueSignals } from './seat-queue/queue-signals.js';
import { type QueueMetrics, SeatQueue } from './seat-queue/seat-queue.js';

/** The channel replicas tell each other on that a license's seats or queue changed. */
const QUEUE_CHANNEL = 'leasehold_seat_queue';

/**
 * The seat queue and its wake-ups. On PostgreSQL, a signal reaches every replica
 * through NOTIFY on one listening connection; the embedded database is one process,
 * so its signals stay in memory.
 */
export function openSeatQueue(o: { db: Db; clock: Clock; metrics: QueueMetrics; databaseUrl: string | null }) {
  const signals = new QueueSignals(o.databaseUrl ? (licenseId) => notify(o.db, QUEUE_CHANNEL, licenseId) : null);
  const listener = o.databaseUrl
    ? new NotificationListener(o.databaseUrl, QUEUE_CHANNEL, {
        notify: (licenseId) => signals.heard(licenseId),
        // Signals sent while not listening are lost: every waiter looks again.
        live: () => signals.heardEverything(),
      })
    : null;
  listener?.start();
  return {
    // Without a PostgreSQL URL the database is embedded: this process alone writes the queue.
    queue: new SeatQueue({ db: o.db, clock: o.clock, metrics: o.metrics, soleWriter: !o.databaseUrl }),
    signals,
    close: async () => listener?.close(),
  };
}
