"""The license key and the session secret travel in headers, never in a JSON body; loopback only."""

from __future__ import annotations

from typing import Iterator

import pytest

from leasehold import Transport

from loopback import LoopbackServer


@pytest.fixture()
def server() -> Iterator[LoopbackServer]:
    served = LoopbackServer(lambda seen: (200, {}, {}))
    yield served
    served.close()


def test_the_key_and_the_secret_go_in_headers(server: LoopbackServer) -> None:
    transport = Transport(server.url)
    transport.request("POST", "/api/v1/licenses/acquire", {"product": "coditect", "licenseKey": "ABCDE-FGHJK-MNPQR-STVWX-YZ012", "fingerprint": "f"})
    transport.request("POST", "/api/v1/licenses/heartbeat", {"sessionId": "ses_1", "sessionSecret": "secret-of-the-session-123"})
    seen = server.seen
    assert seen[0].headers["authorization"] == "License ABCDE-FGHJK-MNPQR-STVWX-YZ012"
    assert seen[0].json() == {"product": "coditect", "fingerprint": "f"}
    assert seen[1].headers["leasehold-session-secret"] == "secret-of-the-session-123"
    assert seen[1].json() == {"sessionId": "ses_1"}
