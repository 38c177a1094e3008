import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { newId } from '@leasehold/protocol/ids';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from './app-services.js';
import { unsafeInputRefusal } from './http/input-guard.js';
import { loggableUrl } from './http/loggable-url.js';
import { docsPageOptions } from './http/openapi/docs-page.js';
import { openApiOptions } from './http/openapi/document.js';
import { errorHandler, reportingFor, sendProblem } from './http/problem.js';
import { fastifyTrustProxy } from './http/trust-proxy.js';
import { adminRoutes } from './routes/admin/index.js';
import { authRoutes } from './routes/auth/index.js';
import { dashboardRoutes } from './routes/dashboard/index.js';
import { licensingRoutes } from './routes/licensing.js';
import { meRoutes } from './routes/me.js';
import { opsRoutes } from './routes/ops.js';
import { orgRoutes } from './routes/orgs/index.js';
import { webhookRoutes } from './routes/webhooks.js';

export type App = FastifyInstance;

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY } as const;

/** Paths that must never appear in logs with their bodies or credentials. */
const REDACT = ['req.headers.authorization', 'req.headers["leasehold-session-secret"]', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** Fastify's request fields, with the URL as the log may keep it (no query values, no invitation secrets). */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * Builds the HTTP application around already-built services. Nothing here
 * opens databases or reads configuration: that is the composition root's job.
 */
export interface BuildOptions {
  /** Runs before any route is registered, e.g. to add an onRoute hook (tests check every answer against its schema). */
  beforeRoutes?: (app: App) => void;
}

export async function buildApp(services: Services, logger: FastifyServerOptions['logger'] = false, options: BuildOptions = {}): Promise<App> {
  const { config, metrics } = services;
  const app = Fastify({
    logger: logger && typeof logger === 'object' ? { ...logger, redact: REDACT, serializers: { req: serializeRequest } } : logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : newId('request');
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Fastify logs two lines per request; one line per answer (see the onResponse hook) says the same for half the cost.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false } },
    // Prototype keys are parsed as plain own properties and refused by name (unsafeInputRefusal).
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  }).withTypeProvider<ZodTypeProvider>();

  options.beforeRoutes?.(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Hooks on every request take a callback, not a promise: a heartbeat passes three of them.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => done(unsafeInputRefusal(request)));
  const requestLogLevel = config.requestLogLevel;
  // Decided once, not per answer: at a busy server's usual LOG_LEVEL this line is not written.
  const loggerLevel = (logger && typeof logger === 'object' && 'level' in logger ? logger.level : 'info') as keyof typeof LEVELS;
  const logAnswers = Boolean(logger) && LEVELS[requestLogLevel] >= (LEVELS[loggerLevel] ?? LEVELS.info);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (logAnswers) {
      request.log[requestLogLevel]({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
    done();
  });
  const reporting = reportingFor(services);
  app.setErrorHandler((error: FastifyError, request, reply) => errorHandler(error, request, reply, reporting));
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`));

  await app.register(
    swagger,
    openApiOptions(config.publicUrl, () => services.identity.signIn.providerNames()),
  );
  await app.register(swaggerUi, docsPageOptions());

  // Each area's routes are given only the services they call.
  const { adminSessions, apiKeys, audit, billing, catalog, ciMappings, clock, identity, licenses, licensing, lifecycle, mail } = services;
  const { organisations, overview, rateLimiter, readiness, seatQueue, selfServe, sessions, signer, staff, usageReports, webhooks } = services;
  await app.register(opsRoutes, { config, metrics, clock, lifecycle, readiness, signer });
  await app.register(licensingRoutes, { licensing, identity, rateLimiter, config, prefix: '/api/v1/licenses' });
  await app.register(adminRoutes, {
    adminSessions,
    apiKeys,
    audit,
    catalog,
    ciMappings,
    config,
    identity,
    licenses,
    mail,
    organisations,
    overview,
    rateLimiter,
    seatQueue,
    selfServe,
    sessions,
    staff,
    usageReports,
    webhooks,
    prefix: '/api/v1/admin',
  });
  await app.register(authRoutes, { identity, config, rateLimiter, reporting, prefix: '/auth' });
  await app.register(meRoutes, { identity, rateLimiter, config, prefix: '/api/v1' });
  await app.register(orgRoutes, { identity, rateLimiter, config, licenses, sessions, mail, selfServe, webhooks, ciMappings, prefix: '/api/v1' });
  await app.register(webhookRoutes, { billing, clock, config });
  await app.register(dashboardRoutes, { adminSessions, apiKeys, config, identity, rateLimiter, staff });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
