"""Borrowing: the seat checked out for offline use, kept across restarts, returned early."""

from __future__ import annotations

import pytest
from support import Server, seed_license

from leasehold import LeaseClient
from leasehold.errors import BorrowNotAllowedError


def test_borrow_survives_a_restart_and_is_returned(server: Server, state_dir: str) -> None:
    lic = seed_license(server, maxBorrowSeconds=7 * 86400)
    options = dict(license_key=lic["key"], jwks=server.jwks(), state_dir=state_dir, env={}, fingerprint="py-borrow", release_on_exit=False)
    client = LeaseClient(server.url, "coditect", **options)  # type: ignore[arg-type]
    client.acquire()
    status = client.borrow(3600)
    assert status.mode == "borrowed" and status.borrowed_until is not None
    assert client.assert_licensed().mode == "borrowed"
    # The program starts again later: the borrow is used as it is, no new seat is taken.
    again = LeaseClient(server.url, "coditect", **options)  # type: ignore[arg-type]
    assert again.acquire().mode == "borrowed"
    [held] = server.sessions(lic["licenseId"])
    assert held["id"] == status.session_id
    again.release()  # a borrowed seat stays out on release
    assert len(server.sessions(lic["licenseId"])) == 1
    again.return_borrow()
    assert server.sessions(lic["licenseId"]) == []


def test_borrowing_beyond_the_plan_is_refused(server: Server, state_dir: str) -> None:
    lic = seed_license(server, maxBorrowSeconds=0)
    client = LeaseClient(server.url, "coditect", license_key=lic["key"], jwks=server.jwks(), state_dir=state_dir, env={},
                         fingerprint="py-no-borrow", release_on_exit=False)
    client.acquire()
    with pytest.raises(BorrowNotAllowedError) as caught:
        client.borrow(3600)
    assert caught.value.status == 403 and "borrowing" in str(caught.value).lower()
    client.release()
