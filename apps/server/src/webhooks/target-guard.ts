import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may not go: private, loopback, link-local, unique-local, shared,
 * multicast and reserved ranges, so a webhook URL cannot reach the server's own network
 * (metadata services, databases, the admin port).
 */
const REFUSED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  REFUSED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  REFUSED.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address is one a webhook may not reach (IPv4-mapped IPv6 judged as IPv4). */
export function isRefusedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return REFUSED.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 4) return REFUSED.check(address, 'ipv4');
  if (family === 6) return REFUSED.check(address, 'ipv6') || /^::ffff:/i.test(address);
  return true;
}

/** Raised when a target is refused; its message goes to the delivery log or the 400. */
export class RefusedTarget extends Error {}

/** The host of a URL without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Refuses a URL whose host is an IP literal in a refused range, when an endpoint is saved.
 * A name is judged by what it resolves to at each delivery (see pinTarget).
 */
export function refusedLiteral(url: URL): string | null {
  const host = hostOf(url);
  if (isIP(host) && isRefusedAddress(host)) return `${host} is a private, loopback or link-local address`;
  return null;
}

export interface PinnedTarget {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host once and answers the address to connect to, refusing it when
 * any address the name resolves to is refused (a name with one public and one private
 * address is refused too). The request then connects to this address only, so a second
 * resolution cannot point it elsewhere.
 */
export async function pinTarget(url: URL, allowPrivate: boolean): Promise<PinnedTarget> {
  const host = hostOf(url);
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await lookup(host, { all: true, verbatim: true });
  const first = addresses[0];
  if (!first) throw new RefusedTarget(`${host} does not resolve`);
  if (!allowPrivate) {
    const refused = addresses.find((a) => isRefusedAddress(a.address));
    if (refused) throw new RefusedTarget(`${host} resolves to ${refused.address}, a private, loopback or link-local address`);
  }
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
