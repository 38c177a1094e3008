"""The raw hardware facts a fingerprint is made of, read the way the TypeScript SDK
(Node.js) reads them.

Example::

    from leasehold import SystemProbes
    SystemProbes().machine_id()  # "4c4c4544-0042-…"
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import List, Optional

try:  # Python 3.8+: typing.Protocol
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment]

_PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class NetworkInterfaceFact:
    """One network interface as a probe sees it: ``physical`` is ``True`` when a physical
    device is known to back it, ``False`` when known virtual, ``None`` when unknown.

    Example::

        NetworkInterfaceFact(name="eth0", mac="3c:22:fb:01:02:03", physical=True)
    """

    name: str
    mac: str
    physical: Optional[bool]


class FingerprintProbes(Protocol):
    """Where the facts come from; tests (and the shared vectors) pass their own.

    Example::

        class FixedProbes:
            def machine_id(self): return "fixed-id"
            def cpu_model(self): return None
            def network_interfaces(self): return []
            def disk_serials(self): return []
    """

    def machine_id(self) -> Optional[str]: ...

    def cpu_model(self) -> Optional[str]: ...

    def network_interfaces(self) -> List[NetworkInterfaceFact]: ...

    def disk_serials(self) -> List[str]: ...


def _read_trimmed(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
    except OSError:
        return None
    return text or None


def _run(*command: str) -> Optional[str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


class SystemProbes:
    """Probes for the machine this process runs on: Linux, macOS and Windows.

    Example::

        probes = SystemProbes()
        probes.cpu_model()  # "Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz"
    """

    def machine_id(self) -> Optional[str]:
        """``/etc/machine-id`` (Linux), ``IOPlatformUUID`` (macOS), ``MachineGuid`` (Windows)."""
        if sys.platform == "darwin":
            out = _run("ioreg", "-rd1", "-c", "IOPlatformExpertDevice")
            match = re.search(r'"IOPlatformUUID"\s*=\s*"([^"]+)"', out or "")
            return match.group(1) if match else None
        if sys.platform == "win32":
            out = _run("reg", "query", "HKLM\\SOFTWARE\\Microsoft\\Cryptography", "/v", "MachineGuid")
            match = re.search(r"MachineGuid\s+REG_\w+\s+(\S+)", out or "")
            return match.group(1) if match else None
        return _read_trimmed("/etc/machine-id") or _read_trimmed("/var/lib/dbus/machine-id")

    def cpu_model(self) -> Optional[str]:
        """The first CPU's model string, as Node's ``os.cpus()[0].model`` reports it."""
        if sys.platform == "darwin":
            out = _run("sysctl", "-n", "machdep.cpu.brand_string")
        elif sys.platform == "win32":
            out = _run("reg", "query", "HKLM\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", "/v", "ProcessorNameString")
            match = re.search(r"ProcessorNameString\s+REG_\w+\s+(.+)", out or "")
            out = match.group(1) if match else None
        else:
            out = None
            try:
                with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        if line.startswith("model name"):
                            out = line.split(":", 1)[1].rstrip("\n").lstrip(" ")
                            break
            except OSError:
                return None
        return (out.strip() or None) if out else None

    def network_interfaces(self) -> List[NetworkInterfaceFact]:
        """Interfaces with their MAC; on Linux whether ``/sys`` shows a device behind them."""
        if sys.platform.startswith("linux"):
            try:
                names = os.listdir("/sys/class/net")
            except OSError:
                names = []
            facts = []
            for name in names:
                mac = _read_trimmed(f"/sys/class/net/{name}/address")
                if not mac:
                    continue
                # A physical NIC has a `device` link to its bus; virtual ones (bridges, veth, tun) do not.
                facts.append(NetworkInterfaceFact(name, mac, os.path.islink(f"/sys/class/net/{name}/device")))
            if facts:
                return facts
        return _ifconfig_interfaces()

    def disk_serials(self) -> List[str]:
        """Serial numbers of physical disks, where readable without privileges (Linux)."""
        if not sys.platform.startswith("linux"):
            return []
        try:
            names = os.listdir("/sys/block")
        except OSError:
            return []
        serials = []
        for name in names:
            if re.match(r"^(loop|ram|zram|dm-|sr|md|nbd)", name):
                continue
            serial = _read_trimmed(f"/sys/block/{name}/device/serial") or _read_trimmed(f"/sys/block/{name}/serial")
            if serial:
                serials.append(serial)
        return serials


def _ifconfig_interfaces() -> List[NetworkInterfaceFact]:
    # macOS and BSDs: `ifconfig` lists each interface's `ether` line; Windows: `getmac`.
    if sys.platform == "win32":
        out = _run("getmac", "/fo", "csv", "/nh", "/v") or ""
        facts = []
        for line in out.splitlines():
            cells = [c.strip('"') for c in line.split('","')]
            if len(cells) >= 3 and re.match(r"^([0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}$", cells[2]):
                facts.append(NetworkInterfaceFact(cells[0], cells[2], None))
        return facts
    out = _run("ifconfig") or ""
    facts, current = [], None
    for line in out.splitlines():
        head = re.match(r"^([^\s:]+):", line)
        if head:
            current = head.group(1)
        ether = re.match(r"^\s+ether\s+([0-9a-fA-F:]{17})", line)
        if current and ether:
            facts.append(NetworkInterfaceFact(current, ether.group(1), None))
    return facts
