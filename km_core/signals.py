"""SIGTERM, SIGINT and SIGHUP become an exception at a safe point, never inside a checkpoint.

A kill during a Kùzu checkpoint has left databases that will not reopen, so
the store wraps checkpoint-and-close in ``shielded()``: a signal that arrives
then is remembered and raised as soon as the close has finished.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupted(BaseException):
    """The job was asked to stop (SIGTERM, Ctrl-C, or its terminal closed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_shield_depth = 0
_pending: int | None = None


def _handler(signum: int, _frame: FrameType | None) -> None:
    global _pending
    if _shield_depth:
        _pending = signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Route SIGTERM, SIGINT and SIGHUP (a closed terminal) through ``_handler`` (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, _handler)


@contextmanager
def shielded() -> Iterator[None]:
    global _shield_depth, _pending
    _shield_depth += 1
    try:
        yield
    finally:
        _shield_depth -= 1
        if not _shield_depth and _pending is not None:
            signum, _pending = _pending, None
            raise Interrupted(signum)
