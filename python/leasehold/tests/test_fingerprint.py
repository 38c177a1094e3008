"""The fingerprint recipe is the TypeScript SDK's: shared vectors, and this very machine."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest
from support import REPO, node

from leasehold import Fingerprint, NetworkInterfaceFact, SystemProbes, compute_fingerprint, get_machine_id, physical_mac_addresses

VECTORS = json.loads((REPO / "test-support" / "vectors" / "fingerprint.json").read_text("utf-8"))["vectors"]


class VectorProbes:
    def __init__(self, facts: Dict[str, Any]) -> None:
        self.facts = facts

    def machine_id(self) -> Optional[str]:
        return self.facts["machineId"]

    def cpu_model(self) -> Optional[str]:
        return self.facts["cpuModel"]

    def network_interfaces(self) -> List[NetworkInterfaceFact]:
        return [NetworkInterfaceFact(n["name"], n["mac"], n["physical"]) for n in self.facts["networkInterfaces"]]

    def disk_serials(self) -> List[str]:
        return list(self.facts["diskSerials"])


def test_there_are_vectors() -> None:
    assert len(VECTORS) > 10


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_shared_vector(vector: Dict[str, Any]) -> None:
    def run() -> Fingerprint:
        return compute_fingerprint(vector["product"], override=vector.get("override"), salt=vector.get("salt", ""),
                                   env=vector["env"], probes=VectorProbes(vector["probes"]))

    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(RuntimeError, match=expected["error"]):
            run()
        return
    fp = run()
    assert {"fingerprint": fp.fingerprint, "components": fp.components, "source": fp.source} == expected
    assert list(fp.components) == list(expected["components"])  # same order too


def test_this_machine_gives_the_typescript_sdks_fingerprint() -> None:
    ts = json.loads(node("""
        import { computeFingerprint } from './packages/client/dist/index.js';
        console.log(JSON.stringify(await computeFingerprint({ product: 'coditect', env: {} })));
    """))
    py = compute_fingerprint("coditect", env={})
    assert (py.fingerprint, py.components, py.source) == (ts["fingerprint"], ts["components"], ts["source"])


def test_probes_read_what_node_reads() -> None:
    ts = json.loads(node("""
        import { systemProbes } from './packages/client/dist/index.js';
        console.log(JSON.stringify({ machineId: await systemProbes.machineId(), cpu: await systemProbes.cpuModel(),
          disks: await systemProbes.diskSerials() }));
    """))
    probes = SystemProbes()
    assert probes.machine_id() == ts["machineId"] == get_machine_id()
    assert probes.cpu_model() == ts["cpu"]
    assert probes.disk_serials() == ts["disks"]


def test_physical_macs_are_normalised_sorted_and_deduplicated() -> None:
    nics = [NetworkInterfaceFact("eth1", "3C-22-FB-01-02-03", None), NetworkInterfaceFact("eth0", "00:1b:44:11:3a:b7", True),
            NetworkInterfaceFact("eth2", "3c:22:fb:01:02:03", True), NetworkInterfaceFact("docker0", "00:42:ac:11:00:02", True)]
    assert physical_mac_addresses(nics) == ["00:1b:44:11:3a:b7", "3c:22:fb:01:02:03"]
