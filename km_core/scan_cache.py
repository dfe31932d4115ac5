"""A snapshot of what the graph knows about files, for no-change rescans.

Reading 100,000 File rows out of Kùzu costs about 1.2 s, twice the raw walk of
the same tree; this snapshot loads in a fraction of that. It is only trusted
when its generation (in its file name) equals the graph's
``Meta.scan_generation``, which the first write to File rows in any unit of
work changes. So a stale snapshot (after a crash, a restored backup, another
writer) is never used: discovery then reads the graph instead.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

from km_core.paths import Folders
from km_core.store.files import KnownFile

FORMAT = 1


def _path(dirs: Folders, generation: str) -> Path:
    return dirs.state / f"scan-cache-{generation}.bin"


def has(dirs: Folders, generation: str) -> bool:
    return bool(generation) and _path(dirs, generation).is_file()


def load(dirs: Folders, generation: str) -> dict[str, KnownFile] | None:
    if not has(dirs, generation):
        return None
    try:
        data = marshal.loads(_path(dirs, generation).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, tuple) or len(data) != 2 or data[0] != FORMAT:
        return None
    make = KnownFile._make
    return {row[1]: make(row) for row in data[1]}


def save(dirs: Folders, generation: str, known: dict[str, KnownFile]) -> None:
    if not generation:
        return
    rows = [tuple(k) for k in known.values()]
    target = _path(dirs, generation)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_bytes(marshal.dumps((FORMAT, rows)))
    partial.replace(target)
    for old in dirs.state.glob("scan-cache-*.bin"):
        if old != target:
            old.unlink(missing_ok=True)
