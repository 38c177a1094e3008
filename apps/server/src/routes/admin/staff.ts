import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { LeaseholdError } from '../../kernel/errors.js';
import { adminContext, adminScope } from './auth.js';
import { problems } from './common.js';

export const staffRoutes: FastifyPluginAsync<Pick<Services, 'staff'>> = async (plain, { staff }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/staff',
    {
      config: { scope: 'api-keys:write' },
      schema: {
        tags: ['api keys'],
        summary: "Grant or withdraw a user's staff role",
        description: 'Staff who sign in through an identity provider use the dashboard as a vendor-wide admin key would.',
        body: schemas.setStaff,
        response: { 200: schemas.staffMember, ...problems },
      },
    },
    async (request) => {
      if (adminScope(request).organisationId) throw new LeaseholdError('FORBIDDEN', 'A key bound to one organisation cannot grant the staff role.');
      return staff.set(request.body, request.body.staff, adminContext(request));
    },
  );
};
