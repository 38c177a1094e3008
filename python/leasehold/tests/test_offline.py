"""Offline: the server stopped, unreachable or silent; the cached token until its grace deadline and
not past it; clock rollback; altered and foreign tokens refused."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
from typing import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from support import Server, clean_env, coditect_py, free_port, seed_license

from leasehold import (
    ClockRollbackError,
    KeyRing,
    LeaseClient,
    LeaseStateStore,
    OfflineGraceExpiredError,
    RetryPolicy,
    ServerUnreachableError,
    TokenVerificationError,
    decode_lease_token_unverified,
    verify_lease_token,
)
from leasehold._b64 import b64url_decode, b64url_encode

FINGERPRINT = "py-offline-machine"


class FakeClock:
    def __init__(self, ms: float) -> None:
        self.ms = ms

    def now(self) -> float:
        return self.ms


@pytest.fixture(scope="module")
def cached(spare_server: Server, tmp_path_factory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """A seat taken online, its token cached; then the server is stopped for good."""
    server = spare_server
    state_dir = str(tmp_path_factory.mktemp("offline-state"))
    lic = seed_license(server, offlineGraceSeconds=600)
    jwks = server.jwks()
    client = LeaseClient(server.url, "coditect", license_key=lic["key"], jwks=jwks, state_dir=state_dir, env={}, fingerprint=FINGERPRINT,
                         release_on_exit=False)
    client.acquire()
    client.release()  # the last token stays cached for offline starts
    state = LeaseStateStore(state_dir, server.url, "coditect").load()
    assert state and state["leaseToken"]
    server.stop()
    yield {"url": server.url, "state_dir": state_dir, "jwks": jwks, "lic": lic, "token": state["leaseToken"],
           "claims": decode_lease_token_unverified(state["leaseToken"]), "state": state}


def offline_client(cached: dict, clock_ms: float, state_dir: str = "", url: str = "", **options) -> LeaseClient:  # type: ignore[no-untyped-def]
    if not state_dir:  # each client starts from the state the online run left, not from another test's
        state_dir = tempfile.mkdtemp(prefix="leasehold-offline-")
        LeaseStateStore(state_dir, cached["url"], "coditect").save(cached["state"])
    return LeaseClient(url or cached["url"], "coditect", license_key=cached["lic"]["key"], jwks=cached["jwks"], state_dir=state_dir, env={},
                       fingerprint=FINGERPRINT, clock=FakeClock(clock_ms), retry=RetryPolicy(attempts=1), timeout=2,
                       release_on_exit=False, heartbeat=False, **options)


def copy_state(cached: dict, tmp_path, url: str, token: str) -> str:  # type: ignore[no-untyped-def]
    state_dir = str(tmp_path / "copy")
    store = LeaseStateStore(state_dir, url, "coditect")
    store.save({**cached["state"], "serverUrl": store.server_url, "leaseToken": token})
    return state_dir


def test_works_on_the_cached_token_until_the_grace_deadline_and_not_past_it(cached: dict) -> None:
    exp_ms = cached["claims"]["exp"] * 1000
    events = []
    client = offline_client(cached, exp_ms - 60_000, on_offline=lambda e, s: events.append(("offline", e)),
                            on_lost=lambda e, s: events.append(("lost", e)))
    status = client.acquire()
    assert status.mode == "offline" and status.entitlements == ["core", "pro"]
    assert status.offline_grace_until is not None and status.offline_grace_until.timestamp() == cached["claims"]["exp"]
    assert isinstance(status.error, ServerUnreachableError)
    assert [kind for kind, _ in events] == ["offline"]
    client._clock.ms = exp_ms - 1  # type: ignore[attr-defined]
    assert client.assert_licensed().mode == "offline"
    client._clock.ms = exp_ms  # type: ignore[attr-defined]
    with pytest.raises(OfflineGraceExpiredError) as caught:
        client.assert_licensed()
    assert "offline grace period of this license ended" in str(caught.value)
    assert client.status().mode == "lost" and [kind for kind, _ in events] == ["offline", "lost"]
    # A new start past the deadline is refused outright.
    with pytest.raises(OfflineGraceExpiredError):
        offline_client(cached, exp_ms + 1).acquire()


def test_clock_set_back_is_detected(cached: dict) -> None:
    last_seen = cached["state"]["lastSeenAt"]
    with pytest.raises(ClockRollbackError) as caught:
        offline_client(cached, last_seen - 3600_000).acquire()
    assert caught.value.behind_by_seconds >= 3590
    # Within the tolerance (300 s by default) a little drift is fine.
    assert offline_client(cached, last_seen - 60_000).acquire().mode == "offline"


def test_clock_set_back_while_running_loses_the_lease(cached: dict) -> None:
    client = offline_client(cached, cached["claims"]["exp"] * 1000 - 120_000)
    client.acquire()
    client._clock.ms -= 3 * 3600_000  # type: ignore[attr-defined]
    with pytest.raises(ClockRollbackError):
        client.assert_licensed()


def _edit(token: str, **claims) -> str:  # type: ignore[no-untyped-def]
    header, payload, signature = token.split(".")
    body = json.loads(b64url_decode(payload))
    body.update(claims)
    return f"{header}.{b64url_encode(json.dumps(body).encode())}.{signature}"


def _sign(key: Ed25519PrivateKey, header: dict, claims: dict) -> str:
    signing_input = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"


def test_an_edited_token_is_refused(cached: dict, tmp_path) -> None:  # type: ignore[no-untyped-def]
    longer = _edit(cached["token"], exp=cached["claims"]["exp"] + 365 * 86400, entitlements=["core", "pro", "enterprise"])
    state_dir = copy_state(cached, tmp_path, cached["url"], longer)
    with pytest.raises(TokenVerificationError) as caught:
        offline_client(cached, time.time() * 1000, state_dir=state_dir).acquire()
    assert caught.value.reason == "signature" and caught.value.code == "LEASE_TOKEN_INVALID"


def test_a_token_signed_by_another_key_is_refused(cached: dict, tmp_path) -> None:  # type: ignore[no-untyped-def]
    header = json.loads(b64url_decode(cached["token"].split(".")[0]))
    forged = _sign(Ed25519PrivateKey.generate(), header, {**cached["claims"], "exp": cached["claims"]["exp"] + 86400})
    state_dir = copy_state(cached, tmp_path, cached["url"], forged)
    with pytest.raises(TokenVerificationError) as caught:
        offline_client(cached, time.time() * 1000, state_dir=state_dir).acquire()
    assert caught.value.reason == "signature"
    other_kid = _sign(Ed25519PrivateKey.generate(), {**header, "kid": "attacker"}, cached["claims"])
    with pytest.raises(TokenVerificationError) as caught:
        verify_lease_token(other_kid, KeyRing(cached["jwks"]), product="coditect", fingerprint=cached["claims"]["fingerprint"], now_ms=time.time() * 1000)
    assert caught.value.reason == "unknown-key"


@pytest.mark.parametrize(
    "header, reason",
    [({"alg": "none", "typ": "leasehold-lease+jwt"}, "header"), ({"alg": "HS256", "typ": "leasehold-lease+jwt"}, "header"),
     ({"alg": "EdDSA", "typ": "at+jwt"}, "header"), ({"alg": "EdDSA", "typ": "leasehold-lease+jwt", "crit": ["x"]}, "header")],
)
def test_only_eddsa_lease_tokens_are_accepted(cached: dict, header: dict, reason: str) -> None:
    kid = json.loads(b64url_decode(cached["token"].split(".")[0]))["kid"]
    token = _sign(Ed25519PrivateKey.generate(), {**header, "kid": kid}, cached["claims"])
    with pytest.raises(TokenVerificationError) as caught:
        verify_lease_token(token, KeyRing(cached["jwks"]), product="coditect", fingerprint=cached["claims"]["fingerprint"], now_ms=time.time() * 1000)
    assert caught.value.reason == reason


def test_wrong_audience_fingerprint_and_issuer_are_refused(cached: dict) -> None:
    keys, now = KeyRing(cached["jwks"]), time.time() * 1000
    token = cached["token"]
    for kwargs, reason in (({"product": "other"}, "audience"), ({"fingerprint": "another-machine"}, "fingerprint"),
                           ({"issuer": "https://evil.example"}, "issuer")):
        expect = {"product": "coditect", "fingerprint": cached["claims"]["fingerprint"], "now_ms": now, **kwargs}
        with pytest.raises(TokenVerificationError) as caught:
            verify_lease_token(token, keys, **expect)  # type: ignore[arg-type]
        assert caught.value.reason == reason
    assert verify_lease_token(token, keys, product="coditect", fingerprint=cached["claims"]["fingerprint"], now_ms=now, issuer=cached["claims"]["iss"])


class SilentServer:
    """A TCP listener on loopback that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_a_silent_server_with_a_valid_cached_token_means_offline_in_bounded_time(cached: dict, silent: SilentServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state_dir = copy_state(cached, tmp_path, silent.url, cached["token"])
    started = time.monotonic()
    status = offline_client(cached, time.time() * 1000, state_dir=state_dir, url=silent.url).acquire()
    assert status.mode == "offline"
    assert time.monotonic() - started < 6


@pytest.mark.parametrize("kind", ["closed-port", "never-answers"])
def test_unreachable_without_a_cached_token_is_a_clear_error_in_bounded_time(kind: str, silent: SilentServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}" if kind == "closed-port" else silent.url
    env = clean_env(LEASEHOLD_URL=url, CODITECT_LICENSE_KEY="", LEASEHOLD_CONFIG_DIR=str(tmp_path), LEASEHOLD_FINGERPRINT="py-unreachable",
                    LEASEHOLD_TIMEOUT_SECONDS="1")
    env["CODITECT_LICENSE_KEY"] = "ABCDE-FGHJK-MNPQR-STVWX-YZ01" + _check_char("ABCDEFGHJKMNPQRSTVWXYZ01")  # well-formed
    started = time.monotonic()
    program = coditect_py(["hello"], env)
    code = program.wait(40)
    elapsed = time.monotonic() - started
    assert code == 5, program.stderr
    assert elapsed < 30
    assert f"Cannot reach the license server at {url}" in program.stderr
    assert "Check your network connection, proxy or firewall." in program.stderr


def _check_char(data: str) -> str:
    from leasehold._license_key import _check_char as check

    return check(data)


def test_recovers_when_the_server_is_back(cached: dict, spare_server: Server) -> None:
    events = []
    client = offline_client(cached, time.time() * 1000, on_recovered=lambda s: events.append(("recovered", s.mode)),
                            on_renewed=lambda s: events.append(("renewed", s.mode)))
    assert client.acquire().mode == "offline"
    restarted = Server(port=spare_server.port, data_dir=spare_server.data_dir)  # the same server, started again
    try:
        status = client.heartbeat()  # what the heartbeat thread does on its next try
        assert status.mode == "online" and status.session_id
        assert ("recovered", "online") in events
        assert len(restarted.sessions(cached["lic"]["licenseId"])) == 1
        client.release()
        assert restarted.sessions(cached["lic"]["licenseId"]) == []
    finally:
        restarted.stop()
