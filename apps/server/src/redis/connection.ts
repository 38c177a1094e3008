import { Cluster, Redis, type RedisOptions, ReplyError } from 'ioredis';
import { LeaseholdError } from '../kernel/errors.js';
import { oneWritePerTurn } from './one-write-per-turn.js';
import {
  ACQUIRE,
  BORROW,
  COUNT,
  DROP_EPOCH,
  END,
  HEARTBEAT,
  HEARTBEAT_TIMES,
  INSPECT,
  LOAD,
  RATE_HIT,
  REAP,
  REBUILD_LOCK,
  RESTORE_SECRET,
  SET_TOKEN,
  TIME,
} from './seat-scripts.js';

type Arg = string | number | Buffer;
type Script = (...args: Arg[]) => Promise<unknown>;

/** The scripts, defined once per connection; ioredis calls them by SHA and falls back to EVAL. */
export interface Scripts {
  lhAcquire: Script;
  lhHeartbeat: Script;
  lhBorrow: Script;
  lhEnd: Script;
  lhReap: Script;
  lhCount: Script;
  lhSetToken: Script;
  lhRestoreSecret: Script;
  lhHeartbeatTimes: Script;
  lhTime: Script;
  lhLoad: Script;
  lhRebuildLock: Script;
  lhDropEpoch: Script;
  lhInspect: Script;
  lhRateHit: Script;
}

const DEFINITIONS: Record<keyof Scripts, { numberOfKeys: number; lua: string }> = {
  lhAcquire: { numberOfKeys: 2, lua: ACQUIRE },
  lhHeartbeat: { numberOfKeys: 2, lua: HEARTBEAT },
  lhBorrow: { numberOfKeys: 2, lua: BORROW },
  lhEnd: { numberOfKeys: 2, lua: END },
  lhReap: { numberOfKeys: 2, lua: REAP },
  lhCount: { numberOfKeys: 2, lua: COUNT },
  lhSetToken: { numberOfKeys: 1, lua: SET_TOKEN },
  lhRestoreSecret: { numberOfKeys: 1, lua: RESTORE_SECRET },
  lhHeartbeatTimes: { numberOfKeys: 1, lua: HEARTBEAT_TIMES },
  // The key names whose shard's clock is read (on Redis Cluster every shard has its own).
  lhTime: { numberOfKeys: 1, lua: TIME },
  lhLoad: { numberOfKeys: 3, lua: LOAD },
  lhRebuildLock: { numberOfKeys: 2, lua: REBUILD_LOCK },
  lhDropEpoch: { numberOfKeys: 1, lua: DROP_EPOCH },
  lhInspect: { numberOfKeys: 2, lua: INSPECT },
  lhRateHit: { numberOfKeys: 1, lua: RATE_HIT },
};

/** What the connection counts (ops/metrics.ts implements it). */
export interface RedisMetrics {
  redisCommand(command: string, seconds: number): void;
  redisError(command: string): void;
}

/** Each script also answers its bulk strings as Buffers, as `<name>Buffer` (ioredis defines both). */
type BufferScripts = { [K in keyof Scripts as `${K}Buffer`]: Script };

export type ScriptedRedis = (Redis | Cluster) & Scripts & BufferScripts;
type Pipeline = ReturnType<Redis['pipeline']> & Scripts;

/** Seconds a caller is told to wait when Redis cannot answer. */
export const REDIS_RETRY_AFTER_SECONDS = 2;

/**
 * A command was sent but no answer came in time: Redis may have run it, or may run it
 * still (a queued script). Callers that changed state reconcile by what they know (the
 * session ID they chose) instead of assuming nothing changed.
 */
export class RedisOutcomeUnknown extends LeaseholdError {
  constructor(readonly command: string) {
    super('SERVICE_UNAVAILABLE', 'The seat store did not answer in time; retry shortly with the same idempotency key.', {}, REDIS_RETRY_AFTER_SECONDS);
  }
}

/** Replies that mean "not now" rather than "wrong": the server is loading, failing over or read-only. */
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY)\b/;

/**
 * One Redis connection shared by the seat store and the rate limiter, with every
 * command timed and its failures counted. Commands fail fast while disconnected
 * (no offline queue, a command timeout) so a request answers 503 instead of hanging.
 * On Redis Cluster the URL names one node; ioredis discovers the rest and routes each
 * command to the shard of its keys (every key of a license shares one hash slot).
 */
export class RedisConnection {
  readonly client: ScriptedRedis;
  readonly cluster: boolean;

