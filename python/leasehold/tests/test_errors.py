"""One exception class per code of the protocol's closed list, generated from it; retries."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest
from support import PACKAGE, node

from leasehold import errors
from leasehold._http import RetryPolicy, backoff_delay, parse_retry_after


def test_the_generated_module_is_up_to_date_with_the_protocol() -> None:
    done = subprocess.run([sys.executable, str(PACKAGE / "scripts" / "generate_codes.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_codes_are_the_protocols_own_list() -> None:
    listed = json.loads(node("""
        import { ERROR_CODES } from './packages/protocol/dist/errors.js';
        console.log(JSON.stringify(ERROR_CODES));
    """))
    assert list(errors.SERVER_ERROR_CODES) == list(listed)
    assert {code: (v["status"], v["title"]) for code, v in listed.items()} == errors.SERVER_ERROR_CODES


@pytest.mark.parametrize("code", list(errors.SERVER_ERROR_CODES))
def test_every_server_code_has_its_class(code: str) -> None:
    cls = errors.error_class(code)
    assert issubclass(cls, errors.ServerError) and cls.code == code and cls.status == errors.SERVER_ERROR_CODES[code][0]
    assert cls.__doc__ and "Example::" in cls.__doc__
    assert getattr(errors, cls.__name__) is cls and cls.__name__ in errors.__all__


def test_every_client_code_has_its_class() -> None:
    assert set(errors.CLIENT_ERROR_CLASSES) == set(errors.CLIENT_ERROR_CODES)
    for code, cls in errors.CLIENT_ERROR_CLASSES.items():
        assert cls.code == code and issubclass(cls, errors.LeaseholdError)


def test_a_problem_becomes_its_class_with_the_facts() -> None:
    problem = {"code": "NO_SEAT_AVAILABLE", "status": 409, "requestId": "req_abc", "seatsUsed": 2, "seatsTotal": 2,
               "nextFreeAt": "2030-01-01T00:06:00.000Z",
               "holders": [{"hostname": "alice-laptop", "userId": None, "since": "2030-01-01T00:00:00.000Z", "expiresAt": "2030-01-01T00:06:00.000Z"},
                           {"hostname": None, "userId": "usr_1", "since": None, "expiresAt": None}]}
    error = errors.error_from_problem(409, problem, retry_after=30)
    assert isinstance(error, errors.NoSeatAvailableError)
    assert (error.code, error.status, error.request_id, error.retry_after) == ("NO_SEAT_AVAILABLE", 409, "req_abc", 30)
    assert [h.hostname for h in error.holders] == ["alice-laptop", None]
    assert error.next_free_at == datetime(2030, 1, 1, 0, 6, tzinfo=timezone.utc)
    assert str(error).startswith("All 2 seats of this license are in use (by alice-laptop, usr_1).")
    single = errors.error_from_problem(409, {"code": "NO_SEAT_AVAILABLE", "seatsUsed": 1, "seatsTotal": 1, "holders": []})
    assert str(single).startswith("The one seat of this license is in use. ")
    suspended = errors.error_from_problem(403, {"code": "LICENSE_SUSPENDED", "detail": "Suspended by the vendor"})
    assert isinstance(suspended, errors.LicenseSuspendedError)
    assert str(suspended) == "Suspended by the vendor. This license is suspended. Ask your administrator or the vendor to reinstate it."
    unknown = errors.error_from_problem(502, {"code": "SOMETHING_NEW"})
    assert isinstance(unknown, errors.InternalError)


def test_backoff_is_exponential_with_full_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0)
    assert [backoff_delay(n, policy, lambda: 0.999999, None) for n in range(6)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0], rel=1e-3)
    assert backoff_delay(3, policy, lambda: 0.0, None) == 0.0
    assert backoff_delay(0, policy, lambda: 0.5, 7.0) == 7.0
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("3", now.timestamp() * 1000) == 3.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=20), usegmt=True), now.timestamp() * 1000) == pytest.approx(20)
    assert parse_retry_after("soon", 0) is None and parse_retry_after(None, 0) is None


def test_the_readme_error_table_lists_every_code_and_class() -> None:
    readme = (PACKAGE / "README.md").read_text("utf-8")
    for code, cls in {**errors.SERVER_ERROR_CLASSES, **errors.CLIENT_ERROR_CLASSES}.items():
        assert re.search(rf"^\|\s*`{code}`\s*\|.*`{cls.__name__}`", readme, re.M), code
