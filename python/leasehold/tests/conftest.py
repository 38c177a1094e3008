from __future__ import annotations

import sys
from typing import Iterator

import pytest

from support import SRC, Server

sys.path.insert(0, str(SRC))


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One real server process for the whole run (tests seed their own licenses)."""
    running = Server()
    yield running
    running.close()


@pytest.fixture()
def state_dir(tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "config"
    path.mkdir()
    return str(path)
