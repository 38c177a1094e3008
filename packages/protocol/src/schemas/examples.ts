import type { IdKind } from '../ids.js';
import { formatLicenseKey } from '../license-key.js';

/**
 * Example values for the OpenAPI document: one consistent story (CODITECT's Team plan
 * at Acme, a seat taken on Alice's laptop) so the samples an integrator sees fit together.
 * Each ID and key is well-formed, so the examples also pass the schemas they illustrate.
 */
export const EXAMPLE_IDS = {
  organisation: 'org_01jf3k8r2m9x7v4t6h5g3d2c1b',
  user: 'usr_01jf3kb9c4q2w8e6r5t3y7p1zn',
  membership: 'mem_01jf3kbcd5e6f7g8h9j0k1m2n3',
  product: 'prd_01jf3k6n0p2q4r6s8t0v2w4x6y',
  plan: 'pln_01jf3k7a1b3c5d7e9f1g3h5j7k',
  license: 'lic_01jf3k9z8y7x6w5v4t3s2r1q0p',
  session: 'ses_01jf4a2d4f6h8k0m2p4r6t8v0x',
  apiKey: 'key_01jf3k5t7v9x1z3b5d7f9h1k3m',
  auditEvent: 'evt_01jf4a2d5g7j9m1p3s5v7y9b1d',
  request: 'req_01jf4a2d4e5f6g7h8j9k0m1n2p',
  identity: 'idn_01jf3kb9d1f3h5k7m9p1r3t5v7',
  invitation: 'inv_01jf3kc2e4g6j8m0p2r4t6w8y0',
  refreshToken: 'rtk_01jf4a1x3z5b7d9f1h3k5m7p9r',
  webSession: 'wss_01jf4a1y2z3a4b5c6d7e8f9g0h',
  deviceCode: 'dvc_01jf4a1w2x3y4z5a6b7c8d9e0f',
  loginState: 'lgn_01jf4a1v2w3x4y5z6a7b8c9d0e',
  webhookEndpoint: 'whe_01jf3kd4f6h8k0m2p4r6t8v0x2',
  webhookDelivery: 'whd_01jf4a2e6h8k0m2p4r6t8v0x2z',
  queueTicket: 'wtr_01jf4a2c3d4e5f6g7h8j9k0m1n',
  ciMapping: 'cim_01jf3kd3f5h7k9n1q3s5v7x9z1',
  ciSeat: 'cis_01jf4a2d6h8k0n2q4s6v8x0z2b',
} as const satisfies Record<IdKind, string>;

/** A well-formed license key (its last character is the check character of the other 24). */
export const EXAMPLE_LICENSE_KEY = formatLicenseKey('7KQ2M9XDR4TV8HNB3CJ6WPZ5');

/** Moments of the example story, in the ISO 8601 form the server writes. */
export const EXAMPLE_TIMES = {
  created: '2030-01-01T09:00:00.000Z',
  updated: '2030-01-02T14:30:00.000Z',
  acquired: '2030-01-05T08:15:00.000Z',
  heartbeat: '2030-01-05T08:16:00.000Z',
  leaseExpires: '2030-01-05T08:22:00.000Z',
  offlineGraceUntil: '2030-01-06T08:22:00.000Z',
  borrowedUntil: '2030-01-12T08:15:00.000Z',
  licenseExpires: '2031-01-01T00:00:00.000Z',
} as const;

export const EXAMPLE_API_KEY_SECRET = 'lh_Qm7Zt2Lw8Rn5Xp1Hc7Bd4Jf6Gs0Ae2Tq4Oi6Ra9V';
export const EXAMPLE_FINGERPRINT = '3f1c9a0e5d7b2c4a8e6f0b1d3c5a7e9f2b4d6f8a0c2e4a6b8d0f2a4c6e8b0d2f';
export const EXAMPLE_SESSION_SECRET = 'Yk3v9QmZt2Lw8Rn5Xp1Hc7Bd4Jf6Gs0A_e2Tq4Oi6Ra';
/** A lease token's shape (header.claims.signature); the signature of this one does not verify. */
export const EXAMPLE_LEASE_TOKEN =
  'eyJhbGciOiJFZERTQSIsInR5cCI6ImxlYXNlaG9sZC1sZWFzZStqd3QiLCJraWQiOiJsaC0yMDMwLTAxIn0.eyJpc3MiOiJodHRwczovL2F1dGguY29kaXRlY3QuYWkiLCJzdWIiOiJzZXNfMDFqZjRhMmQ0ZjZoOGswbTJwNHI2dDh2MHgiLCJhdWQiOiJjb2RpdGVjdCIsImV4cCI6MTg5NDM1NDkyMH0.q2Yb3eK1hW7xV0mZt5Rn8Lc4Jf6Gs9Ad2Pw1Xk3Hv7Bu0Ny5Ee8Tq4Oi6Ra2Sl9Fg1Dc3Ws7Mz5Ki0Jx8Ah';
