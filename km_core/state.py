"""Small JSON state files written atomically, read without opening the graph.

One file per job kind (``state/jobs/daily.json``) so that jobs of different
kinds never race on the same file. ``km status`` and the dashboard read them.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from km_core.paths import Folders

JOBS = ("daily", "weekly", "monthly")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` so a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def job_state_path(dirs: Folders, job: str) -> Path:
    return dirs.state / "jobs" / f"{job}.json"


def read_job_state(dirs: Folders, job: str) -> dict[str, Any]:
    data = read_json(job_state_path(dirs, job))
    return data if isinstance(data, dict) else {}


def update_job_state(dirs: Folders, job: str, **changes: Any) -> dict[str, Any]:
    data = read_job_state(dirs, job)
    data.update(changes)
    write_json(job_state_path(dirs, job), data)
    return data


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def moment(value: Any) -> datetime | None:
    """A date and time written to a state file (ISO; UTC when it names no zone), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)
