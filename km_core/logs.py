"""Log files laid out as the specification's "Logging" part says.

    logs/jobs/daily_YYYY-MM-DD.log, weekly_YYYY-MM-DD.log, monthly_YYYY-MM.log,
              errors_YYYY-MM-DD.log (every ERROR and CRITICAL)
    logs/processing/ocr_…, tagging_…, organization_…, extraction_… (per step)
    logs/system/performance_…, api_…

Line format: ``YYYY-MM-DD HH:MM:SS [LEVEL] [module] message`` followed by a
``Context: …`` line when the record carries ``extra={"context": ...}``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

# logger name (below "km.") -> processing or system log file stem
ROUTES = {
    "ocr": ("processing", "ocr"),
    "tag": ("processing", "tagging"),
    "organize": ("processing", "organization"),
    "undo": ("processing", "organization"),
    "extract": ("processing", "extraction"),
    "discover": ("processing", "discovery"),
    "performance": ("system", "performance"),
    "api": ("system", "api"),
}


class KmFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s [%(levelname)s] [%(module_name)s] %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.module_name = record.name.split(".")[-1] if record.name != "km" else "km"
        line = super().format(record)
        context = getattr(record, "context", "")
        if context:
            line += "\nContext: " + str(context).replace("\n", "\nContext: ")
        return line


class _Route(logging.Filter):
    def __init__(self, stem: str) -> None:
        super().__init__()
        self.stem = stem

    def filter(self, record: logging.LogRecord) -> bool:
        parts = record.name.split(".")
        return len(parts) > 1 and parts[1] == self.stem


def _file_handler(path: Path, level: int) -> logging.FileHandler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(KmFormatter())
    handler.set_name("km-file")
    return handler


def job_log_name(job: str) -> str:
    return f"{job}_{time.strftime('%Y-%m')}.log" if job == "monthly" else f"{job}_{time.strftime('%Y-%m-%d')}.log"


def setup(logs: Path, job: str, level: str = "INFO") -> Path:
    """Send km's loggers to the log files for this job; returns the job log's path."""
    root = logging.getLogger("km")
    for handler in [h for h in root.handlers if h.get_name() == "km-file"]:
        root.removeHandler(handler)
        handler.close()
    lvl = logging.getLevelName(level)
    root.setLevel(min(lvl, logging.INFO))
    day = time.strftime("%Y-%m-%d")
    job_log = logs / "jobs" / job_log_name(job)
    root.addHandler(_file_handler(job_log, lvl))
    root.addHandler(_file_handler(logs / "jobs" / f"errors_{day}.log", logging.ERROR))
    for stem, (folder, name) in ROUTES.items():
        handler = _file_handler(logs / folder / f"{name}_{day}.log", lvl)
        handler.addFilter(_Route(stem))
        root.addHandler(handler)
    return job_log
