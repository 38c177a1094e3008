"""The two SDKs agree: one lease token verified by both, one seat shared by a Python and a
TypeScript program on one fingerprint, a key activated by the `leasehold` CLI found by Python."""

from __future__ import annotations

import json
import signal
import time

import pytest
from support import CODITECT_TS, LEASEHOLD_CLI, Program, Server, clean_env, coditect_py, node, seed_license

from leasehold import KeyRing, LeaseClient, NoSeatAvailableError, TokenVerificationError, verify_lease_token
from leasehold.state import LeaseStateStore

VERIFY_IN_TS = """
import { KeyRing, verifyLeaseToken } from './packages/client/dist/index.js';
const { token, jwks, product, fingerprint } = JSON.parse(process.env.INPUT);
try {
  const { claims } = verifyLeaseToken(token, new KeyRing(jwks), { product, fingerprint, now: Date.now() });
  console.log(JSON.stringify({ ok: true, claims }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, reason: error.reason }));
}
"""

ACQUIRE_IN_TS = """
import { LeaseClient } from './packages/client/dist/index.js';
const { url, key, stateDir, fingerprint } = JSON.parse(process.env.INPUT);
const client = new LeaseClient({ serverUrl: url, product: 'coditect', licenseKey: key, stateDir, fingerprint, env: {}, heartbeat: false, releaseOnExit: false });
const status = await client.acquire();
console.log(JSON.stringify({ sessionId: status.sessionId, fingerprint: status.fingerprint }));
client.close();
"""


def ts(script: str, **values: object) -> dict:
    return dict(json.loads(node(script, clean_env(INPUT=json.dumps(values)))))


def test_one_lease_token_verifies_in_both_sdks(server: Server, state_dir: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lic = seed_license(server, seats=2)
    jwks = server.jwks()
    py = LeaseClient(server.url, "coditect", license_key=lic["key"], jwks=jwks, state_dir=state_dir, env={}, fingerprint="cross-token",
                     heartbeat=False, release_on_exit=False)
    py.acquire()
    state = LeaseStateStore(state_dir, server.url, "coditect").load()
    assert state
    fp = py.fingerprint().fingerprint
    seen_by_ts = ts(VERIFY_IN_TS, token=state["leaseToken"], jwks=jwks, product="coditect", fingerprint=fp)
    assert seen_by_ts["ok"] and seen_by_ts["claims"]["session_id"] == py.status().session_id
    header, payload, signature = state["leaseToken"].split(".")
    tampered = f"{header}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{signature}"
    assert ts(VERIFY_IN_TS, token=tampered, jwks=jwks, product="coditect", fingerprint=fp) == {"ok": False, "reason": "signature"}
    with pytest.raises(TokenVerificationError):
        verify_lease_token(tampered, KeyRing(jwks), product="coditect", fingerprint=fp, now_ms=time.time() * 1000)
    py.release()

    # The other way round: a token the TypeScript SDK took and cached, verified by Python.
    ts_dir = str(tmp_path / "ts-state")
    taken = ts(ACQUIRE_IN_TS, url=server.url, key=lic["key"], stateDir=ts_dir, fingerprint="cross-token-ts")
    cached = LeaseStateStore(ts_dir, server.url, "coditect").load()
    assert cached and cached["sessionId"] == taken["sessionId"]
    verified = verify_lease_token(cached["leaseToken"], KeyRing(jwks), product="coditect", fingerprint=taken["fingerprint"], now_ms=time.time() * 1000)
    assert verified.claims["session_id"] == taken["sessionId"]


def test_a_python_and_a_typescript_program_on_one_fingerprint_share_one_seat(server: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lic = seed_license(server, seats=1, seatBasis="machine", leaseTtlSeconds=120, heartbeatIntervalSeconds=60)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(server.jwks()))

    def env(fingerprint: str, name: str) -> dict:
        return clean_env(LEASEHOLD_URL=server.url, CODITECT_LICENSE_KEY=lic["key"], CODITECT_JWKS=str(jwks), LEASEHOLD_FINGERPRINT=fingerprint,
                         LEASEHOLD_HOSTNAME=name, LEASEHOLD_CONFIG_DIR=str(tmp_path / name))

    python_program = coditect_py(["serve"], env("alice-workstation", "alice-py"))
    ts_program = Program(["node", str(CODITECT_TS), "serve"], env("alice-workstation", "alice-ts"))
    try:
        python_program.printed("CODITECT licensed (online")
        ts_program.printed("CODITECT licensed (online")
        assert len(server.sessions(lic["licenseId"])) == 2  # two programs, one machine: one seat of one
        other = coditect_py(["hello"], env("bob-workstation", "bob-py"))
        assert other.wait(20) == 3
        assert "The one seat of this license is in use (by alice-" in other.stderr
    finally:
        for program in (python_program, ts_program):
            program.process.send_signal(signal.SIGTERM)
            program.wait(10)
    assert server.sessions(lic["licenseId"]) == []


def test_no_free_seat_names_the_holders_and_when_one_frees(server: Server, state_dir: str) -> None:
    lic = seed_license(server, seats=1, leaseTtlSeconds=120)
    common = dict(license_key=lic["key"], jwks=server.jwks(), state_dir=state_dir, env={}, heartbeat=False, release_on_exit=False)
    holder = LeaseClient(server.url, "coditect", fingerprint="holder", hostname="carol-laptop", **common)  # type: ignore[arg-type]
    holder.acquire()
    with pytest.raises(NoSeatAvailableError) as caught:
        LeaseClient(server.url, "coditect", fingerprint="latecomer", **common).acquire()  # type: ignore[arg-type]
    error = caught.value
    assert error.status == 409 and error.code == "NO_SEAT_AVAILABLE" and error.request_id
    assert [h.hostname for h in error.holders] == ["carol-laptop"]
    assert error.next_free_at is not None and 100 < error.next_free_at.timestamp() - time.time() <= 121
    assert error.retry_after is not None and error.retry_after > 0
    assert "The one seat of this license is in use (by carol-laptop). The next one frees at" in str(error)
    holder.release()


def test_a_key_activated_with_the_leasehold_cli_is_found_by_python(server: Server, state_dir: str) -> None:
    lic = seed_license(server)
    env = clean_env(LEASEHOLD_URL=server.url, LEASEHOLD_PRODUCT="coditect", LEASEHOLD_CONFIG_DIR=state_dir)
    program = Program(["node", str(LEASEHOLD_CLI), "activate", lic["key"]], env)
    assert program.wait(30) == 0, program.stderr
    assert "Activated coditect on this machine." in program.stdout
    client = LeaseClient(server.url, "coditect", jwks=server.jwks(), env={"LEASEHOLD_CONFIG_DIR": state_dir}, fingerprint="activated",
                         heartbeat=False, release_on_exit=False)
    status = client.acquire()  # no key given: the activated one is used
    assert status.mode == "online" and status.license_id == lic["licenseId"]
    # And the CLI sees the session the Python program holds in the shared cache.
    shown = Program(["node", str(LEASEHOLD_CLI), "status", "--json"], {**env, "LEASEHOLD_FINGERPRINT": "activated"})
    shown.wait(30)
    assert status.session_id and status.session_id in shown.stdout
    client.release()
    assert server.sessions(lic["licenseId"]) == []
