import { schemas } from '@leasehold/protocol';
import { ERROR_CODES, isErrorCode } from '@leasehold/protocol/errors';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { App } from '../../src/app.js';

interface Parser {
  safeParse(value: unknown): { success: boolean; error?: { message: string } };
}
const isParser = (value: unknown): value is Parser => typeof (value as Parser | undefined)?.safeParse === 'function';

/**
 * Checks every JSON answer of every route against the schema the route declares for
 * its status (which is what OpenAPI publishes), and every error answer against
 * problem+json with a code of the closed list and its status. A mismatch is recorded,
 * so a test can fail on it: the licensing routes write answers without a schema (for
 * speed), and an error answer that fails its schema would otherwise reach users as a 500.
 */
export function checkResponses(app: App, violations: string[]): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const declared = (route.schema?.response ?? {}) as Record<string, unknown>;
    const check = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (typeof payload !== 'string') return payload;
      const type = String(reply.getHeader('content-type') ?? '');
      if (!/^application\/(problem\+)?json/.test(type)) return payload;
      const where = `${request.method} ${route.url} → ${reply.statusCode}`;
      let body: unknown;
      try {
        body = JSON.parse(payload);
      } catch {
        violations.push(`${where}: not JSON although ${type}`);
        return payload;
      }
      const status = reply.statusCode;
      const schema = declared[status] ?? declared[`${Math.floor(status / 100)}xx`] ?? declared.default;
      if (isParser(schema)) {
        const result = schema.safeParse(body);
        if (!result.success) violations.push(`${where}: does not match its declared schema: ${result.error?.message}`);
      }
      if (type.startsWith('application/problem+json')) {
        const problem = schemas.problem.safeParse(body);
        const code = (body as { code?: unknown }).code;
        if (!problem.success) violations.push(`${where}: not a problem+json body`);
        else if (!isErrorCode(code)) violations.push(`${where}: code ${String(code)} is not in the closed list`);
        else if (ERROR_CODES[code].status !== status) violations.push(`${where}: code ${code} belongs to ${ERROR_CODES[code].status}`);
        else if ((body as { requestId?: unknown }).requestId !== request.id) violations.push(`${where}: the request ID is missing`);
      }
      return payload;
    };
    const existing = route.onSend;
    route.onSend = existing ? [...(Array.isArray(existing) ? existing : [existing]), check] : [check];
  });
}
