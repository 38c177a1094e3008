import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import type { WebhookEndpointRow } from '../repositories/webhook-endpoint-repository.js';
import { WebhookDeliveryLog } from './delivery-log.js';
import { WebhookDeliveryWorker } from './delivery-worker.js';
import { WebhookDispatcher } from './dispatcher.js';
import { WebhookEndpointService } from './endpoint-service.js';

export interface WebhookSettings {
  allowPrivateTargets: boolean;
  timeoutMs: number;
}

/** Outgoing webhooks: endpoints, the delivery log, and the background pass that sends. */
export class Webhooks {
  readonly endpoints: WebhookEndpointService;
  readonly deliveries: WebhookDeliveryLog;
  readonly #dispatcher: WebhookDispatcher;
  readonly #worker: WebhookDeliveryWorker;

  constructor(deps: {
    db: Db;
    clock: Clock;
    settings: WebhookSettings;
    onDisabled?: (endpoint: WebhookEndpointRow) => void;
    onAttempt?: (outcome: 'delivered' | 'retry' | 'failed') => void;
  }) {
    const { db, clock, settings } = deps;
    this.endpoints = new WebhookEndpointService({ db, clock, allowPrivateTargets: settings.allowPrivateTargets });
    this.deliveries = new WebhookDeliveryLog({ db, clock, endpoints: this.endpoints });
    this.#dispatcher = new WebhookDispatcher({ db, clock });
    this.#worker = new WebhookDeliveryWorker({
      db,
      clock,
      send: settings,
      ...(deps.onDisabled ? { onDisabled: deps.onDisabled } : {}),
      ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
    });
  }

  /** Fans out new events, then sends what is due; answers the attempts made. */
  async runOnce(): Promise<number> {
    await this.#dispatcher.catchUp();
    return this.#worker.deliverDue();
  }
}
