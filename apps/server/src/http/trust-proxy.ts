import { isIP } from 'node:net';

/**
 * Which proxies' X-Forwarded-For entries to believe: none, the nearest N hops,
 * or only hops whose address is in a CIDR list. "Trust everything" is refused:
 * it takes the leftmost entry, which any client can write.
 */
export type TrustProxy = false | number | string[];

/** Parses LEASEHOLD_TRUST_PROXY; returns a message naming what is wrong, or the value. */
export function parseTrustProxy(value: string): TrustProxy | { problem: string } {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'false' || trimmed === '0') return false;
  if (trimmed === 'true') {
    return { problem: 'true would believe any client-written X-Forwarded-For; give a hop count (e.g. 2 behind Google’s load balancer) or a CIDR list' };
  }
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return hops <= 10 ? hops : { problem: `${hops} hops is more proxies than any deployment has (at most 10)` };
  }
  const entries = trimmed.split(',').map((e) => e.trim());
  const bad = entries.filter((entry) => !isCidr(entry));
  if (bad.length > 0)
    return { problem: `${bad.join(', ')}: not an IP address or CIDR range (expected a hop count or a list such as 35.191.0.0/16,130.211.0.0/22)` };
  return entries;
}

function isCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The value Fastify takes: a hop count becomes "trust the nearest N hops" (hop 0 is the socket's peer). */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}
