import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { signedKeySet } from '../../src/signing/keyset.js';
import { addNextKey, ensureKeyFile, LocalKeyFileSigner, rotateKeyFile } from '../../src/signing/local-key-file.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('keys go next → current → retired; only the current one signs; retired ones drop after the overlap', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leasehold-keys-'));
  dirs.push(dir);
  const path = join(dir, 'signing-keys.json');
  let now = new Date('2030-01-01T00:00:00Z');
  ensureKeyFile(path, now);
  const signer = () => new LocalKeyFileSigner(path, () => now);
  const k1 = await signer().currentKeyId();

  const { kid: k2, created } = addNextKey(path, now);
  expect(created).toBe(true);
  expect(addNextKey(path, now)).toEqual({ kid: k2, created: false });
  expect(await signer().currentKeyId()).toBe(k1);
  expect((await signer().publicKeys()).map((k) => [k.kid, k.state])).toEqual([
    [k1, 'current'],
    [k2, 'next'],
  ]);

  const first = rotateKeyFile(path, now, 3600, { publishAhead: true });
  expect(first.newKid).toBe(k2);
  expect(first.retiring).toEqual([k1]);
  const k3 = first.nextKid as string;
  expect(await signer().currentKeyId()).toBe(k2);
  expect((await signer().publicKeys()).map((k) => k.state)).toEqual(['retired', 'current', 'next']);

  // The key set is signed by every published key: a holder of any of them can follow.
  const keySet = await signedKeySet(signer(), 'https://lic.example', now);
  const kids = keySet.signatures.map((s) => JSON.parse(Buffer.from(s.protected, 'base64url').toString()).kid);
  expect(kids).toEqual([k1, k2, k3]);

  now = new Date('2030-01-01T02:00:00Z');
  expect((await signer().publicKeys()).map((k) => k.kid)).toEqual([k2, k3]);
  rotateKeyFile(path, now, 3600);
  expect(await signer().currentKeyId()).toBe(k3);
  expect((await signer().publicKeys()).map((k) => [k.kid, k.state])).toEqual([
    [k2, 'retired'],
    [k3, 'current'],
  ]);
});
