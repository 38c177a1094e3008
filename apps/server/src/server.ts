import { type ComposeOverrides, composeServices, type Services } from './compose.js';
import type { Config } from './config.js';
import { type App, buildApp } from './http/app.js';
import { purgeExpiredIdentityRows } from './identity/housekeeping.js';
import { systemContext } from './request-context.js';
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
  const app = await buildApp(services, { level: config.logLevel });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, task: () => Promise<void> | void) => {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((error) => app.log.error({ err: error }, 'background task failed'));
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
  });
  const { signer } = services;
  if (signer instanceof LocalKeyFileSigner) every(30, () => signer.refresh());

  if (generatedKey) print(`Admin API key: ${generatedKey}`);
  print(`API docs: ${config.publicUrl}/docs`);
  print(`Dashboard: ${config.publicUrl}/dashboard`);
  // Last, so whoever waits for this line has seen the others.
  print(`Listening on ${url}`);

  return {
    app,
    services,
    url,
    async stop() {
      services.lifecycle.draining = true;
      for (const timer of timers) clearInterval(timer);
      await app.close();
      await services.close();
    },
  };
}
