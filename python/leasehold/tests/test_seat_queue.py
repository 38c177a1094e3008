"""Waiting in the server's seat queue (``wait=``) against a real server process."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List

import pytest
from support import Server, seed_license

from leasehold import LeaseClient, NoSeatAvailableError


def client(server: Server, license: Dict[str, Any], state_dir: str, name: str, **extra: Any) -> LeaseClient:
    return LeaseClient(server.url, license["product"], license_key=license["key"], state_dir=f"{state_dir}/{name}", fingerprint=f"machine-{name}",
                       heartbeat=False, release_on_exit=False, **extra)


def test_a_waiter_gets_the_seat_when_the_holder_gives_it_back(server: Server, state_dir: str) -> None:
    license = seed_license(server, seats=1)
    holder = client(server, license, state_dir, "holder")
    holder.acquire()
    waiter = client(server, license, state_dir, "waiter", wait=30)
    threading.Timer(0.5, holder.release).start()
    started = time.monotonic()
    assert waiter.acquire().mode == "online"
    assert time.monotonic() - started < 5
    waiter.release()


def test_the_wait_runs_out_with_the_place_and_without_wait_it_fails_at_once(server: Server, state_dir: str) -> None:
    license = seed_license(server, seats=1)
    holder = client(server, license, state_dir, "holder")
    holder.acquire()
    started = time.monotonic()
    with pytest.raises(NoSeatAvailableError):
        client(server, license, state_dir, "impatient").acquire()
    assert time.monotonic() - started < 2
    places: List[Dict[str, Any]] = []
    patient = client(server, license, state_dir, "patient", wait=2, on_queued=places.append)
    with pytest.raises(NoSeatAvailableError) as caught:
        patient.acquire()
    place = caught.value.problem["queue"]
    assert place["position"] == 1 and place["waiting"] == 1 and place["ticket"].startswith("wtr_")
    holder.release()
