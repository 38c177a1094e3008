import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app-services.js';
import { sha256 } from '../crypto.js';
import { enforceRateLimit, ipKey } from '../http/rate-limit.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { bearerToken } from './auth/user-auth.js';
import { headerLicenseKey, headerWorkloadToken, oneCredential, sessionReference } from './licensing-credentials.js';
import { problems } from './problem-responses.js';

/** The calls the SDK makes: thin handlers over the licensing service. */
export const licensingRoutes: FastifyPluginAsync<Pick<Services, 'licensing' | 'identity' | 'rateLimiter' | 'config'>> = async (
  plain,
  { licensing, identity, rateLimiter, config },
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  // The SDK's calls, heartbeats above all, are the hot path: answers are written with
  // JSON.stringify instead of being parsed by their zod schema first. The schemas
  // stay for the OpenAPI document, and TypeScript holds handlers to them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const limits = config.rateLimits;
  const perIp = async (request: FastifyRequest, reply: FastifyReply) =>
    enforceRateLimit(rateLimiter, reply, 'from this address', ipKey(request), limits.perIpPerMinute);
  const perLicenseKey = (reply: FastifyReply, key: string) =>
    enforceRateLimit(rateLimiter, reply, 'for this license', `lic:${sha256(key)}`, limits.perLicensePerMinute);

  app.post(
    '/acquire',
    {
      onRequest: perIp,
      schema: {
        tags: ['licensing'],
        summary: 'Take a seat',
        description:
          "Takes a seat of the license the key opens, or returns the earlier session for a repeated idempotency key. 409 NO_SEAT_AVAILABLE says who holds the seats and when one frees. With `wait`, the request waits in the license's seat queue (seats that free go to waiters in the order they came, and no newcomer takes a seat while someone waits); after 20 s it answers 409 with `queue`, and the next acquire with `queueTicket` keeps the place.",
        body: schemas.acquireRequest,
        response: { 200: schemas.acquireResponse, ...problems },
      },
    },
    async (request, reply) => {
      // A caller that goes away stops waiting in the seat queue (its place lapses unless it polls again).
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      const workloadToken = headerWorkloadToken(request);
      if (workloadToken) {
        // A CI job: its workload identity token, mapped to a license by rules, stands in for a key.
        if (request.body.licenseKey !== undefined) {
          const message = 'give either a license key or a workload identity token, not both';
          throw new LeaseholdError('VALIDATION_FAILED', `body.licenseKey: ${message}`, { errors: [{ path: 'body.licenseKey', message }] });
        }
        const claims = await identity.workloadTokens.verify(workloadToken);
        await enforceRateLimit(rateLimiter, reply, 'for this repository', `ci:${sha256(`${claims.issuer}\n${claims.repository}`)}`, limits.perLicensePerMinute);
        return licensing.acquireAsWorkload(request.body, claims, { requestId: request.id, ip: request.ip }, gone.signal);
      }
      const licenseKey = oneCredential(request.body.licenseKey, headerLicenseKey(request), 'licenseKey', 'authorization');
      const body = { ...request.body, licenseKey };
      if (!licenseKey) {
        // A signed-in person: the seat comes from one of their organisations' licenses and counts them.
        const token = bearerToken(request);
        if (!token) throw new LeaseholdError('UNAUTHENTICATED', 'Give licenseKey (or sign in and send your access token).');
        const { userId } = await identity.authenticator.authenticate(token, context(request, { type: 'system', id: null }));
        await enforceRateLimit(rateLimiter, reply, 'for this user', `usr:${userId}`, limits.perLicensePerMinute);
        return licensing.acquireAsUser(body, userId, { requestId: request.id, ip: request.ip }, gone.signal);
      }
      await perLicenseKey(reply, licenseKey);
      return licensing.acquireWithKey({ ...body, licenseKey }, { requestId: request.id, ip: request.ip }, gone.signal);
    },
  );

  app.post(
    '/heartbeat',
    {
      schema: {
        tags: ['licensing'],
        summary: 'Keep a seat',
        description: 'Renews the lease. After expiry it takes a free seat again (reacquired: true) or answers 409 SESSION_EXPIRED.',
        body: schemas.heartbeatRequest,
        response: { 200: schemas.heartbeatResponse, ...problems },
      },
    },
    async (request) => licensing.heartbeat(sessionReference(request, request.body), context(request, { type: 'session', id: request.body.sessionId })),
  );

  app.post(
    '/release',
    {
      schema: { tags: ['licensing'], summary: 'Give a seat back', body: schemas.releaseRequest, response: { 200: schemas.releaseResponse, ...problems } },
    },
    async (request) => licensing.release(sessionReference(request, request.body), context(request, { type: 'session', id: request.body.sessionId })),
  );

  app.post(
    '/borrow',
    {
      schema: {
        tags: ['licensing'],
        summary: 'Check a seat out for offline use',
        description: "Keeps the seat held until borrowedUntil; the lease token is valid offline that long. Limited by the plan's maxBorrowSeconds.",
        body: schemas.borrowRequest,
        response: { 200: schemas.borrowResponse, ...problems },
      },
    },
    async (request) => {
      const { durationSeconds, ...body } = request.body;
      const ref = sessionReference(request, body);
      return licensing.borrow(ref, durationSeconds, context(request, { type: 'session', id: ref.sessionId }));
    },
  );

  app.post(
    '/return',
    {
      schema: { tags: ['licensing'], summary: 'Return a borrowed seat', body: schemas.releaseRequest, response: { 200: schemas.releaseResponse, ...problems } },
    },
    async (request) => licensing.release(sessionReference(request, request.body), context(request, { type: 'session', id: request.body.sessionId })),
  );

  app.post(
    '/validate',
    {
      onRequest: perIp,
      schema: {
        tags: ['licensing'],
        summary: 'Check a key or a lease token without taking a seat',
        body: schemas.validateRequest,
        response: { 200: schemas.validateResponse, ...problems },
      },
    },
    async (request, reply) => {
      const input = { ...request.body, licenseKey: oneCredential(request.body.licenseKey, headerLicenseKey(request), 'licenseKey', 'authorization') };
      requireOneOf(input);
      if (input.licenseKey) await perLicenseKey(reply, input.licenseKey);
      return licensing.validate(input);
    },
  );
};

/** Exactly one of a key (from the body or the header, with its product) and a lease token. */
function requireOneOf(input: { licenseKey?: string | undefined; leaseToken?: string | undefined; product?: string | undefined }) {
  const refuse = (path: string, message: string) => {
    throw new LeaseholdError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });
  };
  if (input.licenseKey === undefined && input.leaseToken === undefined)
    refuse('body.licenseKey', 'is required (or give leaseToken, or send Authorization: License <key>)');
  if (input.licenseKey !== undefined && input.leaseToken !== undefined) refuse('body.leaseToken', 'give either a license key or leaseToken, not both');
  if (input.licenseKey !== undefined && input.product === undefined) refuse('body.product', 'is required with a license key');
}

function context(request: FastifyRequest, actor: RequestContext['actor']): RequestContext {
  return { requestId: request.id, ip: request.ip, actor };
}
