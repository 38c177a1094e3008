import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { toCsv } from '../../usage/usage-report.js';
import { adminScope } from './auth.js';
import { idParams, problems } from './common.js';

/** Seat-usage analytics from the hourly rollup, as JSON or CSV (`format=csv`). */
export const usageRoutes: FastifyPluginAsync<Pick<Services, 'usageReports' | 'licenses'>> = async (plain, { usageReports: report, licenses }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['usage'];

  app.get(
    '/licenses/:id/usage',
    {
      config: { scope: 'licenses:read' },
      schema: {
        tags,
        summary: "A license's seat usage per hour or day",
        description:
          'Peak and average seats held (by seat-basis key), denials for want of a seat and utilisation against the seats sold in force at the time, over up to a year.',
        params: idParams('license'),
        querystring: schemas.usageQuery,
        response: { 200: schemas.licenseUsage, ...problems },
        produces: ['application/json', 'text/csv'],
      },
    },
    async (request, reply) => {
      const license = await licenses.get(request.params.id, adminScope(request));
      const usage = await report.license(license.id, license.seats, request.query);
      if (request.query.format === 'json') return usage;
      const csv = toCsv(['start', 'seats', 'peak', 'average', 'denials', 'utilisation'], usage.buckets);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="usage-${license.id}.csv"`)
        .serializer(String)
        .send(csv as never);
    },
  );

  app.get(
    '/usage',
    {
      config: { scope: 'licenses:read' },
      schema: {
        tags,
        summary: 'Seat usage of every active license',
        description: 'order=denials: who needs more seats; order=utilisation: who pays for seats they do not use.',
        querystring: schemas.usageSummaryQuery,
        response: { 200: schemas.usageSummary, ...problems },
        produces: ['application/json', 'text/csv'],
      },
    },
    async (request, reply) => {
      const summary = await report.summary(request.query, adminScope(request));
      if (request.query.format === 'json') return summary;
      const csv = toCsv(['licenseId', 'organisationId', 'seats', 'peak', 'average', 'denials', 'utilisation'], summary.data);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="usage.csv"')
        .serializer(String)
        .send(csv as never);
    },
  );
};
