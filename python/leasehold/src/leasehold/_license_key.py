"""License keys as people type them: Crockford base32, five groups of five, a Luhn mod
32 check character (the protocol package's rules).

Example::

    license_key_problem(normalise_license_key("abcde-fghjk-mnpqr-stvwx-yz01o"))
"""

from __future__ import annotations

import re
from typing import Optional

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}\Z")


def _check_char(data: str) -> str:
    factor, total = 2, 0
    for char in reversed(data):
        addend = factor * _ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return _ALPHABET[(32 - total % 32) % 32]


def normalise_license_key(text: str) -> str:
    """Upper case, look-alikes O, I and L read as 0, 1 and 1, spaces removed.

    Example::

        normalise_license_key(" abcde-fghjk ")  # "ABCDE-FGHJK"
    """
    return re.sub(r"\s+", "", text.strip().upper()).replace("O", "0").replace("I", "1").replace("L", "1")


def license_key_problem(key: str) -> Optional[str]:
    """Why a key is not well-formed, or ``None`` when it is.

    Example::

        license_key_problem("nope")  # "a license key is five groups …"
    """
    if not _PATTERN.match(key):
        return "a license key is five groups of five letters and digits, like ABCDE-FGHJK-MNPQR-STVWX-YZ012"
    compact = key.replace("-", "")
    if _check_char(compact[:24]) != compact[24]:
        return "the license key has a typing mistake (its check character does not match)"
    return None
