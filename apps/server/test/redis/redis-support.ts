import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';

/** The shared Redis tests use; each test keeps to its own key prefix in this database. */
export const REDIS_TEST_URL = process.env.LEASEHOLD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/5';

export const randomPrefix = () => `test-${randomBytes(6).toString('hex')}:`;

/** Deletes every key under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** A harness whose seats and rate limits live in Redis under a key prefix of its own. */
export async function createRedisHarness(options: HarnessOptions & { redisUrl?: string } = {}): Promise<Harness & { prefix: string }> {
  const prefix = randomPrefix();
  const url = options.redisUrl ?? REDIS_TEST_URL;
  const h = await createHarness('postgres', { ...options, env: { REDIS_URL: url, LEASEHOLD_REDIS_KEY_PREFIX: prefix, ...options.env } });
  return {
    ...h,
    prefix,
    async close() {
      await h.close();
      await dropPrefix(url, prefix).catch(() => {});
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server without persistence, which a test may stop, flush and start again. */
export class ThrowawayRedis {
  #child: ChildProcess | null = null;
  #dir: string | null = null;
  constructor(
    readonly port: number,
    /** More redis-server arguments, e.g. `--replicaof 127.0.0.1 6380`. */
    private readonly extraArgs: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null;
  }

  static async start(extraArgs: string[] = []): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort(), extraArgs);
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    // A directory of its own: a replica writes the RDB file of its full sync there, not in the working directory.
    this.#dir ??= mkdtempSync(join(tmpdir(), 'leasehold-redis-'));
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir, ...this.extraArgs],
      {
        stdio: 'ignore',
      },
    );
    this.#child = child;
    // Ready when it answers PING.
    for (let i = 0; i < 200; i++) {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        // not yet
      } finally {
        client.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async command<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return await work(client);
    } finally {
      client.disconnect();
    }
  }
}
