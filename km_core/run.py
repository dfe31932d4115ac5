"""One job run in progress: its options, counts, failures and per-item retries.

Steps receive a ``Run`` and use ``attempt`` for every item, so that failures
are caught, retried (except file-not-found and permission errors), logged
with context and counted, and never stop the job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from km_core.api import Item, JobContext
from km_core.config import Config
from km_core.plugins import Plugins

T = TypeVar("T")
log = logging.getLogger("km.runner")

NO_RETRY = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


@dataclass
class RunOptions:
    manual: bool = False
    task: str = ""
    path: str = ""
    full_rescan: bool = False
    dry_run: bool = False
    period: str = ""  # the month the monthly report covers (YYYY-MM); '' = the month before this one


@dataclass
class Failure:
    step: str
    item_id: str
    path: str
    error: str

    def as_dict(self) -> dict[str, str]:
        return {"step": self.step, "item": self.item_id, "path": self.path, "error": self.error}


@dataclass
class Run:
    config: Config
    plugins: Plugins
    job: str
    run_id: str
    options: RunOptions
    ctx: JobContext
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    processed: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # paths discovery saw but could not report
    vanished: list[str] = field(default_factory=list)  # ids of items whose file disappeared mid-run
    step: str = ""
    plan: list[dict[str, Any]] = field(default_factory=list)
    on_progress: Callable[[str, int, int], None] = field(default=lambda step, done, total: None)
    _last_progress: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def scope(self) -> str:
        """The folder this run is limited to (``--path``), resolved, or ''."""
        return str(Path(self.options.path).expanduser().resolve()) if self.options.path else ""

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= 0.1:
            self._last_progress = now
            self.on_progress(self.step, done, total)

    def attempt(self, item: Item, work: Callable[[], T], retries: int | None = None) -> T | None:
        """Run ``work`` for ``item`` with retries; on final failure record it and return None.

        Safe to call from worker threads (the OCR step runs one per core).
        """
        with self._lock:
            self.processed.add(item.id or item.path)
        retries = retries or self.config.jobs.retries
        for attempt in range(1, retries + 1):
            try:
                return work()
            except FileNotFoundError:
                # gone since discovery: not a failure; the caller marks it missing
                logging.getLogger(f"km.{self.step}").info("vanished during the run: %s", item.path)
                with self._lock:
                    self.vanished.append(item.id)
                return None
            except NO_RETRY as exc:
                self.fail(item, exc)
                return None
            except Exception as exc:
                if attempt == retries:
                    self.fail(item, exc)
                    return None
                log.warning("attempt %d/%d failed for %s: %s", attempt, retries, item.path, exc)
        return None

    def fail(self, item: Item, exc: BaseException | str) -> None:
        error = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.failures.append(Failure(self.step, item.id or item.path, item.path, error))
            self.counts["failed"] += 1
        logging.getLogger(f"km.{self.step}").error(
            "%s failed for %s",
            self.step,
            Path(item.path).name,
            extra={"context": f"path: {item.path}; item: {item.id}; error: {error}"},
        )

    def failure_ratio(self) -> float:
        failed = {f.item_id for f in self.failures}
        return len(failed) / max(len(self.processed | failed), 1)

    def summary_counts(self) -> dict[str, Any]:
        keys = (
            "discovered",
            "new",
            "modified",
            "renamed",
            "missing",
            "unchanged",
            "extracted",
            "ocr",
            "tagged",
            "related",
            "moved",
            "failed",
        )
        return {k: int(self.counts.get(k, 0)) for k in keys} | {
            k: int(v) for k, v in self.counts.items() if k not in keys
        }
