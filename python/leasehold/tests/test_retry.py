"""Retries on 429, 503 and network errors only, honouring Retry-After (a loopback HTTP server)."""

from __future__ import annotations

from typing import Iterator, List

import pytest
from loopback import Answer, LoopbackServer

from leasehold import RetryPolicy, ServerUnreachableError, Transport
from leasehold.errors import InternalError, LicenseRevokedError


class Scripted(LoopbackServer):
    """Answers from a script, the last answer repeated; ``count`` is how many were asked."""

    def __init__(self) -> None:
        self.answers: List[Answer] = []
        super().__init__(lambda seen: self.answers[min(len(self.seen) - 1, len(self.answers) - 1)])

    @property
    def count(self) -> int:
        return len(self.seen)


@pytest.fixture()
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.close()


def transport(server: Scripted, waits: List[float]) -> Transport:
    return Transport(server.url, retry=RetryPolicy(attempts=4), sleep=waits.append, rand=lambda: 0.5)


def test_429_and_503_are_retried_honouring_retry_after(scripted: Scripted) -> None:
    scripted.answers = [(429, {"retry-after": "2"}, {"code": "RATE_LIMITED"}), (503, {}, {"code": "SERVICE_UNAVAILABLE"}), (200, {}, {"ok": True})]
    waits: List[float] = []
    assert transport(scripted, waits).request("POST", "/x", {}).body == {"ok": True}
    assert scripted.count == 3 and waits == [2.0, 0.25]  # Retry-After 2 s, then full jitter of 0.5 s


def test_other_answers_are_decisions_never_retried(scripted: Scripted) -> None:
    waits: List[float] = []
    scripted.answers = [(403, {}, {"code": "LICENSE_REVOKED", "requestId": "req_1"})]
    with pytest.raises(LicenseRevokedError) as caught:
        transport(scripted, waits).request("POST", "/x", {})
    assert caught.value.request_id == "req_1" and scripted.count == 1 and waits == []
    scripted.seen.clear()
    scripted.answers = [(500, {}, {"code": "INTERNAL_ERROR"})]
    with pytest.raises(InternalError):
        transport(scripted, waits).request("POST", "/x", {})
    assert scripted.count == 1


def test_persistent_503_ends_as_unreachable(scripted: Scripted) -> None:
    scripted.answers = [(503, {"retry-after": "1"}, {"code": "SERVICE_UNAVAILABLE"})]
    waits: List[float] = []
    with pytest.raises(ServerUnreachableError) as caught:
        transport(scripted, waits).request("POST", "/x", {})
    assert scripted.count == 4 and waits == [1.0, 1.0, 1.0]
    assert "not answering properly" in str(caught.value)
