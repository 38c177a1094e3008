import { type App, buildApp } from './app.js';
import type { Services } from './app-services.js';
import { type ComposeOverrides, composeServices } from './compose.js';
import type { Config } from './config.js';
import { takeInPendingRequests } from './http/drain.js';
import { purgeExpiredIdentityRows } from './identity/housekeeping.js';
import { systemContext } from './kernel/request-context.js';
import { serverLoggerOptions } from './ops/log-format.js';
import { startMetricsServer } from './ops/metrics-server.js';
import { LocalKeyFileSigner } from './signing/local-key-file.js';

export interface RunningServer {
  app: App;
  services: Services;
  url: string;
  /** Drains requests, stops timers, closes pools. */
  stop(): Promise<void>;
}

/**
 * Starts a whole server: services, HTTP, the reaper of expired sessions and
 * licenses, and key-file reloads. `print` receives the lines meant for the operator.
 */
export async function startServer(config: Config, print: (line: string) => void, overrides: ComposeOverrides = {}): Promise<RunningServer> {
  const services = await composeServices(config, overrides);
  const generatedKey = await services.apiKeys.bootstrap(config.bootstrapAdminKey);
  const app = await buildApp(services, serverLoggerOptions(config.logLevel));
  // Idle keep-alive connections outlive the load balancer's (600 s on Google's), so it never
  // sends on a socket the server is closing (a 502); headers may take as long.
  app.server.keepAliveTimeout = config.keepAliveTimeoutSeconds * 1000;
  app.server.headersTimeout = (config.keepAliveTimeoutSeconds + 5) * 1000;
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // Operator commands find the running server here, to send it what they would otherwise write behind its back.
  services.database.lock?.record({ url: loopbackUrl(config.host, port) });

  const timers: NodeJS.Timeout[] = [];
  // A task still running when its next turn comes skips that turn: a paged pass over a
  // large license (the reconciler's) may outlast the interval, and two would only compete.
  const every = (seconds: number, task: () => Promise<void> | void) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(task)
        .catch((error) => app.log.error({ err: error }, 'background task failed'))
        .finally(() => {
          running = false;
        });
    }, seconds * 1000);
    timer.unref();
    timers.push(timer);
  };
  const ctx = systemContext('reaper');
  every(config.reaperIntervalSeconds, async () => {
    services.metrics.sessionsExpired(await services.seats.reapExpired(ctx));
    const repaired = await services.seats.reconcile?.();
    if (repaired) {
      services.metrics.seatRepairs('orphan', repaired.orphans);
      services.metrics.seatRepairs('missing', repaired.missing);
    }
    await services.licenses.expireDue(ctx);
    await services.billing.enforceGrace(ctx);
    await purgeExpiredIdentityRows(services.database.db, services.clock.now());
    await services.usage.catchUp();
    await services.reminders.send();
    await services.webhooks.deliveries.purge();
  });
  // The embedded database vacuums only when asked: its sessions table would otherwise grow
  // with every heartbeat, and its planner would keep the statistics of an empty table.
  const vacuum = services.database.vacuum?.bind(services.database);
  if (vacuum)
    every(config.embeddedVacuumSeconds, async () => {
      const started = process.hrtime.bigint();
      await vacuum();
      app.log.debug({ durationMs: Number(process.hrtime.bigint() - started) / 1e6 }, 'embedded database vacuumed');
    });
  // One webhook pass at a time per process; replicas share the work through the database.
  let sending = false;
  every(config.webhooks.intervalSeconds, async () => {
    if (sending) return;
    sending = true;
    try {
      await services.webhooks.runOnce();
    } finally {
      sending = false;
    }
  });
  // Scrapes read these gauges. The first refresh starts now but does not hold up start-up
  // (a dependency that is down takes its 2 s timeout); it never throws.
  void services.gauges.refresh();
  every(config.metrics.refreshSeconds, () => services.gauges.refresh());
  const metricsServer = config.metrics.port === null ? null : await startMetricsServer(services.metrics, config.metrics.port, config.metrics.host);
  const { signer } = services;
  if (signer instanceof LocalKeyFileSigner) every(30, () => signer.refresh());

  if (generatedKey) print(`Admin API key: ${generatedKey}`);
  print(`API docs: ${config.publicUrl}/docs`);
  print(`Dashboard: ${config.publicUrl}/dashboard`);
  if (metricsServer) print(`Metrics on ${metricsServer.url}`);
  // Last, so whoever waits for this line has seen the others.
  print(`Listening on ${url}`);

  return {
    app,
    services,
    url,
    async stop() {
      services.lifecycle.draining = true;
      for (const timer of timers) clearInterval(timer);
      await takeInPendingRequests(app.server);
      await app.close();
      await new Promise((resolve) => (metricsServer ? metricsServer.server.close(resolve) : resolve(undefined)));
      await services.close();
    },
  };
}

/** Where a process on this machine reaches the server: a wildcard address is reached on loopback. */
function loopbackUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === 'localhost') return `http://127.0.0.1:${port}`;
  if (host === '::' || host === '::0') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
