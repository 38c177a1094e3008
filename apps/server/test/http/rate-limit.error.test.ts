import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

describe('rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('pglite', {
      env: { LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '1000', LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '3', LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: '40' },
    });
  });
  afterAll(() => h.close());

  it('limits acquires and validations per license key with 429 and Retry-After', async () => {
    const seed = await seedLicense(h, { seats: 10 });
    const other = await seedLicense(h, { seats: 10 });
    for (let i = 0; i < 3; i++) expectStatus(await h.licensing('acquire', acquireBody(seed, `machine-${i}aaaa`)), 200);
    const limited = await h.licensing('validate', { product: seed.productCode, licenseKey: seed.key });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another license is not affected.
    expectStatus(await h.licensing('acquire', acquireBody(other, 'machine-zzzz')), 200);
  });

  it('limits the admin API per API key', async () => {
    let last = 0;
    for (let i = 0; i < 50 && last !== 429; i++) last = (await h.admin('GET', '/products')).statusCode;
    expect(last).toBe(429);
  });
});

describe('rate limit per address', () => {
  it('limits acquires from one IP', async () => {
    const h = await createHarness('pglite', { env: { LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '2' } });
    try {
      const body = { product: 'none', licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', fingerprint: 'machine-aaaa' };
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await h.licensing('acquire', body)).statusCode);
      expect(codes[2]).toBe(429);
    } finally {
      await h.close();
    }
  });
});
