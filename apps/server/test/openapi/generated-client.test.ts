import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, seedLicense } from '../support/harness.js';
import { documentedHarness, fetchDocument, type Json } from './support.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * A program an integrator would write against a client generated from the
 * document alone: it takes a seat, heartbeats and gives it back. The
 * `@ts-expect-error` lines prove the generated types are precise, not `any`.
 */
const PROGRAM = `import type { components, paths } from './schema.js';

type Json<Op, Status extends number, Media extends string = 'application/json'> = Op extends {
  responses: { [S in Status]: { content: { [M in Media]: infer Body } } };
}
  ? Body
  : never;
type Acquire = paths['/api/v1/licenses/acquire']['post'];
type Heartbeat = paths['/api/v1/licenses/heartbeat']['post'];
type Release = paths['/api/v1/licenses/release']['post'];

async function post<Body, Answer>(base: string, path: string, body: Body): Promise<Answer> {
  const answer = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!answer.ok) {
    const problem = (await answer.json()) as components['schemas']['Problem'];
    throw new Error(problem.code + ': ' + problem.detail);
  }
  return (await answer.json()) as Answer;
}

export async function main(base: string, product: string, licenseKey: string): Promise<string[]> {
  const request: Acquire['requestBody']['content']['application/json'] = { product, licenseKey, fingerprint: 'generated-client-0001', hostname: 'ci' };
  const seat = await post<typeof request, Json<Acquire, 200>>(base, '/api/v1/licenses/acquire', request);
  const credentials: components['schemas']['SessionCredentials'] = { sessionId: seat.sessionId, sessionSecret: seat.sessionSecret };
  const beat = await post<typeof credentials, Json<Heartbeat, 200>>(base, '/api/v1/licenses/heartbeat', credentials);
  const renewedUntil: string = beat.expiresAt;
  const reacquired: boolean = beat.reacquired;
  const released = await post<typeof credentials, Json<Release, 200>>(base, '/api/v1/licenses/release', credentials);
  const yes: true = released.released;
  // The facts of a refused seat are typed too.
  const refused = (problem: Json<Acquire, 409, 'application/problem+json'>) => problem.code;
  const noSeat = (problem: components['schemas']['NoSeatAvailableProblem']) => problem.holders.map((h) => h.hostname ?? h.expiresAt);
  // @ts-expect-error a fingerprint is a string
  const wrong: Acquire['requestBody']['content']['application/json'] = { product, fingerprint: 42 };
  // @ts-expect-error the heartbeat answer has no seats
  void beat.seats;
  void [refused, noSeat, wrong, reacquired];
  return [seat.sessionId, renewedUntil, String(yes), String(seat.seats.used)];
}

declare const process: { argv: string[] };
const [base, product, key] = process.argv.slice(2);
if (base && product && key) console.log(JSON.stringify(await main(base, product, key)));
`;

describe('a client generated from the document with openapi-typescript', () => {
  let h: Harness;
  let doc: Json;
  let dir: string;
  beforeAll(async () => {
    h = await documentedHarness();
    doc = await fetchDocument(h);
    dir = mkdtempSync(join(tmpdir(), 'leasehold-client-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  it('has named types, and type-checks and runs a program that acquires, heartbeats and releases', async () => {
    const source = astToString(await openapiTS(doc));
    for (const name of ['AcquireRequest', 'AcquireResponse', 'HeartbeatResponse', 'NoSeatAvailableProblem', 'License']) expect(source).toContain(`${name}: {`);
    expect(source).toContain('acquireSeat: {');
    writeFileSync(join(dir, 'schema.d.ts'), source);
    writeFileSync(join(dir, 'program.ts'), PROGRAM);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [], outDir: 'out' },
        files: ['program.ts', 'schema.d.ts'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const compiled = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')]).catch((error) => error as { stdout: string; code: number });
    expect((compiled as { stdout: string }).stdout).toBe('');

    const seed = await seedLicense(h, { seats: 2 });
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { stdout } = await run(process.execPath, [join(dir, 'out/program.js'), address, seed.productCode, seed.key]);
    const [sessionId, renewedUntil, released, used] = JSON.parse(stdout);
    expect(sessionId).toMatch(/^ses_/);
    expect(new Date(renewedUntil).getTime()).toBeGreaterThan(h.clock.now().getTime());
    expect(released).toBe('true');
    expect(used).toBe('1');
  }, 120_000);
});
