/** The prefix of every kind of ID, so a log line tells what an ID points at. */
export const ID_PREFIXES = {
  organisation: 'org',
  user: 'usr',
  membership: 'mem',
  product: 'prd',
  plan: 'pln',
  license: 'lic',
  session: 'ses',
  apiKey: 'key',
  auditEvent: 'evt',
  request: 'req',
  identity: 'idn',
  invitation: 'inv',
  refreshToken: 'rtk',
  webSession: 'wss',
  deviceCode: 'dvc',
  loginState: 'lgn',
  webhookEndpoint: 'whe',
  webhookDelivery: 'whd',
  queueTicket: 'wtr',
  ciMapping: 'cim',
  ciSeat: 'cis',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

// Crockford base32, lower case: no i, l, o, u, so IDs survive being read aloud.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const BODY_LENGTH = 26;

// Random bytes drawn from the platform's CSPRNG a few kilobytes at a time: a call per
// ID (one per request, for request IDs) cost more than building the ID. Each byte is
// handed out once.
const POOL = new Uint8Array(4096);
let pooled = POOL.length;

/** The offset in POOL of `n` unused random bytes. */
function takeRandom(n: number): number {
  if (pooled + n > POOL.length) {
    globalThis.crypto.getRandomValues(POOL);
    pooled = 0;
  }
  pooled += n;
  return pooled - n;
}

/**
 * A new ID: prefix, underscore, 26 characters. The first 10 encode the time in
 * milliseconds so IDs sort roughly by creation; the other 16 are random (80 bits).
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const at = takeRandom(16);
  let rand = '';
  for (let i = at; i < at + 16; i++) rand += ALPHABET[(POOL[i] as number) % 32];
  return `${ID_PREFIXES[kind]}_${time}${rand}`;
}

/** The pattern that IDs of one kind match. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{${BODY_LENGTH}}$`);
}

/** Tells whether a value is a well-formed ID of the given kind. */
export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && idPattern(kind).test(value);
}
