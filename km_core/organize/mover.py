"""Moving one file without ever overwriting, copying or losing it, and the journal around moves.

A move within a file system is a hard link at the new name (which fails if the
name is taken: nothing is overwritten) and then the removal of the old name;
the content never moves and never exists twice as two copies. Across file
systems the file is copied beside its destination under a temporary name,
synced, checked against the source's hash, linked into place and only then
removed at its source. Where hard links are not supported, a checked rename.

Every move is written to a journal (``state/moves/RUN.jsonl``) and synced
before it happens; ``recover`` finishes or rolls back what a crash left.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from km_core.reconcile import file_hash

PARTIAL = ".km-partial-"
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


class Taken(Exception):
    """The destination name was taken after the plan was made."""


def move_file(src: str, dst: str, partial_name: str) -> str:
    """Move ``src`` to ``dst`` (its folder is made); 'link', 'rename' or 'copy' says how."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        raise Taken(dst) from None
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            _copy_across(src, dst, os.path.join(os.path.dirname(dst), PARTIAL + partial_name))
            return "copy"
        if exc.errno not in _NO_LINKS:
            raise
        if os.path.lexists(dst):
            raise Taken(dst) from None
        os.rename(src, dst)
        return "rename"
    os.unlink(src)
    return "link"


def _copy_across(src: str, dst: str, partial: str) -> None:
    expected = file_hash(src)
    try:
        shutil.copyfile(src, partial, follow_symlinks=False)
        shutil.copystat(src, partial, follow_symlinks=False)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        if file_hash(partial) != expected:
            raise OSError(errno.EIO, f"the copy of {src} differs from it; the source is kept")
        os.link(partial, dst)
    except FileExistsError:
        raise Taken(dst) from None
    finally:
        if os.path.lexists(partial):
            os.unlink(partial)  # km's own temporary copy; the source is untouched
    os.unlink(src)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """The moves of one run: intents synced before the files are touched, then outcomes."""

    def __init__(self, folder: Path, run_id: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{run_id}.jsonl"
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held for the run
        _sync_dir(folder)

    def _write(self, records: Sequence[dict[str, Any]], sync: bool) -> None:
        self._handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        self._handle.flush()
        if sync:
            os.fsync(self._handle.fileno())

    def intend(self, moves: Sequence[dict[str, Any]]) -> None:
        self._write([{"op": "intent", **m} for m in moves], sync=True)

    def outcome(self, move_id: str, op: str, detail: str = "") -> None:
        # not synced: after a crash the disk itself says whether the move happened
        self._write([{"op": op, "id": move_id, "detail": detail}], sync=False)

    def finish(self) -> None:
        """Everything is in the change logs and the graph: the journal is no longer needed."""
        self._handle.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self._handle.close()


def read_journal(path: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """A journal's intents (in order) and the outcome recorded for each move id."""
    intents: list[dict[str, Any]] = []
    outcomes: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line, cut by the crash
        if record.get("op") == "intent":
            intents.append(record)
        elif "id" in record:
            outcomes[record["id"]] = record["op"]
    return intents, outcomes


def settle(intent: dict[str, Any]) -> str:
    """Finish or roll back one journalled move from what is on disk: 'moved' or 'not_moved'.

    - only the source is there: the move never happened (rolled back by doing nothing);
    - only the destination is there: it happened;
    - both, as one file (a hard link) or, for a move to another file system, as two
      copies with the journalled hash: it happened up to the removal of the source,
      which is done now;
    - both, different: the destination is someone else's file; the source stays.
    A temporary copy left by a cross-device move is removed (the source is intact).
    """
    src, dst = intent["old_path"], intent["new_path"]
    partial = os.path.join(os.path.dirname(dst), PARTIAL + intent["id"])
    src_there, dst_there = os.path.lexists(src), os.path.lexists(dst)
    if os.path.lexists(partial) and src_there:
        os.unlink(partial)
    if src_there and dst_there:
        # two names of one file (a hard link), or a checked copy to another file system
        same = os.path.samefile(src, dst) or (
            bool(intent.get("across")) and file_hash(src) == file_hash(dst) == intent.get("hash")
        )
        if not same:
            return "not_moved"
        os.unlink(src)
        return "moved"
    return "moved" if dst_there else "not_moved"
