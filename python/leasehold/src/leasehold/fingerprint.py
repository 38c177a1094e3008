"""The machine fingerprint, byte for byte the TypeScript SDK's recipe.

One machine gives one fingerprint for a product whichever SDK asks, so a TypeScript
program and a Python program on one machine share one seat on the ``machine`` basis.

Example::

    from leasehold import compute_fingerprint
    fp = compute_fingerprint("coditect")
    print(fp.fingerprint)  # 64 hex characters
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, TypeVar

from ._jsstr import JS_SPACE_RUN, js_sorted, js_trim
from ._probes import FingerprintProbes, NetworkInterfaceFact, SystemProbes

__all__ = ["Fingerprint", "compute_fingerprint", "get_machine_id", "physical_mac_addresses"]

# Interface names that are virtual whatever the kernel says (the TypeScript SDK's list).
_VIRTUAL_NAME = re.compile(
    r"^(lo|docker|veth|br-|virbr|vnet|tun|tap|vmnet|vboxnet|utun|llw|awdl|bridge|cni|flannel|cali|weave|kube|zt|wg|tailscale|ham|ppp|gif|stf|anpi|ap\d)",
    re.I,
)
_MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}\Z")


@dataclass(frozen=True)
class Fingerprint:
    """A machine fingerprint: one SHA-256 digest to bind a seat to, plus each part hashed
    on its own so the server can tell a changed machine from a new one.

    Example::

        fp = compute_fingerprint("coditect")
        fp.fingerprint, fp.components["machineId"], fp.source  # ("9f86…", "1c2e…", "probed")
    """

    fingerprint: str
    components: Dict[str, str] = field(default_factory=dict)
    source: str = "probed"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def physical_mac_addresses(interfaces: Sequence[NetworkInterfaceFact]) -> List[str]:
    """The MAC addresses of physical interfaces: lower case, sorted and de-duplicated.
    Virtual interfaces, the zero MAC and locally administered (randomised) MACs are ignored.

    Example::

        physical_mac_addresses([NetworkInterfaceFact("eth0", "3C:22:FB:01:02:03", True)])
        # ["3c:22:fb:01:02:03"]
    """
    macs: "set[str]" = set()
    for nic in interfaces:
        if nic.physical is False or _VIRTUAL_NAME.match(nic.name):
            continue
        mac = nic.mac.lower().replace("-", ":")
        if not _MAC.match(mac) or mac == "00:00:00:00:00:00":
            continue
        # Bit 1 set: locally administered (randomised Wi-Fi MACs, VMs, containers). Bit 0: multicast.
        if int(mac[:2], 16) & 0b11:
            continue
        macs.add(mac)
    return js_sorted(macs)


def compute_fingerprint(
    product: str,
    *,
    override: Optional[str] = None,
    salt: str = "",
    probes: Optional[FingerprintProbes] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Fingerprint:
    """Computes this machine's fingerprint from its machine id, CPU model, physical MAC
    addresses and disk serials, hashed with a per-product salt. An explicit ``override``
    (or the ``LEASEHOLD_FINGERPRINT`` environment variable) wins: use it in containers.

    Example::

        compute_fingerprint("coditect").fingerprint               # from the hardware
        compute_fingerprint("coditect", override="ci-runner-7")   # fixed, for containers
    """
    full_salt = f"leasehold-fp-v1\u0000{product}\u0000{salt}"

    def hash_part(name: str, value: str) -> str:
        return _sha256(f"{full_salt}\u0000{name}\u0000{value}")

    given = override if override is not None else (os.environ if env is None else env).get("LEASEHOLD_FINGERPRINT")
    if given is not None and js_trim(given):
        component = hash_part("override", js_trim(given))
        return Fingerprint(_sha256(f"{full_salt}\u0000override={component}"), {"override": component}, "override")
    probes = probes or SystemProbes()
    raw: Dict[str, str] = {}
    machine_id = _safe(probes.machine_id)
    cpu = _safe(probes.cpu_model)
    if machine_id:
        raw["machineId"] = js_trim(machine_id).lower()
    if cpu:
        raw["cpu"] = js_trim(JS_SPACE_RUN.sub(" ", cpu))
    macs = physical_mac_addresses(_safe(probes.network_interfaces) or [])
    if macs:
        raw["macs"] = ",".join(macs)
    serials = js_sorted({js_trim(d) for d in (_safe(probes.disk_serials) or [])} - {""})
    if serials:
        raw["disks"] = ",".join(serials)
    if not raw:
        raise RuntimeError(
            "No hardware facts are readable on this machine to fingerprint it. "
            "Set LEASEHOLD_FINGERPRINT to a stable identifier of this machine or container."
        )
    components = {name: hash_part(name, raw[name]) for name in js_sorted(raw)}
    joined = "\u0000".join(f"{name}={digest}" for name, digest in components.items())
    return Fingerprint(_sha256(f"{full_salt}\u0000{joined}"), components, "probed")


T = TypeVar("T")


def _safe(probe: Callable[[], T]) -> Optional[T]:
    # A probe that fails counts as a fact not readable, as in the TypeScript SDK.
    try:
        return probe()
    except Exception:
        return None


def get_machine_id() -> Optional[str]:
    """The operating system installation's machine id (``/etc/machine-id``,
    ``IOPlatformUUID``, ``MachineGuid``), or ``None`` when it cannot be read. It is the
    raw fact; seats are bound to :func:`compute_fingerprint`, which salts and hashes it.

    Example::

        from leasehold import get_machine_id
        print(get_machine_id())  # "4c4c4544-0042-3510-8051-b4c04f4d4e32"
    """
    value = _safe(SystemProbes().machine_id)
    return js_trim(value) if value else None
