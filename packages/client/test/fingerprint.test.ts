import { describe, expect, it } from 'vitest';
import { computeFingerprint, type FingerprintProbes, type NetworkInterfaceFact, physicalMacAddresses } from '../src/index.js';

const nics: NetworkInterfaceFact[] = [
  { name: 'eth0', mac: '3C:22:FB:01:02:03', physical: true },
  { name: 'wlan0', mac: '00:1b:44:11:3a:b7', physical: true },
  { name: 'lo', mac: '00:00:00:00:00:00', physical: false },
  { name: 'docker0', mac: '02:42:ac:11:00:02', physical: null },
  { name: 'veth1a2b', mac: '5e:aa:bb:cc:dd:ee', physical: null },
  { name: 'br-123abc', mac: '08:00:27:00:00:01', physical: null },
  { name: 'virbr0', mac: '52:54:00:12:34:56', physical: null },
  { name: 'tun0', mac: '00:ff:00:00:00:01', physical: null },
  { name: 'wlan1', mac: 'da:a1:19:00:00:01', physical: true }, // randomised (locally administered)
  { name: 'bond-virtual', mac: '00:16:3e:00:00:01', physical: false },
];

const probes = (over: Partial<FingerprintProbes> = {}): FingerprintProbes => ({
  machineId: async () => '4c4c4544-0042-3510-8051-b4c04f4d4e32',
  cpuModel: async () => 'Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz',
  networkInterfaces: async () => nics,
  diskSerials: async () => ['S4EWNX0N123456', 'WD-WCC4E1234567'],
  ...over,
});

describe('physical MAC addresses', () => {
  it('keeps only physical, globally administered MACs, normalised and sorted', () => {
    expect(physicalMacAddresses(nics)).toEqual(['00:1b:44:11:3a:b7', '3c:22:fb:01:02:03']);
  });
});

describe('computeFingerprint', () => {
  it('is stable across runs and does not depend on interface or disk order', async () => {
    const a = await computeFingerprint({ product: 'coditect', probes: probes(), env: {} });
    const b = await computeFingerprint({
      product: 'coditect',
      env: {},
      probes: probes({ networkInterfaces: async () => [...nics].reverse(), diskSerials: async () => ['WD-WCC4E1234567', 'S4EWNX0N123456'] }),
    });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toEqual(a);
    expect(a.source).toBe('probed');
    expect(Object.keys(a.components)).toEqual(['cpu', 'disks', 'machineId', 'macs']);
  });

  it('ignores virtual interfaces appearing (docker starting, a VPN connecting)', async () => {
    const a = await computeFingerprint({ product: 'coditect', probes: probes(), env: {} });
    const more = [...nics, { name: 'docker1', mac: '02:42:ac:11:00:03', physical: null }, { name: 'tap3', mac: '00:ff:aa:00:00:02', physical: null }];
    const b = await computeFingerprint({ product: 'coditect', probes: probes({ networkInterfaces: async () => more }), env: {} });
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('changes one component, not the others, when a disk is replaced', async () => {
    const a = await computeFingerprint({ product: 'coditect', probes: probes(), env: {} });
    const b = await computeFingerprint({ product: 'coditect', probes: probes({ diskSerials: async () => ['NEWDISK'] }), env: {} });
    expect(b.fingerprint).not.toBe(a.fingerprint);
    expect(b.components.machineId).toBe(a.components.machineId);
    expect(b.components.disks).not.toBe(a.components.disks);
  });

  it('salts per product, so two products cannot correlate a machine', async () => {
    const a = await computeFingerprint({ product: 'coditect', probes: probes(), env: {} });
    const b = await computeFingerprint({ product: 'other', probes: probes(), env: {} });
    expect(b.fingerprint).not.toBe(a.fingerprint);
    expect(b.components.machineId).not.toBe(a.components.machineId);
  });

  it('never sends a raw hardware fact', async () => {
    const a = await computeFingerprint({ product: 'coditect', probes: probes(), env: {} });
    const all = JSON.stringify(a);
    expect(all).not.toContain('4c4c4544');
    expect(all).not.toContain('3c:22:fb');
    expect(all).not.toContain('S4EWNX0N123456');
  });

  it('honours an explicit override (option first, then LEASEHOLD_FINGERPRINT)', async () => {
    const fromEnv = await computeFingerprint({ product: 'coditect', probes: probes(), env: { LEASEHOLD_FINGERPRINT: 'ci-runner-7' } });
    expect(fromEnv.source).toBe('override');
    expect(Object.keys(fromEnv.components)).toEqual(['override']);
    const fromOption = await computeFingerprint({ product: 'coditect', override: 'ci-runner-7', env: { LEASEHOLD_FINGERPRINT: 'other' } });
    expect(fromOption.fingerprint).toBe(fromEnv.fingerprint);
  });

  it('survives probes that fail, and explains what to do when nothing is readable', async () => {
    const failing = probes({ machineId: async () => Promise.reject(new Error('EACCES')), diskSerials: async () => [] });
    expect((await computeFingerprint({ product: 'coditect', probes: failing, env: {} })).components.machineId).toBeUndefined();
    const nothing: FingerprintProbes = {
      machineId: async () => null,
      cpuModel: async () => null,
      networkInterfaces: async () => [],
      diskSerials: async () => [],
    };
    await expect(computeFingerprint({ product: 'coditect', probes: nothing, env: {} })).rejects.toThrow(/LEASEHOLD_FINGERPRINT/);
  });

  it('reads this machine without throwing', async () => {
    const real = await computeFingerprint({ product: 'coditect', env: {} }).catch((e: Error) => e.message);
    expect(typeof real === 'string' ? real : real.fingerprint).toBeTruthy();
  });
});
