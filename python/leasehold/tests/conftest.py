from __future__ import annotations

import sys
import threading
from typing import Dict, Iterator, List, Optional

import pytest

from support import SRC, Server

sys.path.insert(0, str(SRC))

# The servers boot in the background while the tests that need none run first.
SERVER_FIXTURES = {"server": "main", "spare_server": "spare"}
_booting: Dict[str, threading.Thread] = {}
_booted: Dict[str, Server] = {}
_failed: Dict[str, BaseException] = {}


def _boot(name: str) -> None:
    try:
        _booted[name] = Server()
    except BaseException as error:  # reported by the fixture that needs it
        _failed[name] = error


def _needs(item: pytest.Item) -> List[str]:
    names = getattr(item, "fixturenames", [])
    needed = [SERVER_FIXTURES[f] for f in names if f in SERVER_FIXTURES]
    return needed + (["spare"] if "cached" in names else [])


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: List[pytest.Item]) -> None:
    items.sort(key=lambda item: bool(_needs(item)))  # stable: file order kept within each group
    for name in sorted({n for item in items for n in _needs(item)}):
        _booting[name] = threading.Thread(target=_boot, args=(name,), daemon=True)
        _booting[name].start()


def _server(name: str) -> Server:
    thread: Optional[threading.Thread] = _booting.get(name)
    if thread is None:
        _boot(name)
    else:
        thread.join(120)
    if name in _failed:
        raise _failed[name]
    return _booted[name]


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One real server process for the whole run (tests seed their own licenses)."""
    running = _server("main")
    yield running
    running.close()


@pytest.fixture(scope="session")
def spare_server() -> Iterator[Server]:
    """A second server, for the tests that stop it."""
    running = _server("spare")
    yield running
    running.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for running in _booted.values():
        running.close()  # also the ones no test ended up using


@pytest.fixture()
def state_dir(tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "config"
    path.mkdir()
    return str(path)
