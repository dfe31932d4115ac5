"""Monthly tidying: change logs older than 30 days and old log files, gzipped into the archive folder.

Every archive is written beside its final name, read back and compared with
its source (SHA-256 of the uncompressed bytes) before the source is removed;
a crash at any point leaves the source, or the source and a verified archive.
Nothing is ever deleted for good: archives are kept, so lines with CRITICAL
in them stay too. Change logs keep serving ``km undo`` from the archive
(``archive/change_logs/index.json`` says which location each one came from).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from km_core import state
from km_core.organize import changelog

log = logging.getLogger("km.monthly")

CHANGE_LOG = re.compile(r"^changes-(\d{4})-(\d{2})\.jsonl$")
DATED_LOG = re.compile(r"^(?P<kind>[a-z_]+)_(?P<date>\d{4}-\d{2}(?:-\d{2})?)\.log$")
KEEP_CHANGE_LOGS_DAYS = 30
# days a log file stays uncompressed where it is, by kind (the specification's retention)
KEEP_LOG_DAYS = {"errors": 90, "monthly": 365}
KEEP_LOG_DAYS_DEFAULT = 30


@dataclass
class Archived:
    files: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    problems: list[str] = field(default_factory=list)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_file(source: Path, target: Path) -> Path:
    """Gzip ``source`` to ``target`` (or a free name beside it), verify, remove the source; the archive."""
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = target, 1
    while candidate.exists():
        if _readable_as(candidate, data):  # an earlier run archived it and stopped before removing the source
            source.unlink()
            return candidate
        candidate = target.with_name(f"{target.name.removesuffix('.gz')}-{n}.gz")
        n += 1
    temporary = candidate.with_name(f".{candidate.name}.partial")
    with open(temporary, "wb") as raw, gzip.GzipFile(filename=source.name, mode="wb", fileobj=raw, mtime=0) as packed:
        packed.write(data)
    with open(temporary, "rb") as written:
        os.fsync(written.fileno())
    if not _readable_as(temporary, data):
        temporary.unlink(missing_ok=True)
        raise OSError(f"the archive of {source} did not read back the same")
    os.replace(temporary, candidate)
    source.unlink()
    return candidate


def _readable_as(archive: Path, data: bytes) -> bool:
    try:
        with gzip.open(archive, "rb") as packed:
            return _digest(packed.read()) == _digest(data)
    except (OSError, EOFError):
        return False


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _slug(location: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9]+", "-", location).strip("-")[-60:] or "root"
    return f"{readable}-{hashlib.sha256(location.encode()).hexdigest()[:8]}"


def archive_change_logs(archive: Path, locations: list[str], today: date) -> Archived:
    done = Archived()
    index_file = changelog.archive_index(archive)
    index: dict[str, str] = state.read_json(index_file) or {}
    for location in locations:
        for source in sorted(changelog.folder(location).glob(changelog.PATTERN)):
            found = CHANGE_LOG.match(source.name)
            if not found:
                continue
            year, month = int(found[1]), int(found[2])
            if (today - _month_end(year, month)).days <= KEEP_CHANGE_LOGS_DAYS:
                continue  # it holds entries of the last 30 days
            target = archive / changelog.ARCHIVE / f"{year:04d}-{month:02d}" / f"{_slug(location)}-{source.name}.gz"
            written = _counted(done, source, target)
            if written is None:
                continue
            index[str(written.relative_to(archive / changelog.ARCHIVE))] = location
            state.write_json(index_file, index)  # before the next: a crash never loses where one came from
            log.info("archived change log %s -> %s", source, written)
    return done


def _log_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        return None


def rotate_logs(logs: Path, archive: Path, today: date, current: set[Path] | None = None) -> Archived:
    """Compress dated log files past their retention into ``archive/logs/YYYY-MM/``."""
    done = Archived()
    current = current or set()
    for source in sorted(logs.rglob("*.log")):
        found = DATED_LOG.match(source.name)
        when = _log_date(found["date"]) if found else None
        if found is None or when is None or source in current:
            continue
        kind = found["kind"]
        last_day = _month_end(when.year, when.month) if len(found["date"]) == 7 else when
        if (today - last_day).days <= KEEP_LOG_DAYS.get(kind, KEEP_LOG_DAYS_DEFAULT):
            continue
        target = archive / "logs" / f"{when:%Y-%m}" / source.relative_to(logs).parent / f"{source.name}.gz"
        _counted(done, source, target)
    return done


def _counted(done: Archived, source: Path, target: Path) -> Path | None:
    """``archive_file``, with its sizes (or its problem) added to ``done``."""
    try:
        size = source.stat().st_size
        written = archive_file(source, target)
    except OSError as exc:
        done.problems.append(f"{source}: {exc}")
        return None
    done.files += 1
    done.bytes_in += size
    done.bytes_out += written.stat().st_size
    return written


def describe(what: str, done: Archived) -> str:
    saved = done.bytes_in - done.bytes_out
    return f"{what}: {done.files} archived ({done.bytes_in:,} bytes -> {done.bytes_out:,}, {saved:,} saved)"
