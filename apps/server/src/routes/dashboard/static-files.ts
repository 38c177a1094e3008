import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { LeaseholdError } from '../../kernel/errors.js';

/** The dashboard's build, beside the server's in the workspace and in the image. */
const DASHBOARD_DIST = fileURLToPath(new URL('../../../../dashboard/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/**
 * Sends a file of the build, or index.html for any other path under /dashboard so the
 * app's own router decides. Hashed assets are cached for good; the page never.
 */
export async function sendDashboardFile(reply: FastifyReply, path: string, dist = DASHBOARD_DIST): Promise<FastifyReply> {
  const relative = normalize(path).replace(/^([/\\])+/, '');
  const candidate = join(dist, relative);
  const inside = candidate.startsWith(dist) && !relative.split(sep).includes('..');
  const isFile = inside && relative !== '' && (await stat(candidate).catch(() => null))?.isFile();
  // A missing hashed asset is a stale page asking for an old build: the app's page would not help it.
  if (!isFile && relative.startsWith('assets/')) throw new LeaseholdError('NOT_FOUND', 'No such dashboard asset.');
  const file = isFile ? candidate : join(dist, 'index.html');
  const body = await readFile(file).catch(() => null);
  if (!body) throw new LeaseholdError('SERVICE_UNAVAILABLE', 'The dashboard is not built: run `npm run build`.');
  const immutable = isFile && relative.startsWith('assets/');
  return reply
    .headers(SECURITY_HEADERS)
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .type(TYPES[extname(file)] ?? 'application/octet-stream')
    .send(body);
}
