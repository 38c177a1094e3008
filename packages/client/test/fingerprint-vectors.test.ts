import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeFingerprint, type NetworkInterfaceFact } from '../src/index.js';

/** The vectors the Python library's tests read too: one machine, one fingerprint, whichever SDK asks. */
interface Vector {
  name: string;
  product: string;
  salt?: string;
  override?: string;
  env: Record<string, string>;
  probes: { machineId: string | null; cpuModel: string | null; networkInterfaces: NetworkInterfaceFact[]; diskSerials: string[] };
  expected: { fingerprint: string; components: Record<string, string>; source: string } | { error: string };
}

const file = fileURLToPath(new URL('../../../test-support/vectors/fingerprint.json', import.meta.url));
const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] };

describe('shared fingerprint vectors', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThan(10);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, vector) => {
    const p = vector.probes;
    const run = computeFingerprint({
      product: vector.product,
      override: vector.override,
      env: vector.env,
      ...(vector.salt ? { salt: vector.salt } : {}),
      probes: {
        machineId: async () => p.machineId,
        cpuModel: async () => p.cpuModel,
        networkInterfaces: async () => p.networkInterfaces,
        diskSerials: async () => p.diskSerials,
      },
    });
    if ('error' in vector.expected) {
      await expect(run).rejects.toThrow(vector.expected.error);
    } else {
      expect(await run).toEqual(vector.expected);
    }
  });
});
