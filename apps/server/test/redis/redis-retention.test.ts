import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import { RedisConnection } from '../../src/redis/connection.js';
import { RedisSeatKeys } from '../../src/seats/redis-seat-keys.js';
import { dropPrefix, REDIS_TEST_URL, randomPrefix } from './redis-support.js';

// A session owns no Redis key (redis/seat-scripts.ts): nothing expires by itself. The scripts
// keep a session for the retention after its lease ran out, then forget it.

const TTL = 1_000;
const RETENTION = 5_000;

describe('the Redis seat store forgets sessions past their lease and the retention', () => {
  let connection: RedisConnection;
  const prefix = randomPrefix();
  const keys = new RedisSeatKeys(prefix);
  const lic = 'lic_retention';
  const base = keys.base(lic);

  beforeAll(async () => {
    connection = new RedisConnection(REDIS_TEST_URL, new Metrics({ defaultMetrics: false }));
    await connection.connect();
    await connection.client.set(keys.epoch(lic), 'e1');
  });
  afterAll(async () => {
    await connection?.close();
    await dropPrefix(REDIS_TEST_URL, prefix);
  });

  const acquire = (now: number, sid: string, basis: string, o: { idem?: string; mode?: string } = {}) =>
    connection.client.lhAcquire(
      keys.epoch(lic),
      keys.seats(lic),
      String(now),
      base,
      sid,
      basis,
      'machine-1',
      '',
      Buffer.alloc(32, 7),
      2,
      TTL,
      0,
      RETENTION,
      o.idem ?? '',
      'host-1',
      0,
      0,
      '',
      '',
      o.mode ?? 'acquire',
      '',
    ) as Promise<unknown[]>;
  const heartbeat = (now: number, sid: string) =>
    connection.client.lhHeartbeat(keys.epoch(lic), keys.seats(lic), String(now), base, sid, '07'.repeat(32), 2, TTL, 0, RETENTION) as Promise<unknown[]>;
  const sessionIds = () => connection.client.hkeys(keys.sessions(lic));

  it('a session-basis seat: one field and one seat entry, kept until lease plus retention, then purged with its idempotency key', async () => {
    expect((await acquire(1_000, 'ses_a', 's:ses_a', { idem: 'key-a' }))[0]).toBe('GRANTED');
    expect(await sessionIds()).toEqual(['ses_a']);
    expect(await connection.client.zrange(keys.seats(lic), 0, -1)).toEqual(['s:ses_a']);
    // No per-session key: the seat entry names the session.
    expect(await connection.client.exists(`${base}b:s:ses_a`, `${base}s:ses_a`)).toBe(0);
    expect(await connection.client.get(`${base}i:key-a`)).toBe('ses_a');
    // Lapsed at 2,000, still kept at 2,000 + retention: Redis knows it (a re-admission is refused).
    expect((await acquire(2_000 + RETENTION, 'ses_a', 's:ses_a', { mode: 'readmit' }))[0]).toBe('EXISTS');
    // One millisecond later it is gone (a heartbeat goes to PostgreSQL), and the next grant purges it.
    expect((await heartbeat(2_001 + RETENTION, 'ses_a'))[0]).toBe('NOT_FOUND');
    expect(await sessionIds()).toEqual(['ses_a']);
    expect((await acquire(2_001 + RETENTION, 'ses_b', 's:ses_b'))[0]).toBe('GRANTED');
    expect(await sessionIds()).toEqual(['ses_b']);
    expect(await connection.client.zrange(keys.seats(lic), 0, -1)).toEqual(['s:ses_b']);
    expect(await connection.client.exists(`${base}i:key-a`)).toBe(0);
  });

  it('a shared seat: a heartbeat forgets the seat’s sessions past the retention and keeps the others', async () => {
    const t = 100_000;
    expect((await acquire(t, 'ses_m1', 'm:machine-1'))[0]).toBe('GRANTED');
    expect((await acquire(t + 3_000, 'ses_m2', 'm:machine-1'))[0]).toBe('GRANTED');
    expect(await connection.client.zrange(`${base}b:m:machine-1`, 0, -1)).toEqual(['ses_m1', 'ses_m2']);
    // ses_m1 lapsed at t + 1,000 and is past the retention; ses_m2 (lapsed at t + 4,000) is not.
    const beat = await heartbeat(t + 1_001 + RETENTION, 'ses_m2');
    expect(beat[0]).toBe('RENEWED');
    expect(await connection.client.zrange(`${base}b:m:machine-1`, 0, -1)).toEqual(['ses_m2']);
    expect(await sessionIds()).not.toContain('ses_m1');
    expect(await sessionIds()).toContain('ses_m2');
    expect(await connection.client.zscore(keys.seats(lic), 'm:machine-1')).toBe(String(t + 1_001 + RETENTION + TTL));
  });
});
