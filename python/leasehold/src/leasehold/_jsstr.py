"""JavaScript's string rules where the fingerprint recipe depends on them, so both SDKs
hash the very same text.

Example::

    js_trim("\\ufeff id \\n")  # "id"
"""

from __future__ import annotations

import re
from typing import Iterable, List

# ECMAScript WhiteSpace and LineTerminator: what String.prototype.trim() and /\s/ match.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
JS_SPACE_RUN = re.compile(f"[{re.escape(_JS_SPACE)}]+")


def js_trim(text: str) -> str:
    """``text.trim()`` as JavaScript does it.

    Example::

        js_trim("  x  ")  # "x"
    """
    return text.strip(_JS_SPACE)


def js_sorted(items: Iterable[str]) -> List[str]:
    """``[...items].sort()``: JavaScript compares UTF-16 code units, not code points.

    Example::

        js_sorted(["b", "a"])  # ["a", "b"]
    """
    return sorted(items, key=lambda s: s.encode("utf-16-be", "surrogatepass"))
