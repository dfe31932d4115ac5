"""Inter-process locks on files (flock): blocking with a timeout, or try-once.

Kùzu's own file lock fails at once when another process holds the graph; this
lock sits beside it so that a second km process waits its turn instead.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from km_core.errors import LockTimeout


class FileLock:
    def __init__(self, path: Path, shared: bool = False) -> None:
        self.path = path
        self.shared = shared
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free now; never wait."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        if not self.shared:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        return True

    def acquire(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the lock, polling so signals stay responsive."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"{self.path.name} is held by another km process",
                    f"waited {timeout:.0f} s; try again when it has finished (km status shows running jobs)",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def holder(self) -> str:
        try:
            return self.path.read_text().strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.release()
