import { createHash } from 'node:crypto';
import { physicalMacAddresses } from './mac-addresses.js';
import { type FingerprintProbes, systemProbes } from './probes.js';

/**
 * A machine fingerprint: one SHA-256 digest to bind a seat to, plus each part
 * hashed on its own so the server can tell a changed machine (new disk, same
 * machine id) from a new one.
 *
 * @example
 * ```ts
 * const { fingerprint, components } = await computeFingerprint({ product: 'coditect' });
 * ```
 */
export interface Fingerprint {
  /** 64 hex characters. */
  fingerprint: string;
  /** Hashed components by name: `machineId`, `cpu`, `macs`, `disks`, or `override`. */
  components: Record<string, string>;
  /** `probed` from the hardware, or `override` from an option or LEASEHOLD_FINGERPRINT. */
  source: 'probed' | 'override';
}

/**
 * How to compute a fingerprint.
 *
 * @example
 * ```ts
 * const options: FingerprintOptions = { product: 'coditect', override: process.env.MY_CONTAINER_ID };
 * ```
 */
export interface FingerprintOptions {
  /** The product code: the per-product salt, so two vendors cannot correlate machines. */
  product: string;
  /** A fixed identity for containers and VMs, where hardware facts are missing or shared. */
  override?: string | undefined;
  /** An extra salt, if the vendor wants one besides the product code. */
  salt?: string;
  /** Hardware probes; the real ones by default. */
  probes?: FingerprintProbes;
  /** The environment, for `LEASEHOLD_FINGERPRINT`. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Computes this machine's fingerprint from its machine id, CPU model, physical
 * MAC addresses and disk serials, hashed with a per-product salt. An explicit
 * override (option, or the `LEASEHOLD_FINGERPRINT` environment variable) wins.
 *
 * @example
 * ```ts
 * const fp = await computeFingerprint({ product: 'coditect' });
 * console.log(fp.fingerprint); // "9f86d081884c7d65…"
 * ```
 */
export async function computeFingerprint(options: FingerprintOptions): Promise<Fingerprint> {
  const salt = `leasehold-fp-v1\u0000${options.product}\u0000${options.salt ?? ''}`;
  const hashPart = (name: string, value: string) => sha256(`${salt}\u0000${name}\u0000${value}`);
  const override = options.override ?? (options.env ?? process.env).LEASEHOLD_FINGERPRINT;
  if (override?.trim()) {
    const component = hashPart('override', override.trim());
    return { fingerprint: sha256(`${salt}\u0000override=${component}`), components: { override: component }, source: 'override' };
  }
  const probes = options.probes ?? systemProbes;
  const [machineId, cpu, interfaces, disks] = await Promise.all([
    probes.machineId().catch(() => null),
    probes.cpuModel().catch(() => null),
    probes.networkInterfaces().catch(() => []),
    probes.diskSerials().catch(() => []),
  ]);
  const raw: Record<string, string> = {};
  if (machineId) raw.machineId = machineId.trim().toLowerCase();
  if (cpu) raw.cpu = cpu.replace(/\s+/g, ' ').trim();
  const macs = physicalMacAddresses(interfaces);
  if (macs.length) raw.macs = macs.join(',');
  const serials = [...new Set(disks.map((d) => d.trim()).filter(Boolean))].sort();
  if (serials.length) raw.disks = serials.join(',');
  if (Object.keys(raw).length === 0) {
    throw new Error(
      'No hardware facts are readable on this machine to fingerprint it. Set LEASEHOLD_FINGERPRINT to a stable identifier of this machine or container.',
    );
  }
  const components: Record<string, string> = {};
  for (const name of Object.keys(raw).sort()) components[name] = hashPart(name, raw[name] as string);
  const joined = Object.entries(components)
    .map(([name, hash]) => `${name}=${hash}`)
    .join('\u0000');
  return { fingerprint: sha256(`${salt}\u0000${joined}`), components, source: 'probed' };
}