  constructor(
    url: string,
    private readonly metrics: RedisMetrics,
    options: { commandTimeoutMs?: number; caCert?: string | null; cluster?: boolean } = {},
  ) {
    const nodeOptions: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      connectTimeout: 2_000,
      // Reconnect for ever, backing off to one attempt a second.
      retryStrategy: (times) => Math.min(times * 100, 1_000),
      lazyConnect: true,
      // rediss:// turns TLS on; a private CA (Memorystore's server CA) is trusted on top of the system's.
      ...(options.caCert ? { tls: { ca: options.caCert } } : {}),
    };
    this.cluster = options.cluster ?? false;
    const client = this.cluster
      ? new Cluster([url], {
          // Every node discovered gets these: the URL's credentials and, for rediss://, TLS.
          redisOptions: { ...clusterNodeAuth(url), ...nodeOptions },
          enableOfflineQueue: false,
          lazyConnect: true,
          // Rediscover the shards for ever, as a single connection reconnects for ever.
          clusterRetryStrategy: (times) => Math.min(times * 100, 1_000),
          // A failover moves slots: ask again soon, a few times, before answering 503.
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 200,
          // A TLS endpoint's certificate names the host, not the address it resolves to.
          ...(options.caCert || url.startsWith('rediss://') ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
        })
      : new Redis(url, nodeOptions);
    // Errors surface on commands; the event only needs a listener so it is not thrown.
    client.on('error', () => {});
    for (const [name, definition] of Object.entries(DEFINITIONS)) client.defineCommand(name, definition);
    this.client = client as ScriptedRedis;
    // A busy turn's commands leave in one write (one-write-per-turn.ts); on a cluster, per node.
    if (client instanceof Cluster) client.on('+node', (node: Redis) => oneWritePerTurn(node));
    else oneWritePerTurn(client);
  }

  /** Connects, giving up after `timeoutMs`; ioredis keeps retrying in the background either way. */
  async connect(timeoutMs = 5_000): Promise<boolean> {
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    this.client.connect().catch(() => {});
    return ready;
  }

  /**
   * Runs the items' commands in pipelines: Redis Cluster takes a pipeline only when all
   * its keys are in one slot, so there the items are grouped (by license: every key of a
   * license shares its slot) and the groups run side by side; one Redis takes them all
   * at once. Answers each item's reply or error, in the order given; rejects when a
   * pipeline could not be sent at all.
   */
  async pipelined<T>(
    command: string,
    items: T[],
    groupOf: (item: T) => string,
    add: (pipeline: Pipeline, item: T) => void,
  ): Promise<[Error | null, unknown][]> {
    const groups = new Map<string, number[]>();
    items.forEach((item, i) => {
      const group = this.cluster ? groupOf(item) : '';
      const members = groups.get(group);
      if (members) members.push(i);
      else groups.set(group, [i]);
    });
    const replies: [Error | null, unknown][] = new Array(items.length);
    await this.run(command, () =>
      Promise.all(
        [...groups.values()].map(async (indices) => {
          const pipeline = this.client.pipeline() as unknown as Pipeline;
          for (const i of indices) add(pipeline, items[i] as T);
          const answers = (await pipeline.exec()) ?? [];
          indices.forEach((i, k) => {
            replies[i] = (answers[k] ?? [new Error('no reply'), null]) as [Error | null, unknown];
          });
        }),
      ),
    );
    return replies;
  }

  /** The connections to the primaries that hold data: one Redis, or each master of the cluster. */
  primaries(): Redis[] {
    return this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
  }

  /** Runs one command, timing it; a connection failure becomes SERVICE_UNAVAILABLE with Retry-After. */
  async run<T>(command: string, work: (client: ScriptedRedis) => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await work(this.client);
    } catch (error) {
      this.metrics.redisError(command);
      if (error instanceof ReplyError && !TRANSIENT_REPLY.test((error as Error).message)) throw error;
      // A command that timed out was sent and may still run: its outcome is unknown.
      if (error instanceof Error && /timed out/i.test(error.message)) throw new RedisOutcomeUnknown(command);
      throw new LeaseholdError(
        'SERVICE_UNAVAILABLE',
        'The seat store is unreachable for a moment. Nothing was changed; retry shortly.',
        { dependency: 'redis' },
        REDIS_RETRY_AFTER_SECONDS,
      );
    } finally {
      this.metrics.redisCommand(command, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async ping(): Promise<void> {
    await this.run('ping', (c) => c.ping());
  }

  async close(): Promise<void> {
    try {
      if (this.client.status === 'ready') await this.client.quit();
      else this.client.disconnect();
    } catch {
      this.client.disconnect();
    }
  }
}

/** What a Redis Cluster's nodes need from the seed URL: ioredis gives discovered nodes only host and port. */
function clusterNodeAuth(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
