import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../mail/smtp-sink.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { Receiver } from './receiver.js';

const KEY = 'lh_webhook-process-admin-key-0123456789';

/** The built server on its own clock and timers: the background pass sends webhooks, and mails go out through SMTP. */
describe('a running server sends webhooks and mail by itself', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let receiver: Receiver;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-webhooks-'));

  beforeAll(async () => {
    receiver = await new Receiver().start();
    sink = await startSmtpSink();
    server = await startServerProcess({
      LEASEHOLD_DATA_DIR: dataDir,
      LEASEHOLD_BOOTSTRAP_ADMIN_KEY: KEY,
      LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      LEASEHOLD_WEBHOOKS_INTERVAL_SECONDS: '1',
      LEASEHOLD_SMTP_URL: sink.url,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await receiver.stop();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = async (path: string, body: unknown) => {
    const answer = await fetch(`${server.url}/api/v1/admin${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(answer.status, await answer.clone().text()).toBe(201);
    return answer.json();
  };

  it('a license issued over HTTP reaches the receiver signed, and its key reaches the mailbox', async () => {
    const endpoint = await admin('/webhook-endpoints', { url: receiver.url, eventTypes: ['license.created'] });
    const product = await admin('/products', { code: 'process-hooks', name: 'Process hooks' });
    const plan = await admin('/plans', { productId: product.id, code: 'team', name: 'Team' });
    const org = await admin('/organisations', { name: 'Acme' });
    const license = await admin('/licenses', { organisationId: org.id, planId: plan.id, sendKeyTo: 'it@acme.example' });
    for (let i = 0; i < 100 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const [received] = receiver.received;
    if (!received) throw new Error(`no webhook arrived:\n${server.output()}`);
    const event = new Webhook(endpoint.secret).verify(received.body, received.headers as Record<string, string>) as {
      type: string;
      data: { licenseId: string };
    };
    expect(event).toMatchObject({ type: 'license.created', data: { licenseId: license.id } });
    const [mail] = await sink.waitFor(1);
    expect(mail?.to).toEqual(['it@acme.example']);
    expect(mail?.message).toContain(license.key);
  });
});
