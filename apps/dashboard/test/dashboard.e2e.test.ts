import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeaseClient } from '@leasehold/client';
import { newId } from '@leasehold/protocol/ids';
import pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProvider, type TestProvider } from '../../server/test/identity/oidc-provider.js';
import { createPostgresDatabase } from '../../server/test/support/databases.js';
import { type ServerProcess, startServerProcess } from '../../server/test/support/server-process.js';
import { axeViolations, haveChromium, openBrowser } from './browser.js';

const ADMIN_KEY = `lh_dashboard-e2e-${randomBytes(12).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The dashboard in real Chromium against a real server process on PostgreSQL. */
describe.skipIf(!haveChromium)(`dashboard in the browser${haveChromium ? '' : ' (skipped: /usr/bin/chromium not installed)'}`, () => {
  let db: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let dataDir: string;
  const accessibility: Record<string, string[]> = {};

  let op: TestProvider;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'leasehold-dash-'));
    // The identity provider must know the server's callback before the server starts.
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    [db, op] = await Promise.all([
      createPostgresDatabase(),
      startProvider([
        {
          client_id: 'leasehold-dashboard',
          client_secret: 'dashboard-secret',
          redirect_uris: [`${publicUrl}/auth/sso/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ]),
    ]);
    [server, browser] = await Promise.all([
      startServerProcess({
        DATABASE_URL: db.url,
        PORT: String(port),
        LEASEHOLD_PUBLIC_URL: publicUrl,
        LEASEHOLD_DATA_DIR: dataDir,
        LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '0',
        LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '0',
        LEASEHOLD_OIDC_NAME: 'sso',
        LEASEHOLD_OIDC_DISCOVERY_URL: `${op.issuer}/.well-known/openid-configuration`,
        LEASEHOLD_OIDC_CLIENT_ID: 'leasehold-dashboard',
        LEASEHOLD_OIDC_CLIENT_SECRET: 'dashboard-secret',
      }),
      openBrowser(),
    ]);
    page = await firstPage(browser.context);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await op?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const audit = async (name: string) => {
    accessibility[name] = await axeViolations(page);
  };

  it('prints the dashboard URL beside the docs URL', () => {
    expect(server.output()).toMatch(/^API docs: \S+\/docs\nDashboard: \S+\/dashboard$/m);
  });

  it('signs in with the admin key, which the browser does not keep', async () => {
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('Admin API key', { exact: true }).waitFor();
    await audit('sign-in');
    await page.getByLabel('Admin API key', { exact: true }).fill('lh_not-a-real-key-000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The API key is unknown or revoked.').waitFor();
    // By keyboard alone: the skip link and every control are reachable, Enter submits.
    await page.getByLabel('Admin API key', { exact: true }).fill(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('seats-in-use').waitFor();
    await audit('overview');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain(ADMIN_KEY);
    expect(stored).not.toContain('lh_admin=');
    const cookies = await browser.context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'lh_admin');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    expect(session?.value).not.toContain(ADMIN_KEY);
  });

  let licenseId = '';
  let licenseKey = '';

  it('creates a product, a plan, an organisation and a license, whose key is shown once', async () => {
    await nav(page, 'Products').click();
    await page.getByLabel('Code', { exact: true }).fill('e2e');
    await page.getByLabel('Name', { exact: true }).fill('End to end');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByRole('button', { name: 'Plans of e2e' }).click();
    await page.getByText('Create a plan').click();
    const create = page.getByRole('form', { name: 'Create plan' });
    await create.getByLabel('Plan code').fill('team');
    await create.getByLabel('Plan name').fill('Team');
    await create.getByLabel('Seats', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('cell', { name: 'team', exact: true }).waitFor();

    // Every term of the plan can change; the server's refusal is shown with its detail.
    await page.getByRole('button', { name: 'Edit plan team' }).click();
    const editor = page.getByRole('form', { name: 'Save plan' });
    await editor.getByLabel('Plan name').fill('Team plus');
    await editor.getByLabel('Entitlements').fill('export, pro');
    await editor.getByLabel('Overage seats').fill('1');
    await editor.getByLabel('Heartbeat every (s)').fill('400');
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await expect.poll(() => editor.getByRole('alert').textContent()).toContain('heartbeatIntervalSeconds');
    await editor.getByLabel('Heartbeat every (s)').fill('30');
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await page.getByRole('cell', { name: 'Team plus', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'export, pro', exact: true }).waitFor();
    await page.getByRole('cell', { name: '360 s / 30 s', exact: true }).waitFor();
    await page.getByRole('form', { name: 'Rename product' }).getByLabel('New name').fill('End to end, renamed');
    await page.getByRole('button', { name: 'Rename product' }).click();
    await page.getByRole('cell', { name: 'End to end, renamed', exact: true }).waitFor();
    // With the plan editor open: every form of the page is checked.
    await audit('products');

    await nav(page, 'Organisations').click();
    for (const name of ['Org A', 'Org B']) {
      await page.getByLabel('Name').fill(name);
      await page.getByRole('button', { name: 'Create organisation' }).click();
      await page.getByRole('cell', { name, exact: true }).waitFor();
    }
    await audit('organisations');

    await nav(page, 'Licenses').click();
    await page.getByText('Issue a license').click();
    await page.getByRole('form', { name: 'Create license' }).getByLabel('Organisation').selectOption({ label: 'Org A' });
    await page.getByRole('button', { name: 'Create license' }).click();
    licenseKey = (await page.getByTestId('secret').textContent()) ?? '';
    expect(licenseKey).toMatch(/^[A-Z0-9-]{20,}$/);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('secret').count()).toBe(0);
    const link = page.getByRole('link', { name: /^lic_/ }).first();
    licenseId = (await link.textContent()) ?? '';
    await audit('licenses');
    await link.click();
    await page.getByTestId('license-status').getByText('active').waitFor();
  });

  it('shows an SDK acquire within 2 s; force-release removes it and the SDK loses its seat', async () => {
    await page.getByTestId('sessions-empty').waitFor();
    await page.getByRole('img', { name: /^Peak \d+ of 2 seats/ }).waitFor();
    await audit('license');
    const client = new LeaseClient({
      serverUrl: server.url,
      product: 'e2e',
      licenseKey,
      fingerprint: 'e2e-fingerprint-0001',
      hostname: 'e2e-build-host',
      stateDir: mkdtempSync(join(tmpdir(), 'leasehold-sdk-')),
      heartbeat: false,
      releaseOnExit: false,
    });
    await client.acquire();
    const acquiredAt = Date.now();
    await page.getByRole('cell', { name: 'e2e-build-host', exact: true }).waitFor({ timeout: 2_000 });
    const seenAfterMs = Date.now() - acquiredAt;
    console.log(`acquire shown on the license page after ${seenAfterMs} ms`);
    expect(seenAfterMs).toBeLessThan(2_000);

    await page.getByRole('button', { name: 'Free seat of e2e-build-host' }).click();
    await page.getByTestId('sessions-empty').waitFor({ timeout: 3_000 });
    // The background loop would call this at the plan's interval and report `lost`.
    await expect(client.heartbeat()).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });

  it('shows who waits for a seat, and the waiter leaves the list once a seat frees for it', async () => {
    const sdk = (host: string, wait = 0) =>
      new LeaseClient({
        serverUrl: server.url,
        product: 'e2e',
        licenseKey,
        fingerprint: `e2e-fingerprint-${host}`,
        hostname: host,
        stateDir: mkdtempSync(join(tmpdir(), 'leasehold-sdk-')),
        heartbeat: false,
        releaseOnExit: false,
        wait,
      });
    // Two seats and one overage: three holders take them all.
    const holders = [sdk('e2e-holder-one'), sdk('e2e-holder-two'), sdk('e2e-holder-three')];
    for (const holder of holders) await holder.acquire();
    const waiter = sdk('e2e-waiting-host', 30);
    const served = waiter.acquire();
    await page.getByTestId('waiters').getByRole('cell', { name: 'e2e-waiting-host', exact: true }).waitFor({ timeout: 4_000 });
    await (holders[0] as LeaseClient).release();
    expect((await served).mode).toBe('online');
    await page.getByText('Nobody is waiting.').waitFor({ timeout: 4_000 });
    for (const client of [...holders.slice(1), waiter]) await client.release();
  });

  it('suspends the license, and the list shows it', async () => {
    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByTestId('license-status').getByText('suspended').waitFor();
    await nav(page, 'Licenses').click();
    await page.getByTestId(`status-${licenseId}`).getByText('suspended').waitFor();
    // A narrow window: the table scrolls within itself, the page does not scroll sideways.
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it('verifies the audit chain and shows it intact', async () => {
    await nav(page, 'Audit').click();
    await page.getByRole('cell', { name: 'license.suspended' }).first().waitFor();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page
      .getByTestId('verdict')
      .getByText(/^Intact: \d+ events verified\.$/)
      .waitFor();
    await audit('audit');
    await nav(page, 'Usage').click();
    await page.getByRole('heading', { name: 'Seat usage, last 30 days' }).waitFor();
    await expect.poll(() => page.getByText('Loading…').count()).toBe(0);
    await audit('usage');
    await nav(page, 'API keys').click();
    await page.getByRole('button', { name: 'Revoke bootstrap admin' }).waitFor();
    await audit('api-keys');
  });

  it('refuses changes that come without the CSRF token, from a form or a script', async () => {
    const before = await page.evaluate(async () => (await (await fetch('/api/v1/admin/organisations')).json()).data.length);
    const scripted = await page.evaluate(async () => {
      const r = await fetch('/api/v1/admin/organisations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Forged"}' });
      return { status: r.status, body: await r.json() };
    });
    expect(scripted.status).toBe(403);
    expect(scripted.body.detail).toContain('x-csrf-token');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/organisations') && r.request().method() === 'POST'),
      page.evaluate(() => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = '/api/v1/admin/organisations';
        const field = document.createElement('input');
        field.name = 'name';
        field.value = 'Forged by a form';
        form.append(field);
        document.body.append(form);
        form.submit();
      }),
    ]);
    expect(answer.status()).toBe(403);
    await page.waitForURL(/\/api\/v1\/admin\/organisations$/);
    await page.goto(`${server.url}/dashboard/organisations`);
    await page.getByRole('heading', { name: 'Organisations' }).waitFor();
    const after = await page.evaluate(async () => (await (await fetch('/api/v1/admin/organisations')).json()).data.length);
    expect(after).toBe(before);
  });

  it('signs out: the session ends on the server, so a copy of its cookie opens nothing', async () => {
    const cookie = (await browser.context.cookies(server.url)).find((c) => c.name === 'lh_admin')?.value;
    const withCopy = () => fetch(`${server.url}/api/v1/admin/licenses`, { headers: { cookie: `lh_admin=${cookie}` } }).then((r) => r.status);
    expect(await withCopy()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API key', { exact: true }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/admin/licenses')).status);
    expect(status).toBe(401);
    expect(await withCopy()).toBe(401);
  });

  it("lets an owner of organisation A see A's licenses and seats, free a seat and invite, and see nothing of B", async () => {
    const orgs = (await (await fetch(`${server.url}/api/v1/admin/organisations`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      data: Array<{ id: string; name: string }>;
    };
    const orgA = orgs.data.find((o) => o.name === 'Org A')?.id as string;
    const orgB = orgs.data.find((o) => o.name === 'Org B')?.id as string;
    const ownerEmail = `owner-${randomBytes(4).toString('hex')}@example.com`;
    const secret = await signedInOwner(db.url, orgA, ownerEmail);
    const owner = await openBrowser();
    try {
      await owner.context.addCookies([
        { name: 'lh_session', value: secret, url: server.url, httpOnly: true, sameSite: 'Lax' },
        { name: 'lh_csrf', value: sha256(`csrf:${secret}`).slice(0, 43), url: server.url, sameSite: 'Lax' },
      ]);
      const portal = await firstPage(owner.context);
      await portal.goto(`${server.url}/dashboard/portal`);
      await portal.getByRole('heading', { name: 'Org A' }).waitFor();
      await portal.getByRole('cell', { name: licenseId, exact: true }).first().waitFor();
      accessibility.portal = await axeViolations(portal);
      // An owner frees a seat held in their organisation.
      const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
      const plans = (await (await fetch(`${server.url}/api/v1/admin/plans`, { headers: admin })).json()) as { data: Array<{ id: string }> };
      const second = (await (
        await fetch(`${server.url}/api/v1/admin/licenses`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ organisationId: orgA, planId: plans.data[0]?.id }),
        })
      ).json()) as { key: string };
      const client = new LeaseClient({
        serverUrl: server.url,
        product: 'e2e',
        licenseKey: second.key,
        fingerprint: 'e2e-fingerprint-0002',
        hostname: 'portal-host',
        stateDir: mkdtempSync(join(tmpdir(), 'leasehold-sdk-')),
        heartbeat: false,
        releaseOnExit: false,
      });
      await client.acquire();
      await portal.getByRole('button', { name: 'Free seat of portal-host' }).click();
      await expect.poll(() => portal.getByRole('cell', { name: 'portal-host', exact: true }).count(), { timeout: 5_000 }).toBe(0);
      await expect(client.heartbeat()).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
      await portal.getByRole('button', { name: 'Invite' }).click();
      expect(await portal.getByTestId('secret').textContent()).toContain('/auth/invitations/');
      await portal.goto(`${server.url}/dashboard/portal/${orgB}`);
      await portal.getByTestId('not-found').waitFor();
      expect(await portal.getByText('Org B').count()).toBe(0);
      const direct = await portal.evaluate(
        async ({ orgB, licenseId }) =>
          Promise.all(
            [`/api/v1/orgs/${orgB}/licenses`, `/api/v1/orgs/${orgB}/sessions`, `/api/v1/orgs/${orgB}/members`, `/api/v1/admin/licenses/${licenseId}`].map(
              async (path) => [path, (await fetch(path)).status] as const,
            ),
          ),
        { orgB, licenseId },
      );
      expect(Object.fromEntries(direct)).toEqual({
        [`/api/v1/orgs/${orgB}/licenses`]: 404,
        [`/api/v1/orgs/${orgB}/sessions`]: 404,
        [`/api/v1/orgs/${orgB}/members`]: 404,
        [`/api/v1/admin/licenses/${licenseId}`]: 401,
      });

      // Granted the staff role with the admin key, the same person gets the vendor views.
      const granted = await fetch(`${server.url}/api/v1/admin/staff`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: ownerEmail, staff: true }),
      });
      expect(granted.status, await granted.clone().text()).toBe(200);
      await portal.goto(`${server.url}/dashboard/`);
      await portal.getByRole('heading', { name: 'Overview' }).waitFor();
      await portal.getByTestId('seats-in-use').waitFor();
      await nav(portal, 'Organisations').click();
      await portal.getByLabel('Name').fill('Made by staff');
      await portal.getByRole('button', { name: 'Create organisation' }).click();
      await portal.getByRole('cell', { name: 'Made by staff', exact: true }).waitFor();
      await portal.getByRole('button', { name: 'Members of Org A' }).click();
      await portal.getByRole('cell', { name: ownerEmail }).waitFor();
      await portal.getByLabel('Organisation name').fill('Org A, renamed');
      await portal.getByRole('button', { name: 'Rename organisation' }).click();
      await portal.getByRole('cell', { name: 'Org A, renamed', exact: true }).waitFor();
    } finally {
      await owner.close();
    }
  });

  it('signs staff in through the identity provider: a person first sees the portal, once granted the staff role the vendor views', async () => {
    const person = await openBrowser();
    try {
      const tab = await firstPage(person.context);
      await tab.goto(`${server.url}/dashboard/`);
      await throughProvider(tab, op.issuer, 'alice');
      // Signed up on this first sign-in: the owner of a personal organisation, no vendor views.
      await tab.getByRole('link', { name: 'My organisations' }).waitFor();
      expect(await nav(tab, 'Licenses').count()).toBe(0);
      expect(await tab.evaluate(async () => (await fetch('/api/v1/admin/licenses')).status)).toBe(401);

      const granted = await fetch(`${server.url}/api/v1/admin/staff`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@example.test', staff: true }),
      });
      expect(granted.status, await granted.clone().text()).toBe(200);
      await tab.getByRole('button', { name: 'Sign out' }).click();
      await throughProvider(tab, op.issuer, 'alice');
      await tab.getByRole('heading', { name: 'Overview' }).waitFor();
      await nav(tab, 'Licenses').click();
      await tab.getByTestId(`status-${licenseId}`).waitFor();
      const cookies = await person.context.cookies(server.url);
      expect(cookies.find((c) => c.name === 'lh_session')?.httpOnly).toBe(true);
      expect(cookies.some((c) => c.name === 'lh_admin')).toBe(false);
    } finally {
      await person.close();
    }
  });

  it('ends the dashboard sessions of a key when the key is revoked', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const made = await (
      await fetch(`${server.url}/api/v1/admin/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'short-lived', scopes: ['*'] }) })
    ).json();
    const opened = await fetch(`${server.url}/dashboard/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: made.secret }),
    });
    expect(opened.status).toBe(200);
    const cookie = opened.headers
      .getSetCookie()
      .find((c) => c.startsWith('lh_admin='))
      ?.split(';')[0] as string;
    const read = () => fetch(`${server.url}/api/v1/admin/licenses`, { headers: { cookie } }).then((r) => r.status);
    expect(await read()).toBe(200);
    await fetch(`${server.url}/api/v1/admin/api-keys/${made.id}/revoke`, { method: 'POST', headers: admin, body: '{}' });
    expect(await read()).toBe(401);
  });

  it('stays responsive on a license with 10,000 live sessions', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const get = async (path: string) => (await fetch(`${server.url}/api/v1/admin${path}`, { headers: admin })).json();
    const [orgs, plans] = await Promise.all([get('/organisations'), get('/plans')]);
    const big = await (
      await fetch(`${server.url}/api/v1/admin/licenses`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ organisationId: orgs.data[0].id, planId: plans.data[0].id, seats: 20_000 }),
      })
    ).json();
    // Rows as 10,000 acquires would leave them; acquiring them one by one is the benchmark's job.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `insert into sessions (id, license_id, organisation_id, basis_key, fingerprint, secret_hash, hostname, started_at, last_heartbeat_at, expires_at)
         select 'ses_' || lpad(g::text, 26, '0'), $1, $2, 'fp-' || g, 'fingerprint-' || g, md5(g::text), 'bulk-' || g, now(), now(), now() + interval '1 hour'
         from generate_series(1, 10000) g`,
        [big.id, big.organisationId],
      );
    } finally {
      await client.end();
    }
    await page.getByLabel('Admin API key', { exact: true }).fill(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await page.getByTestId('seats-in-use').waitFor();
    const started = Date.now();
    await page.goto(`${server.url}/dashboard/licenses/${big.id}`);
    await page.getByRole('cell', { name: 'bulk-1', exact: true }).waitFor({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await page.getByTestId('sessions').locator('tbody tr').count()).toBe(100);
    // The next page is the next stream: sessions 101–200, still live.
    const pages = page.getByRole('navigation', { name: 'Pages of Live sessions' });
    await pages.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('cell', { name: 'bulk-101', exact: true }).waitFor({ timeout: 2_000 });
    expect(await page.getByTestId('sessions').locator('tbody tr').count()).toBe(100);
    await pages.getByText('Page 2').waitFor();
  });

  it('has no serious or critical accessibility violation on any page', () => {
    expect(Object.keys(accessibility).sort()).toEqual([
      'api-keys',
      'audit',
      'license',
      'licenses',
      'organisations',
      'overview',
      'portal',
      'products',
      'sign-in',
      'usage',
    ]);
    expect(accessibility).toEqual(Object.fromEntries(Object.keys(accessibility).map((k) => [k, []])));
  });
});

/** A link of the dashboard's main navigation. */
function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
}

/** A free TCP port on the loopback interface, for a server whose address must be known in advance. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * From the dashboard's sign-in page through the provider and back: its login and consent
 * pages are filled in when it shows them (a second sign-in may pass straight through).
 */
async function throughProvider(page: Page, issuer: string, login: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with sso' }).click();
  for (let step = 0; step < 4; step++) {
    const next = page.locator('main#main, input[name="login"], button:text-is("Continue")').first();
    await next.waitFor();
    if (!page.url().startsWith(issuer)) return;
    if (await page.locator('input[name="login"]').isVisible()) {
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('any password');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    } else {
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await page.waitForLoadState();
  }
  throw new Error(`still at the provider: ${page.url()}`);
}

async function firstPage(context: BrowserContext): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  // A step that cannot happen fails in seconds, not at the test's timeout.
  page.setDefaultTimeout(8_000);
  return page;
}

/**
 * A person who owns organisation A, signed in: the rows an identity provider's sign-in
 * would leave (the sign-in flow itself has its own tests), and the cookie's secret.
 */
async function signedInOwner(url: string, organisationId: string, email: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const userId = newId('user');
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    await client.query('insert into users (id, email, email_verified, name, created_at, updated_at) values ($1, $2, true, $3, $4, $4)', [
      userId,
      email,
      'Owner of A',
      now,
    ]);
    await client.query('insert into memberships (id, organisation_id, user_id, role, created_at) values ($1, $2, $3, $4, $5)', [
      newId('membership'),
      organisationId,
      userId,
      'owner',
      now,
    ]);
    await client.query('insert into web_sessions (id, user_id, secret_hash, created_at, expires_at) values ($1, $2, $3, $4, $5)', [
      newId('webSession'),
      userId,
      sha256(secret),
      now,
      new Date(now.getTime() + 3_600_000),
    ]);
    return secret;
  } finally {
    await client.end();
  }
}
