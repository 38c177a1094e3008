import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../compose.js';
import { sendProblem } from '../http/problem.js';
import { jwksDocument } from '../signing/jwks.js';

/** Health, readiness, metrics and the public keys. None needs credentials. */
export const opsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const tags = ['operations'];
  // Like every route, these refuse what they do not read: an unknown query parameter is a 400.
  const querystring = z.strictObject({});

  // Liveness: the process answers. Dependencies are for readiness, so a database
  // outage does not make Kubernetes restart every replica.
  app.get('/healthz', { schema: { tags, summary: 'Liveness', querystring, response: { 200: schemas.health } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags, summary: 'Readiness', querystring, response: { 200: schemas.readiness } } }, async (_request, reply) => {
    if (services.lifecycle.draining) return sendProblem(reply, 'SERVICE_UNAVAILABLE', 'The server is shutting down.', { checks: {} }, 1);
    const checks: Record<string, string> = {};
    let ready = true;
    for (const dependency of services.readiness) {
      try {
        await withTimeout(dependency.check(), 2_000);
        checks[dependency.name] = 'ok';
      } catch (error) {
        ready = false;
        checks[dependency.name] = `unreachable: ${(error as Error).message}`;
      }
    }
    if (!ready) return sendProblem(reply, 'SERVICE_UNAVAILABLE', 'A dependency is unreachable.', { checks }, 5);
    return { status: 'ready', checks };
  });

  app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics', querystring } }, async (_request, reply) => {
    await refreshSeatGauges(services);
    reply.type(services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });

  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['licensing'], summary: 'The public keys of lease tokens', querystring, response: { 200: schemas.jwks } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return jwksDocument([services.signer]);
    },
  );
};

/** Seats in use and total per active license, computed at scrape time. */
async function refreshSeatGauges(services: Services): Promise<void> {
  services.metrics.seatsInUse.reset();
  services.metrics.seatsTotal.reset();
  let cursor: string | undefined;
  do {
    const page = await services.licenses.list({ limit: 500, status: 'active', ...(cursor ? { cursor } : {}) }, { organisationId: null });
    for (const license of page.data) {
      services.metrics.seatsInUse.set({ license_id: license.id }, license.seatsInUse);
      services.metrics.seatsTotal.set({ license_id: license.id }, license.seats);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
