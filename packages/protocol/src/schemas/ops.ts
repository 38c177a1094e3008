import { z } from 'zod';

export const health = z
  .object({ status: z.literal('ok').describe('Always `ok`: the process answers.') })
  .meta({ id: 'Health', description: 'The process is alive (dependencies are not checked).', examples: [{ status: 'ok' }] });

export const readiness = z
  .object({
    status: z.literal('ready').describe('Always `ready` in a 200 answer.'),
    checks: z
      .record(z.string(), z.string())
      .describe('Each dependency (`database`, `redis`) and `ok`.')
      .meta({ examples: [{ database: 'ok', redis: 'ok' }] }),
  })
  .meta({
    id: 'Readiness',
    description: 'Every dependency answers: the replica may take traffic.',
    examples: [{ status: 'ready', checks: { database: 'ok', redis: 'ok' } }],
  });

const jwk = z
  .object({
    kty: z.literal('OKP').describe('Key type: an octet key pair.'),
    crv: z.literal('Ed25519').describe('The curve.'),
    x: z
      .string()
      .describe('The public key, base64url.')
      .meta({ examples: ['11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'] }),
    kid: z
      .string()
      .describe('The key ID, as in the lease tokens’ `kid` header.')
      .meta({ examples: ['lh-2030-01'] }),
    alg: z.literal('EdDSA').describe('The signing algorithm.'),
    use: z.literal('sig').describe('Used for signatures.'),
  })
  .meta({ id: 'Jwk', description: 'One public signing key.' });

export const jwks = z
  .object({ keys: z.array(jwk).describe('The keys lease tokens may be signed with.') })
  .meta({ id: 'JsonWebKeySet', description: 'The public keys to verify lease tokens with (RFC 7517).' });
