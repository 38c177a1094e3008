"""The license key and the session secret travel in headers, never in a JSON body; loopback only."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

from leasehold import Transport


class Capture(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length", "0"))
        self.server.seen.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": json.loads(self.rfile.read(length))})  # type: ignore[attr-defined]
        data = b"{}"
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[tuple[str, List[Dict[str, Any]]]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    httpd.daemon_threads = True
    httpd.seen = []  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.seen  # type: ignore[attr-defined]
    httpd.shutdown()
    httpd.server_close()


def test_the_key_and_the_secret_go_in_headers(server: tuple[str, List[Dict[str, Any]]]) -> None:
    url, seen = server
    transport = Transport(url)
    transport.request("POST", "/api/v1/licenses/acquire", {"product": "coditect", "licenseKey": "ABCDE-FGHJK-MNPQR-STVWX-YZ012", "fingerprint": "f"})
    transport.request("POST", "/api/v1/licenses/heartbeat", {"sessionId": "ses_1", "sessionSecret": "secret-of-the-session-123"})
    assert seen[0]["headers"]["authorization"] == "License ABCDE-FGHJK-MNPQR-STVWX-YZ012"
    assert seen[0]["body"] == {"product": "coditect", "fingerprint": "f"}
    assert seen[1]["headers"]["leasehold-session-secret"] == "secret-of-the-session-123"
    assert seen[1]["body"] == {"sessionId": "ses_1"}
