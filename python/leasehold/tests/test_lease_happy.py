"""Acquire, heartbeat, release against a real server; the context manager; the example program's exits."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from support import Server, clean_env, coditect_py, seed_license, wait_for

from leasehold import LeaseClient, NotLicensedError


def client_for(server: Server, lic: dict, state_dir: str, **options) -> LeaseClient:  # type: ignore[no-untyped-def]
    options.setdefault("release_on_exit", False)
    return LeaseClient(server.url, lic["product"], license_key=lic["key"], jwks=server.jwks(), state_dir=state_dir, env={}, **options)


def test_acquire_heartbeat_release(server: Server, state_dir: str) -> None:
    lic = seed_license(server, seats=2, leaseTtlSeconds=10, heartbeatIntervalSeconds=1)
    renewed = []
    client = client_for(server, lic, state_dir, fingerprint="py-happy-1", on_renewed=renewed.append)
    status = client.acquire()
    assert status.mode == "online"
    assert status.session_id and status.session_id.startswith("ses_")
    assert status.entitlements == ["core", "pro"] and client.has_feature("pro") and not client.has_feature("enterprise")
    assert status.heartbeat_interval_seconds == 1
    [live] = server.sessions(lic["licenseId"])
    assert live["id"] == status.session_id
    first_expiry = live["expiresAt"]
    # The daemon thread renews at the server's interval (1 s, jittered early): two renewals within 3 s.
    assert wait_for(lambda: len(renewed) >= 3, 4), renewed
    assert server.sessions(lic["licenseId"])[0]["expiresAt"] > first_expiry
    assert any(t.name.startswith("leasehold-heartbeat") and t.daemon for t in threading.enumerate())
    client.release()
    assert server.sessions(lic["licenseId"]) == []
    assert client.status().mode == "released"
    with pytest.raises(NotLicensedError):
        client.assert_licensed()
    client.release()  # repeated release is harmless


def test_context_manager_releases_even_on_error(server: Server, state_dir: str) -> None:
    lic = seed_license(server)
    client = client_for(server, lic, state_dir, fingerprint="py-ctx-1")
    with pytest.raises(RuntimeError):
        with client.lease() as lease:
            assert lease.mode == "online" and lease.has_feature("core")
            assert len(server.sessions(lic["licenseId"])) == 1
            raise RuntimeError("the program failed")
    assert server.sessions(lic["licenseId"]) == []


def test_threads_share_one_client(server: Server, state_dir: str) -> None:
    lic = seed_license(server, seats=1)
    client = client_for(server, lic, state_dir, fingerprint="py-threads")
    client.acquire()
    errors = []

    def work() -> None:
        try:
            for _ in range(5):
                client.assert_licensed()
                client.heartbeat()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert len(server.sessions(lic["licenseId"])) == 1
    client.release()


def program_env(server: Server, lic: dict, state_dir: str, fingerprint: str, jwks_file: str) -> dict:  # type: ignore[no-untyped-def]
    return clean_env(LEASEHOLD_URL=server.url, CODITECT_LICENSE_KEY=lic["key"], LEASEHOLD_CONFIG_DIR=state_dir,
                     LEASEHOLD_FINGERPRINT=fingerprint, CODITECT_JWKS=jwks_file)


@pytest.fixture()
def jwks_file(server: Server, tmp_path) -> str:  # type: ignore[no-untyped-def]
    import json

    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(server.jwks()))
    return str(path)


def test_program_that_only_acquires_exits_on_its_own_and_releases(server: Server, state_dir: str, jwks_file: str) -> None:
    lic = seed_license(server, leaseTtlSeconds=60, heartbeatIntervalSeconds=1)
    started = time.monotonic()
    program = coditect_py(["hello"], program_env(server, lic, state_dir, "py-hello", jwks_file))
    assert program.wait(20) == 0, program.stderr
    assert time.monotonic() - started < 10
    assert "CODITECT licensed (online" in program.stdout and "Hello from CODITECT." in program.stdout
    assert server.sessions(lic["licenseId"]) == []


def test_sys_exit_releases(server: Server, state_dir: str, jwks_file: str) -> None:
    lic = seed_license(server)
    program = coditect_py(["check"], program_env(server, lic, state_dir, "py-check", jwks_file))
    assert program.wait(20) == 0, program.stderr
    assert server.sessions(lic["licenseId"]) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_release_at_once(server: Server, state_dir: str, jwks_file: str, sig: signal.Signals) -> None:
    lic = seed_license(server, leaseTtlSeconds=300, heartbeatIntervalSeconds=60)
    program = coditect_py(["serve"], program_env(server, lic, state_dir, f"py-{sig.name}", jwks_file))
    program.printed("CODITECT licensed")
    assert len(server.sessions(lic["licenseId"])) == 1
    sent = time.monotonic()
    program.process.send_signal(sig)
    code = program.wait(10)
    assert time.monotonic() - sent < 5
    assert code in (-sig, 128 + sig, 1), (code, program.stderr)  # died of the signal (or KeyboardInterrupt's exit)
    assert server.sessions(lic["licenseId"]) == []  # released at once, not after the 300 s TTL


def test_sigkill_holds_the_seat_only_until_the_lease_ttl(server: Server, state_dir: str, jwks_file: str) -> None:
    lic = seed_license(server, leaseTtlSeconds=5, heartbeatIntervalSeconds=2)
    program = coditect_py(["serve"], program_env(server, lic, state_dir, "py-kill", jwks_file))
    program.printed("CODITECT licensed")
    program.process.send_signal(signal.SIGKILL)
    program.wait(10)
    killed = time.monotonic()
    assert len(server.sessions(lic["licenseId"])) == 1  # nobody could release it
    assert wait_for(lambda: server.sessions(lic["licenseId"]) == [], 8, 0.25)
    assert time.monotonic() - killed <= 7  # lapsed with the 5 s TTL


def test_a_revoked_license_loses_the_lease_at_the_next_heartbeat(server: Server, state_dir: str) -> None:
    lic = seed_license(server, leaseTtlSeconds=10, heartbeatIntervalSeconds=1)
    lost = []
    client = client_for(server, lic, state_dir, fingerprint="py-revoked", on_lost=lambda error, status: lost.append((error, status)))
    client.acquire()
    server.admin("POST", f"/licenses/{lic['licenseId']}/revoke", {"reason": "test"})
    assert wait_for(lambda: bool(lost), 5)
    error, status = lost[0]
    assert error.code == "LICENSE_REVOKED" and status.mode == "lost"
    with pytest.raises(type(error)):
        client.assert_licensed()
    assert not client.has_feature("core") and client.entitlements == []


CHAINED = """
import os, signal, sys, time
from leasehold import LeaseClient
seen = []
def own_handler(signum, frame):
    print("own handler ran", flush=True)
    sys.exit(0)  # the program decides to end: atexit releases the seat
signal.signal(signal.SIGTERM, own_handler)
client = LeaseClient(os.environ["LEASEHOLD_URL"], "coditect", license_key=os.environ["KEY"], env=os.environ)
client.acquire()
print("acquired", flush=True)
while True:
    time.sleep(0.1)
"""


def test_the_programs_own_signal_handler_is_chained_not_replaced(server: Server, state_dir: str) -> None:
    from support import Program

    lic = seed_license(server, leaseTtlSeconds=300)
    env = clean_env(LEASEHOLD_URL=server.url, KEY=lic["key"], LEASEHOLD_CONFIG_DIR=state_dir, LEASEHOLD_FINGERPRINT="py-chained")
    import sys

    program = Program([sys.executable, "-c", CHAINED], env)
    program.printed("acquired")
    program.process.send_signal(signal.SIGTERM)
    assert program.wait(10) == 0, program.stderr
    assert "own handler ran" in program.stdout
    assert server.sessions(lic["licenseId"]) == []
