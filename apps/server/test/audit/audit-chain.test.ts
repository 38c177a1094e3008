import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

describe('audit hash chain on PostgreSQL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness('postgres');
    const seed = await seedLicense(h, { seats: 1 });
    const a = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
    await h.licensing('acquire', acquireBody(seed, 'machine-bbbb'));
    expectStatus(await h.licensing('release', { sessionId: a.sessionId, sessionSecret: a.sessionSecret }), 200);
  });
  afterAll(() => h.close());

  const verifyCommand = async () => {
    try {
      const { stdout } = await run(process.execPath, [MAIN, 'audit', 'verify'], {
        env: { PATH: process.env.PATH, DATABASE_URL: h.db.url as string, LEASEHOLD_DATA_DIR: h.dataDir },
      });
      return { code: 0, output: stdout };
    } catch (error) {
      const e = error as { code: number; stderr: string };
      return { code: e.code, output: e.stderr };
    }
  };

  it('records every change and seat decision, in order, each linked to the one before', async () => {
    const page = expectStatus(await h.admin('GET', '/audit?limit=100'), 200);
    const actions = page.data.map((e: { action: string }) => e.action).reverse();
    expect(actions).toEqual([
      'api-key.created',
      'product.created',
      'plan.created',
      'organisation.created',
      'license.created',
      'seat.granted',
      'seat.denied',
      'seat.released',
    ]);
    const denied = page.data.find((e: { action: string }) => e.action === 'seat.denied');
    expect(denied).toMatchObject({ actorType: 'license-key', data: { code: 'NO_SEAT_AVAILABLE' } });
    expect(denied.requestId).toMatch(/^req_/);
    const verdict = await verifyCommand();
    expect(verdict).toMatchObject({ code: 0 });
    expect(verdict.output).toContain('Audit chain intact: 8 events');
  });

  it('exports the trail as JSON lines, oldest first', async () => {
    const answer = await h.admin('GET', '/audit/export?action=seat.granted');
    expect(answer.headers['content-type']).toContain('application/x-ndjson');
    const lines = answer.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].action).toBe('seat.granted');
  });

  it('checks out by the formula the README gives, from the export alone', async () => {
    const answer = await h.admin('GET', '/audit/export');
    const events = answer.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const sorted = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    let prev = '0'.repeat(64);
    for (const { seq, prevHash, hash, ...content } of events) {
      expect(prevHash).toBe(prev);
      expect(hash).toBe(sha(`${prevHash}\n${seq}\n${sha(JSON.stringify(sorted(content)))}`));
      prev = hash;
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('checks out with the independent Python checker the README points to', async () => {
    const answer = await h.admin('GET', '/audit/export');
    const file = join(h.dataDir, 'export.jsonl');
    writeFileSync(file, answer.body);
    const { stdout } = await run('python3', [fileURLToPath(new URL('../../../../docs/audit-hash/check.py', import.meta.url)), file]);
    expect(stdout).toMatch(/^\d+ events check out/);
  });

  it('names the altered row when one is changed', async () => {
    await h.db.database.db.execute(sql`update audit_events set data = jsonb_set(data, '{seatsUsed}', '0') where seq = 6`);
    const verdict = await verifyCommand();
    expect(verdict.code).toBe(1);
    expect(verdict.output).toContain('broken at event 6');
    expect(verdict.output).toContain('altered');
    const api = expectStatus(await h.admin('GET', '/audit/verify'), 200);
    expect(api).toMatchObject({ ok: false, firstBadSeq: 6 });
  });

  it('names the removed row when one is deleted', async () => {
    await h.db.database.db.execute(sql`update audit_events set data = jsonb_set(data, '{seatsUsed}', '1') where seq = 6`);
    expect((await verifyCommand()).code).toBe(0);
    await h.db.database.db.execute(sql`delete from audit_events where seq = 4`);
    const verdict = await verifyCommand();
    expect(verdict.code).toBe(1);
    expect(verdict.output).toContain('broken at event 4');
    expect(verdict.output).toContain('removed');
  });

  it('notices rows cut from the end of the chain', async () => {
    const fresh = await createHarness('pglite');
    try {
      await seedLicense(fresh);
      expect((await fresh.services.audit.verify()).ok).toBe(true);
      await fresh.db.database.db.execute(sql`delete from audit_events where seq = (select max(seq) from audit_events)`);
      const verdict = await fresh.services.audit.verify();
      expect(verdict).toMatchObject({ ok: false, firstBadSeq: 5 });
      expect(verdict.ok === false && verdict.reason).toContain('end of the chain');
    } finally {
      await fresh.close();
    }
  });
});
