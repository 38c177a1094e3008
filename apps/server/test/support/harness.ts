import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { type App, buildApp } from '../../src/app.js';
import type { Services } from '../../src/app-services.js';
import { type ComposeOverrides, composeServices } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { createTestDatabase, type Driver, type TestDatabase } from './databases.js';
import { checkResponses } from './response-check.js';

export const ADMIN_KEY = 'lh_test-admin-key-0123456789abcdefghij';

export interface Harness {
  app: App;
  services: Services;
  clock: ManualClock;
  db: TestDatabase;
  dataDir: string;
  /** Answers that did not match their declared schema (or problem+json); close() fails when there are any. */
  responseViolations: string[];
  /** Calls the admin API with the bootstrap key (or `key`). */
  admin(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, key?: string): Promise<LightMyRequestResponse>;
  /** Calls a licensing endpoint. */
  licensing(action: string, body: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  overrides?: Omit<ComposeOverrides, 'database' | 'clock'>;
}

/** A whole server on one test database with a manual clock, driven with inject(). */
export async function createHarness(driver: Driver, options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-test-'));
  const config = loadConfig({
    LEASEHOLD_DATA_DIR: dataDir,
    LEASEHOLD_PUBLIC_URL: 'https://licenses.example.test',
    LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'silent',
    // High limits: tests of rate limiting set their own.
    LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '100000',
    LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '100000',
    LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: '100000',
    ...options.env,
  });
  const db = await createTestDatabase(driver);
  const clock = new ManualClock('2030-01-01T00:00:00Z');
  const services = await composeServices(config, { ...options.overrides, database: db.database, clock });
  await services.apiKeys.bootstrap(config.bootstrapAdminKey);
  const responseViolations: string[] = [];
  const app = await buildApp(services, false, { beforeRoutes: (built) => checkResponses(built, responseViolations) });
  const json = { 'content-type': 'application/json' };
  return {
    app,
    services,
    clock,
    db,
    dataDir,
    responseViolations,
    admin: (method, url, body, key = ADMIN_KEY) =>
      app.inject({
        method,
        url: `/api/v1/admin${url}`,
        headers: { ...(body === undefined ? {} : json), authorization: `Bearer ${key}` },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    licensing: (action, body) => app.inject({ method: 'POST', url: `/api/v1/licenses/${action}`, headers: json, payload: JSON.stringify(body) }),
    async close() {
      await app.close();
      await services.close();
      await db.dispose().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
      if (responseViolations.length > 0) {
        throw new Error(`answers that do not match their declared schema:\n${[...new Set(responseViolations)].join('\n')}`);
      }
    },
  };
}

export interface SeededLicense {
  productId: string;
  productCode: string;
  planId: string;
  organisationId: string;
  licenseId: string;
  key: string;
}

let seedCounter = 0;

/** Creates a product, a plan with the given terms, an organisation and a license through the admin API. */
export async function seedLicense(h: Harness, terms: Record<string, unknown> = {}, license: Record<string, unknown> = {}): Promise<SeededLicense> {
  seedCounter += 1;
  const productCode = `product-${seedCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const product = expectStatus(await h.admin('POST', '/products', { code: productCode, name: 'Test product' }), 201);
  const plan = expectStatus(await h.admin('POST', '/plans', { productId: product.id, code: 'plan', name: 'Plan', ...terms }), 201);
  const org = expectStatus(await h.admin('POST', '/organisations', { name: `Org ${seedCounter}` }), 201);
  const created = expectStatus(await h.admin('POST', '/licenses', { organisationId: org.id, planId: plan.id, ...license }), 201);
  return { productId: product.id, productCode, planId: plan.id, organisationId: org.id, licenseId: created.id, key: created.key };
}

/** Parses a JSON answer after checking its status, showing the body when it differs. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
export function expectStatus(response: LightMyRequestResponse, status: number): any {
  if (response.statusCode !== status) {
    throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body}`);
  }
  return response.body ? response.json() : undefined;
}

/** An acquire body for a seeded license. */
export function acquireBody(seed: SeededLicense, fingerprint: string, extra: Record<string, unknown> = {}) {
  return { product: seed.productCode, licenseKey: seed.key, fingerprint, hostname: `host-${fingerprint.slice(0, 6)}`, ...extra };
}
