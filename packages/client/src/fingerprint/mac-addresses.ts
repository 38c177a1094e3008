import type { NetworkInterfaceFact } from './probes.js';

/** Interface names that are virtual whatever the kernel says. */
const VIRTUAL_NAME =
  /^(lo|docker|veth|br-|virbr|vnet|tun|tap|vmnet|vboxnet|utun|llw|awdl|bridge|cni|flannel|cali|weave|kube|zt|wg|tailscale|ham|ppp|gif|stf|anpi|ap\d)/i;

/**
 * The MAC addresses of physical interfaces: lower case, sorted and de-duplicated,
 * so the order interfaces come up in never changes the result. Virtual interfaces,
 * the zero MAC and locally administered (randomised) MACs are ignored.
 *
 * @example
 * ```ts
 * physicalMacAddresses([{ name: 'eth0', mac: '3C:22:FB:01:02:03', physical: true }]); // ['3c:22:fb:01:02:03']
 * ```
 */
export function physicalMacAddresses(interfaces: NetworkInterfaceFact[]): string[] {
  const macs = new Set<string>();
  for (const nic of interfaces) {
    if (nic.physical === false || VIRTUAL_NAME.test(nic.name)) continue;
    const mac = nic.mac.toLowerCase().replaceAll('-', ':');
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) || mac === '00:00:00:00:00:00') continue;
    const firstOctet = Number.parseInt(mac.slice(0, 2), 16);
    // Bit 1 set: locally administered (randomised Wi-Fi MACs, VMs, containers). Bit 0: multicast.
    if (firstOctet & 0b11) continue;
    macs.add(mac);
  }
  return [...macs].sort();
}
