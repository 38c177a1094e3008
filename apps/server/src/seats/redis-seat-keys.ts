/**
 * The layout of a license's keys (redis/seat-scripts.ts), in their names: a release that
 * lays them out anew changes it, so it never reads another layout's keys. During a rolling
 * update, replicas of the two releases keep seats apart, each loading them from PostgreSQL,
 * and PostgreSQL's fence (seat_epochs) refuses every grant decided under an epoch the other's
 * load replaced (503 with Retry-After, then a load again). v2: a license's sessions in one hash.
 */
const LAYOUT = 'v2';

/**
 * Key names of the Redis seat store. Every key of a license carries the hash tag
 * `{lic_…}`, so all of them live in one slot and one script may touch them on
 * Redis Cluster. The prefix lets several deployments (or tests) share one Redis.
 */
export class RedisSeatKeys {
  constructor(readonly prefix: string) {}

  base(licenseId: string): string {
    return `${this.prefix}{${licenseId}}:${LAYOUT}:`;
  }
  epoch(licenseId: string): string {
    return `${this.base(licenseId)}epoch`;
  }
  seats(licenseId: string): string {
    return `${this.base(licenseId)}seats`;
  }
  lock(licenseId: string): string {
    return `${this.base(licenseId)}rebuild`;
  }
  /** The hash of the license's sessions, one packed field each (see redis/seat-scripts.ts). */
  sessions(licenseId: string): string {
    return `${this.base(licenseId)}ss`;
  }
}
