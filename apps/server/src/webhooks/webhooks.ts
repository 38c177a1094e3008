import type { WebhookDeliveryLog } from './delivery-log.js';
import type { WebhookDeliveryWorker } from './delivery-worker.js';
import type { WebhookDispatcher } from './dispatcher.js';
import type { WebhookEndpointService } from './endpoint-service.js';

/** Outgoing webhooks: endpoints, the delivery log, and the background pass that sends (built by compose.ts). */
export class Webhooks {
  readonly endpoints: WebhookEndpointService;
  readonly deliveries: WebhookDeliveryLog;
  readonly #dispatcher: WebhookDispatcher;
  readonly #worker: WebhookDeliveryWorker;

  constructor(parts: { endpoints: WebhookEndpointService; deliveries: WebhookDeliveryLog; dispatcher: WebhookDispatcher; worker: WebhookDeliveryWorker }) {
    this.endpoints = parts.endpoints;
    this.deliveries = parts.deliveries;
    this.#dispatcher = parts.dispatcher;
    this.#worker = parts.worker;
  }

  /** Fans out new events, then sends what is due; answers the attempts made. */
  async runOnce(): Promise<number> {
    await this.#dispatcher.catchUp();
    return this.#worker.deliverDue();
  }
}
