import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../app-services.js';
import { sendProblem } from '../http/problem.js';
import { jwksDocument } from '../signing/jwks.js';
import { signedKeySet } from '../signing/keyset.js';

/**
 * What the operations routes read. The signer is here because the public keys are
 * published from it: the JWKS and the signed key set are the signer's own keys.
 */
export type OpsServices = Pick<Services, 'config' | 'metrics' | 'clock' | 'lifecycle' | 'readiness' | 'signer'>;

/** Health, readiness, metrics and the public keys. None needs credentials. */
export const opsRoutes: FastifyPluginAsync<OpsServices> = async (app, { config, metrics, clock, lifecycle, readiness, signer }) => {
  const tags = ['operations'];
  // Like every route, these refuse what they do not read: an unknown query parameter is a 400.
  const querystring = z.strictObject({});

  // Liveness: the process answers. Dependencies are for readiness, so a database
  // outage does not make Kubernetes restart every replica.
  app.get('/healthz', { schema: { tags, summary: 'Liveness', querystring, response: { 200: schemas.health } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags, summary: 'Readiness', querystring, response: { 200: schemas.readiness } } }, async (_request, reply) => {
    if (lifecycle.draining) return sendProblem(reply, 'SERVICE_UNAVAILABLE', 'The server is shutting down.', { checks: {} }, 1);
    const checks: Record<string, string> = {};
    let ready = true;
    for (const dependency of readiness) {
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

  // Served here only when no separate metrics port is set. Either way a scrape reads
  // gauges the background refresh keeps (ops/gauges.ts), never PostgreSQL or Redis.
  if (config.metrics.port === null) {
    app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics', querystring } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }

  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['licensing'], summary: 'The public keys of lease tokens', querystring, response: { 200: schemas.jwks } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return jwksDocument([signer]);
    },
  );

  // The same keys, signed by the keys programs already trust: how they follow a rotation safely.
  app.get(
    '/.well-known/leasehold-keyset.jws',
    { schema: { tags: ['licensing'], summary: 'The public keys, signed by themselves', querystring, response: { 200: schemas.signedKeySet } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300').type('application/jose+json');
      return signedKeySet(signer, config.publicUrl, clock.now());
    },
  );
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
