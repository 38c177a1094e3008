"""A JSON HTTP server on 127.0.0.1 for tests of the library's own transport: each request
is recorded and answered by a function the test gives."""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple


@dataclass
class Seen:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


# (status, extra headers, JSON body)
Answer = Tuple[int, Dict[str, str], Any]


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        server: LoopbackServer = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        server.seen.append(seen)
        status, headers, payload = server.respond(seen)
        data = json.dumps(payload).encode()
        self.send_response(status)
        for k, v in {"content-type": "application/json", **headers}.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


class LoopbackServer:
    """Serves until ``close()``; ``seen`` lists every request in arrival order."""

    def __init__(self, respond: Callable[[Seen], Answer], tls: Optional[ssl.SSLContext] = None) -> None:
        self.respond = respond
        self.seen: List[Seen] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        if tls:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = int(self._httpd.server_address[1])
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
