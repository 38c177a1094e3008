"""Gives seats back when the interpreter ends: at normal exit and ``sys.exit()``
(``atexit``), and on SIGTERM and SIGHUP, chaining to the program's own handlers.

SIGINT keeps Python's own behaviour (``KeyboardInterrupt``): when it ends the program,
``atexit`` releases the seat; when the program catches it to cancel one operation, the
seat stays held, as it should.

Example::

    register(client)    # done by LeaseClient.acquire()
    unregister(client)  # done by LeaseClient.release()
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from typing import Any, Dict, Set

try:
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment]


class Releasable(Protocol):
    """A holder of a seat that must be given back when the process ends."""

    def _release_for_exit(self) -> None: ...


_holders: Set[Releasable] = set()
_lock = threading.RLock()  # re-entrant: a signal may arrive while the main thread holds it
_atexit_installed = False
_previous: Dict[int, Any] = {}


def _release_all() -> None:
    with _lock:
        holders = list(_holders)
        _holders.clear()
    for holder in holders:
        try:
            holder._release_for_exit()
        except Exception:
            pass  # exiting: a seat that cannot be released lapses after the lease TTL


def _on_signal(signum: int, frame: Any) -> None:
    previous = _previous.get(signum)
    if callable(previous):
        # The program handles this signal itself: its handler decides. If it exits, atexit releases.
        previous(signum, frame)
        return
    _release_all()
    # Keep the signal's usual effect: die of it as if this library were not here.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_signals() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers; atexit still covers normal ends
    names = ["SIGTERM"] if sys.platform == "win32" else ["SIGTERM", "SIGHUP"]
    for name in names:
        signum = int(getattr(signal, name))
        if signum in _previous:
            continue
        current = signal.getsignal(signum)
        if current is _on_signal or current in (signal.SIG_IGN, None):
            continue  # ignored on purpose, or owned by C code: leave it alone
        if current is signal.SIG_DFL or callable(current):
            _previous[signum] = current
            signal.signal(signum, _on_signal)
    sigint = signal.getsignal(signal.SIGINT)
    if sigint is signal.SIG_DFL and int(signal.SIGINT) not in _previous:
        # Someone made SIGINT kill the process outright: release first, as for SIGTERM.
        _previous[int(signal.SIGINT)] = sigint
        signal.signal(signal.SIGINT, _on_signal)


def register(holder: Releasable) -> None:
    """Arranges for ``holder``'s seat to be released when the process ends.

    Example::

        register(client)
    """
    global _atexit_installed
    with _lock:
        _holders.add(holder)
        if not _atexit_installed:
            atexit.register(_release_all)
            _atexit_installed = True
    try:
        _install_signals()
    except (ValueError, OSError):
        pass  # not the main thread, or signals unavailable here


def unregister(holder: Releasable) -> None:
    """Stops releasing this holder's seat on exit.

    Example::

        unregister(client)
    """
    with _lock:
        _holders.discard(holder)

