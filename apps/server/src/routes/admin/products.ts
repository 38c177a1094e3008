import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext } from './auth.js';
import { idParams, problems } from './common.js';

export const productRoutes: FastifyPluginAsync<Pick<Services, 'catalog'>> = async (plain, { catalog }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['products'];
  app.post(
    '/products',
    {
      config: { scope: 'products:write' },
      schema: { tags, summary: 'Create a product', body: schemas.createProduct, response: { 201: schemas.product, ...problems } },
    },
    async (request, reply) => reply.code(201).send(await catalog.createProduct(request.body, adminContext(request))),
  );
  app.get(
    '/products',
    {
      config: { scope: 'products:read' },
      schema: { tags, summary: 'List products', querystring: schemas.pageQueryOf('product'), response: { 200: schemas.productPage, ...problems } },
    },
    async (request) => catalog.listProducts(request.query.limit, request.query.cursor),
  );
  app.get(
    '/products/:id',
    {
      config: { scope: 'products:read' },
      schema: { tags, summary: 'Read a product', params: idParams('product'), response: { 200: schemas.product, ...problems } },
    },
    async (request) => catalog.getProduct(request.params.id),
  );
  app.patch(
    '/products/:id',
    {
      config: { scope: 'products:write' },
      schema: {
        tags,
        summary: 'Rename a product',
        params: idParams('product'),
        body: schemas.updateProduct,
        response: { 200: schemas.product, ...problems },
      },
    },
    async (request) => catalog.updateProduct(request.params.id, request.body, adminContext(request)),
  );
};
