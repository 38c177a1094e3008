import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/**
 * Sends a small server-rendered page. No scripts and no outside resources: the
 * content security policy forbids both, and framing is refused (clickjacking).
 */
export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · Leasehold</title>` +
        '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}input,button{font:inherit;padding:.4rem .8rem}code{font-size:1.3rem;letter-spacing:.1rem}</style>' +
        `</head><body><h1>${esc(title)}</h1>${body}</body></html>`,
    );
}

/** Links to each configured sign-in provider, coming back to `returnTo` afterwards. */
export function signInLinks(providers: string[], returnTo: string): string {
  if (providers.length === 0) return '<p>No sign-in provider is configured on this server.</p>';
  const names: Record<string, string> = { google: 'Google', github: 'GitHub' };
  return `<ul>${providers
    .map((p) => `<li><a href="/auth/${esc(p)}/start?redirect_to=${esc(encodeURIComponent(returnTo))}">Sign in with ${esc(names[p] ?? p)}</a></li>`)
    .join('')}</ul>`;
}
