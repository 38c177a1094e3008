import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { serverLoggerOptions } from '../../src/ops/log-format.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { createHarness } from '../support/harness.js';

describe('behind a load balancer', () => {
  it('takes the client address N hops from the socket, so a client-written X-Forwarded-For entry is ignored', async () => {
    // Google's load balancer appends "<client>, <load balancer address>" to whatever the client sent.
    const forwarded = '6.6.6.6, 203.0.113.7, 34.120.1.1';
    const h = await createHarness('pglite');
    const ipOf = async (env: Record<string, string>) => {
      const trustProxy = loadConfig(env).trustProxy;
      const app = await buildApp({ ...h.services, config: { ...h.services.config, trustProxy } });
      app.get('/test/ip', async (request) => ({ ip: request.ip }));
      try {
        const answer = await app.inject({ method: 'GET', url: '/test/ip', remoteAddress: '35.191.4.2', headers: { 'x-forwarded-for': forwarded } });
        return answer.json().ip as string;
      } finally {
        await app.close();
      }
    };
    expect(await ipOf({ LEASEHOLD_TRUST_PROXY: '2' })).toBe('203.0.113.7');
    expect(await ipOf({ LEASEHOLD_TRUST_PROXY: '35.191.0.0/16,130.211.0.0/22,34.120.1.1' })).toBe('203.0.113.7');
    expect(await ipOf({ LEASEHOLD_TRUST_PROXY: '130.211.0.0/22' })).toBe('35.191.4.2');
    expect(await ipOf({})).toBe('35.191.4.2');
    await h.close();
  }, 60_000);

  describe('a started server', () => {
    let server: RunningServer;
    let dataDir: string;
    let metricsUrl = '';
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'leasehold-edge-'));
      const config = loadConfig({ PORT: '0', LEASEHOLD_METRICS_PORT: '0', LEASEHOLD_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      server = await startServer(config, (line) => {
        metricsUrl = /^Metrics on (\S+)$/.exec(line)?.[1] ?? metricsUrl;
      });
    });
    afterAll(async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps idle connections and waits for headers longer than the load balancer’s 600 s', () => {
      expect(server.app.server.keepAliveTimeout).toBe(620_000);
      expect(server.app.server.headersTimeout).toBeGreaterThan(600_000);
    });

    it('serves /metrics only on the metrics port, from gauges refreshed in the background', async () => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
      const scrape = await fetch(metricsUrl);
      expect(scrape.status).toBe(200);
      await expect.poll(async () => (await fetch(metricsUrl)).text()).toContain('leasehold_dependency_up{dependency="database"} 1');
      expect((await fetch(metricsUrl.replace('/metrics', '/healthz'))).status).toBe(404);
    });
  });
});

describe('log lines', () => {
  it('carry the severity Cloud Logging reads, beside pino’s numeric level', async () => {
    const h = await createHarness('pglite');
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildApp(h.services, { ...serverLoggerOptions('info'), stream } as never);
    try {
      app.log.info('hello');
      app.log.warn('careful');
      app.log.error('broken');
      const parsed = lines.map((l) => JSON.parse(l));
      expect(parsed.map((p) => [p.msg, p.severity, p.level])).toEqual([
        ['hello', 'INFO', 30],
        ['careful', 'WARNING', 40],
        ['broken', 'ERROR', 50],
      ]);
    } finally {
      await app.close();
      await h.close();
    }
  });
});
