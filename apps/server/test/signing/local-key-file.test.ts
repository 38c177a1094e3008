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

it('signs the key set again only when the published keys change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leasehold-keys-'));
  dirs.push(dir);
  const path = join(dir, 'signing-keys.json');
  const now = new Date('2030-01-01T00:00:00Z');
  ensureKeyFile(path, now);
  const signer = new LocalKeyFileSigner(path, () => now);
  let signatures = 0;
  const sign = signer.sign.bind(signer);
  signer.sign = (kid, data) => {
    signatures += 1;
    return sign(kid, data);
  };

  const first = await signedKeySet(signer, 'https://lic.example', now);
  expect(await signedKeySet(signer, 'https://lic.example', now)).toBe(first);
  expect(signatures).toBe(1);

  addNextKey(path, now);
  signer.refresh();
  const second = await signedKeySet(signer, 'https://lic.example', now);
  expect(second.signatures).toHaveLength(2);
  expect(signatures).toBe(3);
});
