import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import { RedisConnection } from '../../src/redis/connection.js';
import { ThrowawayRedisCluster } from './redis-cluster-support.js';
import { dropPrefix, REDIS_TEST_URL, randomPrefix } from './redis-support.js';

// The commands of one event-loop turn leave the server in one write (one system call),
// and come back in order; a command made in a later turn is not held back for it.

/** Counts the writes the socket makes (a corked socket's chunks go in one _writev). */
function countWrites(socket: Socket): { readonly writes: number } {
  const counter = { writes: 0 };
  const stream = socket as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  stream._write = (...args) => {
    counter.writes += 1;
    write(...args);
  };
  stream._writev = (...args) => {
    counter.writes += 1;
    writev(...args);
  };
  return counter;
}

const socketOf = (redis: Redis) => (redis as unknown as { stream: Socket }).stream;

describe('one write per event-loop turn', () => {
  let connection: RedisConnection;
  const prefix = randomPrefix();

  beforeAll(async () => {
    connection = new RedisConnection(REDIS_TEST_URL, new Metrics({ defaultMetrics: false }));
    expect(await connection.connect()).toBe(true);
  });
  afterAll(async () => {
    await dropPrefix(REDIS_TEST_URL, prefix);
    await connection.close();
  });

  it('sends 200 commands made in one turn in one write, and answers each in order', async () => {
    const counter = countWrites(socketOf(connection.primaries()[0] as Redis));
    const key = `${prefix}counter`;
    const answers = await Promise.all(Array.from({ length: 200 }, () => connection.client.incr(key)));
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(counter.writes).toBe(1);
  });

  it('sends a command made in a later turn in a write of its own, without waiting for more', async () => {
    const counter = countWrites(socketOf(connection.primaries()[0] as Redis));
    const key = `${prefix}one-by-one`;
    for (let i = 1; i <= 20; i++) expect(await connection.client.incr(key)).toBe(i);
    expect(counter.writes).toBe(20);
  });

  it('keeps doing so on the new socket after a reconnect', async () => {
    const redis = connection.primaries()[0] as Redis;
    const old = socketOf(redis);
    const ready = new Promise((resolve) => redis.once('ready', resolve));
    old.destroy();
    await ready;
    expect(socketOf(redis)).not.toBe(old);
    const counter = countWrites(socketOf(redis));
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => connection.client.set(`${prefix}after-${i}`, String(i))));
    expect(answers.every((a) => a === 'OK')).toBe(true);
    expect(counter.writes).toBe(1);
  });
});

describe('one write per event-loop turn and node, on Redis Cluster', () => {
  let cluster: ThrowawayRedisCluster;
  let connection: RedisConnection;

  beforeAll(async () => {
    cluster = await ThrowawayRedisCluster.start();
    connection = new RedisConnection(cluster.url, new Metrics({ defaultMetrics: false }), { cluster: true });
    expect(await connection.connect(10_000)).toBe(true);
  }, 60_000);
  afterEach(async () => {
    await connection.client.flushall().catch(() => {});
  });
  afterAll(async () => {
    await connection?.close();
    await cluster?.stop();
  });

  it("sends each primary its share of one turn's commands in one write", async () => {
    // Keys of 30 licenses spread over the three primaries (their hash tags pick the slots).
    const keys = Array.from({ length: 30 }, (_, i) => `{lic_${i}}:n`);
    await Promise.all(keys.map((k) => connection.client.set(k, '0')));
    const primaries = connection.primaries();
    expect(primaries).toHaveLength(3);
    const counters = primaries.map((p) => countWrites(socketOf(p)));
    const answers = await Promise.all(keys.flatMap((k) => [connection.client.incr(k), connection.client.incr(k)]));
    expect(answers).toEqual(keys.flatMap(() => [1, 2]));
    expect(counters.map((c) => c.writes)).toEqual([1, 1, 1]);
  });
});
