"""Retries on 429, 503 and network errors only, honouring Retry-After (a loopback HTTP server)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List, Tuple

import pytest

from leasehold import RetryPolicy, ServerUnreachableError, Transport
from leasehold.errors import InternalError, LicenseRevokedError


class Scripted(ThreadingHTTPServer):
    daemon_threads = True
    answers: List[Tuple[int, dict, dict]]
    seen: int


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        server: Scripted = self.server  # type: ignore[assignment]
        self.rfile.read(int(self.headers.get("content-length") or 0))
        status, headers, body = server.answers[min(server.seen, len(server.answers) - 1)]
        server.seen += 1
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in {"content-type": "application/json", **headers}.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def scripted() -> Iterator[Scripted]:
    server = Scripted(("127.0.0.1", 0), Handler)
    server.answers, server.seen = [], 0
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def transport(server: Scripted, waits: List[float]) -> Transport:
    return Transport(f"http://127.0.0.1:{server.server_address[1]}", retry=RetryPolicy(attempts=4), sleep=waits.append, rand=lambda: 0.5)


def test_429_and_503_are_retried_honouring_retry_after(scripted: Scripted) -> None:
    scripted.answers = [(429, {"retry-after": "2"}, {"code": "RATE_LIMITED"}), (503, {}, {"code": "SERVICE_UNAVAILABLE"}), (200, {}, {"ok": True})]
    waits: List[float] = []
    assert transport(scripted, waits).request("POST", "/x", {}).body == {"ok": True}
    assert scripted.seen == 3 and waits == [2.0, 0.25]  # Retry-After 2 s, then full jitter of 0.5 s


def test_other_answers_are_decisions_never_retried(scripted: Scripted) -> None:
    waits: List[float] = []
    scripted.answers = [(403, {}, {"code": "LICENSE_REVOKED", "requestId": "req_1"})]
    with pytest.raises(LicenseRevokedError) as caught:
        transport(scripted, waits).request("POST", "/x", {})
    assert caught.value.request_id == "req_1" and scripted.seen == 1 and waits == []
    scripted.seen, scripted.answers = 0, [(500, {}, {"code": "INTERNAL_ERROR"})]
    with pytest.raises(InternalError):
        transport(scripted, waits).request("POST", "/x", {})
    assert scripted.seen == 1


def test_persistent_503_ends_as_unreachable(scripted: Scripted) -> None:
    scripted.answers = [(503, {"retry-after": "1"}, {"code": "SERVICE_UNAVAILABLE"})]
    waits: List[float] = []
    with pytest.raises(ServerUnreachableError) as caught:
        transport(scripted, waits).request("POST", "/x", {})
    assert scripted.seen == 4 and waits == [1.0, 1.0, 1.0]
    assert "not answering properly" in str(caught.value)
