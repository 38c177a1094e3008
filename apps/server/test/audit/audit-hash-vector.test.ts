import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentDigest, GENESIS_HASH, linkHash } from '../../src/audit/audit-hash.js';
import type { AuditContent } from '../../src/repositories/audit-repository.js';

const run = promisify(execFile);
const VECTOR = fileURLToPath(new URL('../../../../docs/audit-hash/vector.json', import.meta.url));
const CHECKER = fileURLToPath(new URL('../../../../docs/audit-hash/check.py', import.meta.url));

/** Contents that exercise every rule of the canonical form: nesting, key order, escaping, numbers. */
const CONTENTS: AuditContent[] = [
  {
    id: 'evt_01q3dcbd00fn1c8w6tscs7xh96',
    at: new Date('2030-01-01T00:00:00.000Z'),
    action: 'license.created',
    actorType: 'api-key',
    actorId: 'key_01q3dcbd00hghfb4eq8n8a0phx',
    organisationId: 'org_01q3dcbd00fn1c8w6tscs7xh96',
    targetType: 'license',
    targetId: 'lic_01q3dcbd00fn1c8w6tscs7xh96',
    requestId: 'req_01m8tmq6pffbnxxxr01mbx59y7',
    ip: '203.0.113.7',
    data: { seats: 5, planId: 'pln_01q3dcbd00fn1c8w6tscs7xh96', entitlements: ['pro', 'ai'], overrides: { z: null, a: { y: 2, b: 1 } } },
  },
  {
    id: 'evt_01q3dcbd00fn1c8w6tscs7xh97',
    at: new Date('2030-01-01T00:00:01.250Z'),
    action: 'seat.granted',
    actorType: 'system',
    actorId: null,
    organisationId: null,
    targetType: null,
    targetId: null,
    requestId: null,
    ip: null,
    data: {
      hostname: 'Zoë’s laptop 💻',
      quote: 'say "hi" \\ bye / </script>',
      control: 'line\nfeed\ttab\r\u0001\u001f\u007f',
      separator: 'a\u2028b',
      numbers: [0, -1, 1.5, 123456789012, 1e21, 1e-7, 0.000001, 2.5e-8, -2.5],
      flags: [true, false, null],
      empty: { object: {}, array: [] },
    },
  },
  {
    id: 'evt_01q3dcbd00fn1c8w6tscs7xh98',
    at: new Date('2030-01-01T00:00:02.000Z'),
    action: 'license.suspended',
    actorType: 'operator',
    actorId: 'operator',
    organisationId: 'org_01q3dcbd00fn1c8w6tscs7xh96',
    targetType: 'license',
    targetId: 'lic_01q3dcbd00fn1c8w6tscs7xh96',
    requestId: null,
    ip: null,
    // Keys that sort differently by UTF-16 code unit and by code point: U+FB01 < U+1F600 only by code point.
    data: { '\uFB01': 'ligature', '😀': 'emoji', B: 'upper', a: 'lower', 'a-b': 1, a_b: 2, '': 'empty key' },
  },
];

function vector() {
  let prevHash = GENESIS_HASH;
  const events = CONTENTS.map((content, i) => {
    const seq = i + 1;
    const canonical = canonicalJson({ ...content, at: content.at.toISOString() });
    const digest = contentDigest(content);
    const hash = linkHash(prevHash, seq, digest);
    const event = { seq, ...content, at: content.at.toISOString(), prevHash, canonical, digest, hash };
    prevHash = hash;
    return event;
  });
  return {
    description:
      'Leasehold audit hash chain test vector. digest = sha256(canonical); hash = sha256(prevHash + "\\n" + seq + "\\n" + digest). See README.md "The audit log" and check.py.',
    events,
  };
}

/** The audit hash as the README states it, checked by a test vector and by an independent checker in another language. */
describe('audit hash test vector', () => {
  it('is what the server computes', () => {
    // Compared as data: the file is formatted by the linter. UPDATE_VECTOR=1 rewrites it.
    if (process.env.UPDATE_VECTOR === '1') writeFileSync(VECTOR, `${JSON.stringify(vector(), null, 2)}\n`);
    expect(JSON.parse(readFileSync(VECTOR, 'utf8'))).toEqual(vector());
  });

  it('checks out with the Python checker, which knows only the README rules', async () => {
    const { stdout } = await run('python3', [CHECKER, VECTOR]);
    expect(stdout).toContain('3 events check out');
  });

  it('the Python checker catches a changed field', async () => {
    const tampered = JSON.parse(readFileSync(VECTOR, 'utf8'));
    tampered.events[1].data.numbers[2] = 1.25;
    delete tampered.events[1].canonical;
    const path = `${VECTOR}.tampered-${process.pid}.json`;
    writeFileSync(path, JSON.stringify(tampered));
    try {
      await expect(run('python3', [CHECKER, path])).rejects.toMatchObject({ stdout: expect.stringContaining('event 2: hash does not match') });
    } finally {
      (await import('node:fs')).rmSync(path, { force: true });
    }
  });
});
