import type { TrustProxy } from '../config.js';

/** The value Fastify takes: a hop count becomes "trust the nearest N hops" (hop 0 is the socket's peer). */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}
