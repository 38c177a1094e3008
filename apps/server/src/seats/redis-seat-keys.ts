/**
 * Key names of the Redis seat store. Every key of a license carries the hash tag
 * `{lic_…}`, so all of them live in one slot and one script may touch them on
 * Redis Cluster. The prefix lets several deployments (or tests) share one Redis.
 */
export class RedisSeatKeys {
  constructor(readonly prefix: string) {}

  base(licenseId: string): string {
    return `${this.prefix}{${licenseId}}:`;
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
