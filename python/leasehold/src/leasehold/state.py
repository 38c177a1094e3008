"""The cached state, in the same per-user place and JSON format as the TypeScript SDK
and the ``leasehold`` CLI: a key activated with ``leasehold activate`` is found here.

Example::

    from leasehold import LeaseStateStore, default_state_dir
    store = LeaseStateStore(default_state_dir(), "https://lic.example.com", "coditect")
    store.load()  # {"version": 1, "licenseKey": "…", "leaseToken": "…", …} or None
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

__all__ = ["LeaseStateStore", "default_state_dir", "lease_state_path", "normalise_server_url", "read_json_file", "write_json_file_atomic"]


def default_state_dir(env: Optional[Mapping[str, str]] = None, platform: Optional[str] = None, home: Optional[str] = None) -> str:
    """Where Leasehold keeps its cached state: ``$LEASEHOLD_CONFIG_DIR`` if set, else
    ``$XDG_CONFIG_HOME/leasehold`` (or ``~/.config/leasehold``) on Linux,
    ``~/Library/Application Support/leasehold`` on macOS, ``%APPDATA%\\leasehold`` on Windows.

    Example::

        default_state_dir()  # "/home/alice/.config/leasehold"
    """
    env = os.environ if env is None else env
    platform = platform or sys.platform
    home = home or str(Path.home())
    if env.get("LEASEHOLD_CONFIG_DIR"):
        return env["LEASEHOLD_CONFIG_DIR"]
    if platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "leasehold")
    if platform == "win32":
        return os.path.join(env.get("APPDATA") or os.path.join(home, "AppData", "Roaming"), "leasehold")
    return os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "leasehold")


def normalise_server_url(url: str) -> str:
    """A server URL without trailing slashes, so ``https://x/`` and ``https://x`` are one server.

    Example::

        normalise_server_url("https://lic.example.com/")  # "https://lic.example.com"
    """
    return url.rstrip("/")


def server_hash(server_url: str) -> str:
    """The 12 hex characters naming a server in file names.

    Example::

        server_hash("https://lic.example.com")  # "3f2a9c1b0d4e"
    """
    return hashlib.sha256(normalise_server_url(server_url).encode("utf-8")).hexdigest()[:12]


def lease_state_path(state_dir: str, server_url: str, product: str) -> str:
    """The file that holds one product's state on one server.

    Example::

        lease_state_path("/home/alice/.config/leasehold", "https://lic.example.com", "coditect")
        # ".../leases/coditect-3f2a9c1b0d4e.json"
    """
    return os.path.join(state_dir, "leases", f"{product}-{server_hash(server_url)}.json")


def read_json_file(path: str) -> Optional[Any]:
    """A JSON file's value, or ``None`` when it does not exist or is damaged (a damaged
    cache counts as no cache, never as a crash).

    Example::

        read_json_file("/tmp/state.json")
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def write_json_file_atomic(path: str, value: Any) -> None:
    """Writes JSON atomically, mode 0600 (the TypeScript SDK's format: two-space indent,
    trailing newline): to a temporary file in the same directory, then renamed over the
    target, so a crash never leaves half a file and other users cannot read the secrets.

    Example::

        write_json_file_atomic("/tmp/state.json", {"version": 1})
    """
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    temp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


class LeaseStateStore:
    """Loads, saves and forgets the cached state of one product on one server. Fields
    are the TypeScript ``LeaseState``'s (``version``, ``serverUrl``, ``product``,
    ``licenseKey``, ``sessionId``, ``sessionSecret``, ``licenseId``, ``leaseToken``,
    ``heartbeatIntervalSeconds``, ``leaseTtlSeconds``, ``lastSeenAt`` in ms, ``jwks``);
    fields this version does not know are kept.

    Example::

        store = LeaseStateStore("/tmp/leasehold", "http://127.0.0.1:8080", "coditect")
        state = store.load() or store.empty(now_ms=time.time() * 1000)
        store.save(state)
    """

    def __init__(self, state_dir: str, server_url: str, product: str) -> None:
        self.server_url = normalise_server_url(server_url)
        self.product = product
        self.path = lease_state_path(state_dir, server_url, product)

    def empty(self, now_ms: float) -> Dict[str, Any]:
        """A fresh state for this product and server.

        Example::

            store.empty(now_ms=0)  # {"version": 1, "serverUrl": …, "product": …, "lastSeenAt": 0}
        """
        return {"version": 1, "serverUrl": self.server_url, "product": self.product, "lastSeenAt": int(now_ms)}

    def load(self) -> Optional[Dict[str, Any]]:
        """The cached state, or ``None`` when there is none (or it is another server's or product's).

        Example::

            store.load()
        """
        state = read_json_file(self.path)
        if not isinstance(state, dict) or state.get("version") != 1 or state.get("product") != self.product:
            return None
        if state.get("serverUrl") != self.server_url:
            return None
        if not isinstance(state.get("lastSeenAt"), (int, float)):
            state["lastSeenAt"] = 0
        return state

    def save(self, state: Mapping[str, Any]) -> None:
        """Writes the state atomically, mode 0600; ``None`` fields are left out, as JSON.stringify leaves out ``undefined``.

        Example::

            store.save(state)
        """
        write_json_file_atomic(self.path, {k: v for k, v in state.items() if v is not None})

    def clear(self) -> None:
        """Forgets the state entirely.

        Example::

            store.clear()
        """
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
