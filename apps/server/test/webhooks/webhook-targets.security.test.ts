import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusedAddress, pinTarget } from '../../src/webhooks/target-guard.js';
import { createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { Receiver } from './receiver.js';

describe('webhook targets: no private, loopback or link-local address without the development flag', () => {
  let h: Harness;
  let receiver: Receiver;

  beforeAll(async () => {
    h = await createHarness('postgres');
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await receiver.stop();
    await h.close();
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://127.1.2.3:8080/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://10.1.2.3/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
  ])('refuses the IP literal of %s with a 400 naming the URL', async (url) => {
    const refused = expectStatus(await h.admin('POST', '/webhook-endpoints', { url, eventTypes: ['license.created'] }), 400);
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.url' }] });
  });

  it('accepts a public address', async () => {
    expectStatus(await h.admin('POST', '/webhook-endpoints', { url: 'https://93.184.215.14/hook', eventTypes: ['license.created'] }), 201);
  });

  it('refuses a private address on change too', async () => {
    const created = expectStatus(await h.admin('POST', '/webhook-endpoints', { url: 'https://hooks.example.test/a', eventTypes: ['license.created'] }), 201);
    expectStatus(await h.admin('PATCH', `/webhook-endpoints/${created.id}`, { url: 'http://192.168.0.10/' }), 400);
  });

  it('refuses a name that resolves to loopback when it delivers, and never connects', async () => {
    const url = `http://localhost:${receiver.port}/hook`;
    const created = expectStatus(await h.admin('POST', '/webhook-endpoints', { url, eventTypes: ['license.created'] }), 201);
    await seedLicense(h);
    await h.services.webhooks.runOnce();
    expect(receiver.received).toHaveLength(0);
    const [delivery] = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`), 200).data;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(delivery.lastError).toMatch(/refused: localhost resolves to (127\.0\.0\.1|::1)/);
  });

  it('judges every address a name resolves to, IPv4-mapped IPv6 as IPv4', async () => {
    await expect(pinTarget(new URL('http://localhost/'), false)).rejects.toThrow(/private, loopback or link-local/);
    await expect(pinTarget(new URL('http://localhost/'), true)).resolves.toMatchObject({ address: expect.any(String) });
    expect(isRefusedAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isRefusedAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isRefusedAddress('8.8.8.8')).toBe(false);
    expect(isRefusedAddress('2606:4700:4700::1111')).toBe(false);
    expect(isRefusedAddress('fc00::1')).toBe(true);
    expect(isRefusedAddress('not an address')).toBe(true);
  });
});

describe('webhook redirects are not followed', () => {
  let h: Harness;
  const first = new Receiver();
  const elsewhere = new Receiver();

  beforeAll(async () => {
    h = await createHarness('postgres', { env: { LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
    await first.start();
    await elsewhere.start();
  });
  afterAll(async () => {
    await first.stop();
    await elsewhere.stop();
    await h.close();
  });

  it('a 302 counts as a failure and the target of the redirect is never called', async () => {
    first.reply = () => ({ status: 302, headers: { location: elsewhere.url } });
    const created = expectStatus(await h.admin('POST', '/webhook-endpoints', { url: first.url, eventTypes: ['license.created'] }), 201);
    await seedLicense(h);
    await h.services.webhooks.runOnce();
    expect(first.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
    const [delivery] = expectStatus(await h.admin('GET', `/webhook-endpoints/${created.id}/deliveries`), 200).data;
    expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: 302, lastError: 'redirect not followed' });
  });
});
