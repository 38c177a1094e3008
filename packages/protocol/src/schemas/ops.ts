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

export const signedKeySet = z
  .object({
    payload: z
      .string()
      .describe('base64url of `{ iss, iat, keys }`, `keys` as in the JWKS.')
      .meta({ examples: ['eyJpc3MiOiJodHRwczovL2xpY2Vuc2VzLmV4YW1wbGUuY29tIiwiaWF0IjoxODkzNDU2MDAwLCJrZXlzIjpbXX0'] }),
    signatures: z
      .array(
        z.object({
          protected: z
            .string()
            .describe('base64url of the header `{ alg: "EdDSA", typ: "leasehold-keyset+jws", kid }`.')
            .meta({ examples: ['eyJhbGciOiJFZERTQSIsInR5cCI6ImxlYXNlaG9sZC1rZXlzZXQrandzIiwia2lkIjoibGgtMjAzMC0wMSJ9'] }),
          signature: z.string().describe('The Ed25519 signature, base64url.'),
        }),
      )
      .describe('One signature by every published key (next, current, and retired ones still in their overlap).'),
  })
  .meta({
    id: 'SignedKeySet',
    description:
      'The public keys as a JWS in the general JSON serialisation (RFC 7515 §7.2.1). A program accepts a new key only when a key it already trusts signed the set.',
  });
