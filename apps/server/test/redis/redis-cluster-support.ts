import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { ThrowawayRedis } from './redis-support.js';

/**
 * A throwaway Redis Cluster on this machine: three primaries, each with one replica,
 * made of the machine's redis-server in cluster mode on free ports. A primary can be
 * killed to see its replica promoted, and started again to rejoin as a replica.
 */
export class ThrowawayRedisCluster {
  private constructor(readonly nodes: ThrowawayRedis[]) {}

  /** The node servers are told about; they discover the others. */
  get url(): string {
    return (this.nodes[0] as ThrowawayRedis).url;
  }

  static async start(): Promise<ThrowawayRedisCluster> {
    // A short node timeout: a dead primary is noticed and replaced within a few seconds. A
    // replica may take over however long ago it last heard its primary (validity factor 0).
    const args = [
      '--cluster-enabled',
      'yes',
      '--cluster-node-timeout',
      '1000',
      '--cluster-replica-validity-factor',
      '0',
      '--cluster-config-file',
      'nodes.conf',
      '--appendonly',
      'no',
    ];
    const nodes = await Promise.all(Array.from({ length: 6 }, () => ThrowawayRedis.start(args)));
    const cluster = new ThrowawayRedisCluster(nodes);
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
    await cluster.settled();
    return cluster;
  }

  /** Waits until every running node sees all slots served, by three primaries that are all running. */
  async settled(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(this.nodes.filter((n) => n.running).map((n) => n.command((c) => c.cluster('INFO') as Promise<string>).catch(() => '')));
      if (states.every((s) => s.includes('cluster_state:ok') && s.includes('cluster_size:3'))) {
        const running = new Set(this.nodes.filter((n) => n.running).map((n) => n.port));
        const primaries = await this.primaryPorts();
        if (primaries.length === 3 && primaries.every((port) => running.has(port))) return;
      }
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not settle: ${states.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The ports of the live primaries that serve slots, as the first live node sees them. */
  async primaryPorts(): Promise<number[]> {
    const node = this.nodes.find((n) => n.running) as ThrowawayRedis;
    const text = (await node.command((c) => c.cluster('NODES'))) as string;
    // <id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slots…>
    return text
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => {
        const flags = (fields[2] ?? '').split(',');
        return flags.includes('master') && !flags.some((f) => f.startsWith('fail')) && fields.length > 8;
      })
      .map((fields) => Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]));
  }

  /** The node that holds `key`'s slot as its primary. */
  async primaryOf(key: string): Promise<ThrowawayRedis> {
    const seed = this.nodes.find((n) => n.running) as ThrowawayRedis;
    const client = new Redis.Cluster([{ host: '127.0.0.1', port: seed.port }], { lazyConnect: true });
    try {
      await client.connect();
      const slot = Number(await client.cluster('KEYSLOT', key));
      const slots = (await client.cluster('SLOTS')) as [number, number, [string, number]][];
      const [, , [, port]] = slots.find(([from, to]) => slot >= from && slot <= to) as [number, number, [string, number]];
      return this.nodes.find((n) => n.port === port) as ThrowawayRedis;
    } finally {
      client.disconnect();
    }
  }

  /** How many keys each primary holds under `prefix`. */
  async keysPerPrimary(prefix: string): Promise<number[]> {
    const counts: number[] = [];
    for (const port of await this.primaryPorts()) {
      const node = this.nodes.find((n) => n.port === port) as ThrowawayRedis;
      counts.push(((await node.command((c) => c.keys(`${prefix}*`))) as string[]).length);
    }
    return counts;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${errors}`))));
  });
}
