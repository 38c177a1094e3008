"""Test support: a real Leasehold server process, its admin API, and child programs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
SRC = PACKAGE / "src"
REPO = PACKAGE.parents[1]
SERVER_MAIN = REPO / "apps" / "server" / "dist" / "main.js"
CODITECT_PY = REPO / "examples" / "coditect-py" / "coditect.py"
CODITECT_TS = REPO / "examples" / "coditect-cli" / "dist" / "main.js"
LEASEHOLD_CLI = REPO / "packages" / "cli" / "dist" / "main.js"
ADMIN_KEY = "lh_test_admin_key_0123456789abcdefghijkl"
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment of a child: no proxies (tests talk to loopback only), the library on the path."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and not k.startswith("LEASEHOLD_")}
    env["PYTHONPATH"] = str(SRC)
    env["TZ"] = "UTC"
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``node apps/server/dist/main.js serve`` on embedded PGlite in a temp data dir."""

    def __init__(self, port: Optional[int] = None, data_dir: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> None:
        if not SERVER_MAIN.exists():
            raise RuntimeError(f"{SERVER_MAIN.relative_to(REPO)} is missing: run `npm run build` first")
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="leasehold-py-server-")
        self.port = port or free_port()
        self.output: List[str] = []
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(self.port), "HOST": "127.0.0.1", "LEASEHOLD_DATA_DIR": self.data_dir,
               "LEASEHOLD_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY, "NODE_ENV": "test", "LOG_LEVEL": "warn", **(env or {})}
        self.process = subprocess.Popen(["node", str(SERVER_MAIN), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        found: Dict[str, str] = {}

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                match = re.match(r"^Listening on (http://\S+)$", line.strip())
                if match:
                    found["url"] = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(90) or "url" not in found:  # generous: CI machines can be busy
            self.stop()
            raise RuntimeError("server did not start:\n" + "".join(self.output))
        self.url = found["url"]

    def admin(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"authorization": f"Bearer {ADMIN_KEY}"}
        if data:
            headers["content-type"] = "application/json"
        request = urllib.request.Request(f"{self.url}/api/v1/admin{path}", data=data, headers=headers, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as answer:
                text = answer.read().decode()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path} -> {error.code}: {error.read().decode()}") from None
        return json.loads(text) if text else {}

    def sessions(self, license_id: str) -> List[Dict[str, Any]]:
        return list(self.admin("GET", f"/sessions?licenseId={license_id}&limit=500")["data"])

    def jwks(self) -> Dict[str, Any]:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.url}/.well-known/jwks.json", timeout=10) as answer:
            return dict(json.loads(answer.read()))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


_seq = [0]


def seed_license(server: Server, product: str = "coditect", **terms: Any) -> Dict[str, str]:
    """product -> plan -> organisation -> license; returns ids and the key (shown once)."""
    _seq[0] += 1
    products = server.admin("GET", "/products?limit=500")["data"]
    existing = next((p for p in products if p["code"] == product), None)
    product_id = existing["id"] if existing else server.admin("POST", "/products", {"code": product, "name": "CODITECT"})["id"]
    plan_terms = {"seats": 1, "seatBasis": "machine", "leaseTtlSeconds": 60, "heartbeatIntervalSeconds": 20, "offlineGraceSeconds": 3600,
                  "maxBorrowSeconds": 7 * 86400, "entitlements": ["core", "pro"]}
    plan_terms.update(terms)
    plan = server.admin("POST", "/plans", {"productId": product_id, "code": f"py-plan-{_seq[0]}-{int(time.time() * 1000)}", "name": "Test plan", **plan_terms})
    org = server.admin("POST", "/organisations", {"name": f"Acme {_seq[0]}"})
    lic = server.admin("POST", "/licenses", {"organisationId": org["id"], "planId": plan["id"]})
    return {"product": product, "planId": plan["id"], "organisationId": org["id"], "licenseId": lic["id"], "key": lic["key"]}


def wait_for(check: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(every)


class Program:
    """A real child process with its output collected as it comes."""

    def __init__(self, args: List[str], env: Dict[str, str]) -> None:
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out: List[str] = []
        self.err: List[str] = []
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    @staticmethod
    def _pump(stream: Any, sink: List[str]) -> None:
        for line in stream:
            sink.append(line)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def printed(self, text: str, timeout: float = 15) -> None:
        if not wait_for(lambda: text in self.stdout, timeout, 0.05):
            raise AssertionError(f"{text!r} not printed in time; stdout:\n{self.stdout}\nstderr:\n{self.stderr}")

    def wait(self, timeout: float = 30) -> int:
        code = self.process.wait(timeout)
        time.sleep(0.05)  # let the pumps drain
        return code


def coditect_py(args: List[str], env: Dict[str, str]) -> Program:
    return Program([sys.executable, str(CODITECT_PY), *args], env)


def node(script: str, env: Optional[Dict[str, str]] = None, timeout: float = 30) -> str:
    """Runs an ES module snippet with Node from the repository root; returns stdout."""
    done = subprocess.run(["node", "--input-type=module", "-e", script], cwd=REPO, env=env or clean_env(), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"node failed ({done.returncode}):\n{done.stderr}")
    return done.stdout
