import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext, adminScope } from './auth.js';
import { idParams, problems } from './common.js';

export const licenseRoutes: FastifyPluginAsync<Pick<Services, 'licenses' | 'mail' | 'seatQueue'>> = async (plain, { licenses, mail, seatQueue }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['licenses'];
  const params = idParams('license');
  app.post(
    '/licenses',
    {
      config: { scope: 'licenses:write' },
      schema: {
        tags,
        summary: 'Issue a license',
        description: 'The answer holds the license key: it is shown this once and stored only as a hash. With `sendKeyTo`, the key is also mailed there.',
        body: schemas.createLicense,
        response: { 201: schemas.createdLicense, ...problems },
      },
    },
    async (request, reply) => {
      const { sendKeyTo, ...input } = request.body;
      const created = await licenses.create(input, adminScope(request), adminContext(request));
      if (sendKeyTo) mail.licenseKey(created, sendKeyTo);
      return reply.code(201).send(created);
    },
  );
  app.get(
    '/licenses',
    {
      config: { scope: 'licenses:read' },
      schema: { tags, summary: 'List licenses', querystring: schemas.licenseQuery, response: { 200: schemas.licensePage, ...problems } },
    },
    async (request) => licenses.list(request.query, adminScope(request)),
  );
  app.get(
    '/licenses/:id',
    { config: { scope: 'licenses:read' }, schema: { tags, summary: 'Read a license', params, response: { 200: schemas.license, ...problems } } },
    async (request) => licenses.get(request.params.id, adminScope(request)),
  );
  app.get(
    '/licenses/:id/queue',
    {
      config: { scope: 'licenses:read' },
      schema: {
        tags,
        summary: 'Who waits for a seat of the license',
        description: 'The live places of its seat queue in the order seats go to them: waiters, and seats lingering for the machine that gave them back.',
        params,
        response: { 200: schemas.licenseQueue, ...problems },
      },
    },
    async (request) => {
      // Read first, so a license of another organisation (for a scoped key) is not found.
      await licenses.get(request.params.id, adminScope(request));
      return { data: await seatQueue.list(request.params.id) };
    },
  );
  app.patch(
    '/licenses/:id',
    {
      config: { scope: 'licenses:write' },
      schema: {
        tags,
        summary: 'Change seats, overage, entitlements, expiry, plan or metadata',
        description: 'null clears an override so the plan applies. Seats below current use stop new acquires; running sessions are not cut off.',
        params,
        body: schemas.updateLicense,
        response: { 200: schemas.license, ...problems },
      },
    },
    async (request) => licenses.update(request.params.id, request.body, adminScope(request), adminContext(request)),
  );
  for (const transition of ['suspend', 'reinstate', 'revoke'] as const) {
    app.post(
      `/licenses/:id/${transition}`,
      {
        config: { scope: 'licenses:write' },
        schema: {
          tags,
          summary: `${transition[0]?.toUpperCase()}${transition.slice(1)} a license`,
          description: transition === 'reinstate' ? undefined : 'Running sessions end at their next heartbeat.',
          params,
          body: schemas.licenseAction.optional(),
          response: { 200: schemas.license, ...problems },
        },
      },
      async (request) => licenses.changeStatus(request.params.id, transition, request.body?.reason, adminScope(request), adminContext(request)),
    );
  }
  app.post(
    '/licenses/:id/rotate-key',
    {
      config: { scope: 'licenses:write' },
      schema: {
        tags,
        summary: 'Issue a new license key',
        description: 'The old key stops working at once; running sessions keep their seats. The new key is in this answer only.',
        params,
        response: { 200: schemas.createdLicense, ...problems },
      },
    },
    async (request) => licenses.rotateKey(request.params.id, adminScope(request), adminContext(request)),
  );
  app.post(
    '/licenses/:id/renew',
    {
      config: { scope: 'licenses:write' },
      schema: {
        tags,
        summary: 'Renew a license',
        description: 'Sets expiresAt or extends by extendDays from the current expiry (or now, if past). An expired license becomes active.',
        params,
        body: schemas.renewLicense,
        response: { 200: schemas.license, ...problems },
      },
    },
    async (request) => licenses.renew(request.params.id, request.body, adminScope(request), adminContext(request)),
  );
};
