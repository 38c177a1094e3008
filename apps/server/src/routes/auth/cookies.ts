import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';

export const SESSION_COOKIE = 'lh_session';
/** Readable by the page's scripts: they echo it in `x-csrf-token` on state changes. */
export const CSRF_COOKIE = 'lh_csrf';
/** Binds an authorization-code flow to the browser that started it (login CSRF). */
export const STATE_COOKIE = 'lh_oauth_state';

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Cookies are Secure whenever the server is reached over TLS: an https public URL, or https at a trusted proxy. */
function isSecure(request: FastifyRequest, config: Config): boolean {
  return config.publicUrl.startsWith('https:') || (config.trustProxy !== false && request.protocol === 'https');
}

export function setCookie(
  reply: FastifyReply,
  config: Config,
  name: string,
  value: string,
  options: { maxAgeSeconds: number; httpOnly?: boolean; path?: string },
): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, `Max-Age=${options.maxAgeSeconds}`, 'SameSite=Lax'];
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (isSecure(reply.request, config)) parts.push('Secure');
  const existing = reply.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing : typeof existing === 'string' ? [existing] : [];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}

export function clearCookie(reply: FastifyReply, config: Config, name: string, path = '/'): void {
  setCookie(reply, config, name, '', { maxAgeSeconds: 0, path });
}
