import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { cpus, networkInterfaces } from 'node:os';

/**
 * The raw facts a fingerprint is made of. Each probe returns `null` (or an
 * empty list) when the fact is not readable; tests pass their own.
 *
 * @example
 * ```ts
 * const probes: FingerprintProbes = { ...systemProbes, machineId: async () => 'fixed-id' };
 * ```
 */
export interface FingerprintProbes {
  /** The OS installation's machine id (machine-id, IOPlatformUUID, MachineGuid). */
  machineId(): Promise<string | null>;
  /** The CPU model string. */
  cpuModel(): Promise<string | null>;
  /** Network interfaces with their MAC and whether the kernel sees a physical device behind them. */
  networkInterfaces(): Promise<NetworkInterfaceFact[]>;
  /** Serial numbers of physical disks, where readable without privileges. */
  diskSerials(): Promise<string[]>;
}

/**
 * One network interface as a probe sees it.
 *
 * @example
 * ```ts
 * const nic: NetworkInterfaceFact = { name: 'eth0', mac: '3c:22:fb:01:02:03', physical: true };
 * ```
 */
export interface NetworkInterfaceFact {
  name: string;
  mac: string;
  /** `true` when a physical device is known to back it, `false` when known virtual, `null` when unknown. */
  physical: boolean | null;
}

const PROBE_TIMEOUT_MS = 3000;

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout) => resolve(error ? null : String(stdout)));
  });
}

async function readTrimmed(path: string): Promise<string | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text || null;
  } catch {
    return null;
  }
}

async function linuxMachineId(): Promise<string | null> {
  return (await readTrimmed('/etc/machine-id')) ?? (await readTrimmed('/var/lib/dbus/machine-id'));
}

async function macMachineId(): Promise<string | null> {
  const out = await run('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
  return out?.match(/"IOPlatformUUID"\s*=\s*"([^"]+)"/)?.[1] ?? null;
}

async function windowsMachineId(): Promise<string | null> {
  const out = await run('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid']);
  return out?.match(/MachineGuid\s+REG_\w+\s+(\S+)/)?.[1] ?? null;
}

async function linuxInterfaces(): Promise<NetworkInterfaceFact[] | null> {
  let names: string[];
  try {
    names = await readdir('/sys/class/net');
  } catch {
    return null;
  }
  const facts: NetworkInterfaceFact[] = [];
  for (const name of names) {
    const mac = await readTrimmed(`/sys/class/net/${name}/address`);
    if (!mac) continue;
    // A physical NIC has a `device` link to its bus; virtual ones (bridges, veth, tun) do not.
    const physical = await readlink(`/sys/class/net/${name}/device`).then(
      () => true,
      () => false,
    );
    facts.push({ name, mac, physical });
  }
  return facts;
}

function osInterfaces(): NetworkInterfaceFact[] {
  const facts: NetworkInterfaceFact[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    const first = addresses?.find((a) => !a.internal);
    if (first) facts.push({ name, mac: first.mac, physical: null });
  }
  return facts;
}

async function linuxDiskSerials(): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir('/sys/block');
  } catch {
    return [];
  }
  const serials: string[] = [];
  for (const name of names) {
    if (/^(loop|ram|zram|dm-|sr|md|nbd)/.test(name)) continue;
    const serial = (await readTrimmed(`/sys/block/${name}/device/serial`)) ?? (await readTrimmed(`/sys/block/${name}/serial`));
    if (serial) serials.push(serial);
  }
  return serials;
}

/**
 * Probes for the machine this process runs on: Linux, macOS and Windows.
 *
 * @example
 * ```ts
 * const id = await systemProbes.machineId();
 * ```
 */
export const systemProbes: FingerprintProbes = {
  async machineId() {
    if (process.platform === 'linux') return linuxMachineId();
    if (process.platform === 'darwin') return macMachineId();
    if (process.platform === 'win32') return windowsMachineId();
    return linuxMachineId();
  },
  async cpuModel() {
    return cpus()[0]?.model.trim() || null;
  },
  async networkInterfaces() {
    return (process.platform === 'linux' ? await linuxInterfaces() : null) ?? osInterfaces();
  },
  async diskSerials() {
    return process.platform === 'linux' ? linuxDiskSerials() : [];
  },
};
