// Child processes of the benchmark: redis-server, the lease server, the bare route.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a node process and waits for its "Listening on <url>" line. */
export async function startNode(args, env, label) {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** A connected client of the redis-server starting on `port`, tried for up to 5 s. */
async function connectedRedis(port) {
  const { Redis } = await import('ioredis');
  const client = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => {});
  for (let i = 0; i < 200; i++) {
    try {
      await client.connect();
      break;
    } catch {
      await sleep(25);
    }
  }
  return client;
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const client = await connectedRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    client,
    async usedMemory() {
      const info = await client.info('memory');
      return Number(/used_memory:(\d+)/.exec(info)[1]);
    },
    async stop() {
      client.disconnect();
      child.kill('SIGKILL');
    },
  };
}

export async function createDatabase(adminUrl) {
  const name = `leasehold_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * A Redis Cluster of `masters` primaries without replicas (throughput only), from the
 * machine's redis-server in cluster mode on free ports.
 */
export async function startRedisCluster(masters) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'leasehold-bench-cluster-'));
  const nodes = [];
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-announce-ip',
      '127.0.0.1',
    ];
    const child = spawn('redis-server', [...args, '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir], { stdio: 'ignore' });
    nodes.push({ port, child });
  }
  for (const { port } of nodes) (await connectedRedis(port)).disconnect();
  const { Redis } = await import('ioredis');
  // redis-cli creates clusters of three primaries or more; one node just takes every slot.
  if (masters === 1) {
    const only = new Redis(`redis://127.0.0.1:${nodes[0].port}`);
    await only.cluster('ADDSLOTSRANGE', 0, 16383);
    only.disconnect();
  } else
    await new Promise((resolve, reject) => {
      const cli = spawn('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
        stdio: 'ignore',
      });
      cli.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --cluster create exited with ${code}`))));
    });
  const probe = new Redis(`redis://127.0.0.1:${nodes[0].port}`);
  for (let i = 0; i < 400 && !/cluster_state:ok/.test(await probe.cluster('INFO')); i++) await sleep(25);
  probe.disconnect();
  return {
    url: `redis://127.0.0.1:${nodes[0].port}`,
    async stop() {
      for (const { child } of nodes) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
