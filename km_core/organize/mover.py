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

import contextlib
import errno
import json
import os
import shutil
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from km_core.reconcile import file_hash

PARTIAL = ".km-partial-"
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


class Taken(Exception):
    """The destination name was taken after the plan was made."""


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def _place(src: str, dst: str) -> None:
    """Give ``src``'s file the name ``dst`` too (or instead), never replacing anything there."""
    try:
        os.link(src, dst, follow_symlinks=False)
        return
    except FileExistsError:
        raise Taken(dst) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    # no hard links here (exFAT, some network shares): claim the name with an empty file of
    # our own, so that nobody else's file can appear there, then rename over our claim
    try:
        os.close(os.open(dst, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise Taken(dst) from None
    os.rename(src, dst)


def move_file(src: str, dst: str, move_id: str, placed: Callable[[os.stat_result], None]) -> str:
    """Move the regular file ``src`` to ``dst`` (its folder is made); 'link' or 'copy' says how.

    ``placed`` is told the destination's stat once the file is at ``dst`` and before
    ``src`` goes (the journal records it: recovery trusts only what was recorded).
    """
    before = os.lstat(src)
    if not stat.S_ISREG(before.st_mode):
        raise OSError(errno.EINVAL, f"{src} is no longer a regular file")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.lstat(os.path.dirname(dst)).st_dev != before.st_dev:
        _copy_across(src, dst, os.path.join(os.path.dirname(dst), PARTIAL + move_id), before, placed)
        return "copy"
    _place(src, dst)
    if not os.path.lexists(src):  # a rename (no hard links): already done
        return "rename"
    # two names of one inode: recovery can tell this file from any other, no record needed
    _remove_source(src, dst, before, copy=False)
    return "link"


def _remove_source(src: str, dst: str, before: os.stat_result, copy: bool) -> None:
    """Remove ``src`` now that ``dst`` holds the file; if that fails, or ``src`` changed in the
    meantime (a copy would miss the change), take ``dst`` away again and say why."""
    try:
        now = os.lstat(src)
        if copy and _identity(now) != _identity(before):
            raise OSError(errno.EBUSY, f"{src} changed while it was being copied; it stays where it is")
        os.unlink(src)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(dst)  # ours: a second name of src, or our own verified copy
        raise


def _copy_across(
    src: str, dst: str, partial: str, before: os.stat_result, placed: Callable[[os.stat_result], None]
) -> None:
    expected = file_hash(src)
    try:
        shutil.copyfile(src, partial, follow_symlinks=False)
        shutil.copystat(src, partial, follow_symlinks=False)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        if file_hash(partial) != expected:
            raise OSError(errno.EIO, f"the copy of {src} differs from it; the source is kept")
        _place(partial, dst)
        placed(os.lstat(dst))
        _sync_dir(Path(dst).parent)  # the copy survives a power cut before the source goes
    finally:
        if os.path.lexists(partial):
            os.unlink(partial)  # km's own temporary copy; the source is untouched
    _remove_source(src, dst, before, copy=True)


def existing_folder(path: str) -> str:
    """The nearest folder of ``path`` (itself or an ancestor) that exists now."""
    folder = path
    while folder and not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder or "/"


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

    def placed(self, move_id: str, info: os.stat_result) -> None:
        """The file is at its destination (this inode), its source not yet removed: synced."""
        self._write([{"op": "placed", "id": move_id, "dev": info.st_dev, "ino": info.st_ino}], sync=True)

    def outcome(self, move_id: str, op: str, detail: str = "") -> None:
        # not synced: after a crash the disk itself says whether the move happened
        self._write([{"op": op, "id": move_id, "detail": detail}], sync=False)

    def finish(self) -> None:
        """Everything is in the change logs and the graph: the journal is no longer needed."""
        self._handle.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self._handle.close()


def read_journal(path: Path) -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    """A journal's intents (in order) and where each cross-device move recorded its copy
    placed (device, inode). Outcomes are in the journal for people to read; recovery asks
    the disk instead."""
    intents: list[dict[str, Any]] = []
    placed: dict[str, tuple[int, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line, cut by the crash
        if record.get("op") == "intent":
            intents.append(record)
        elif record.get("op") == "placed":
            placed[record["id"]] = (record["dev"], record["ino"])
    return intents, placed


def settle(intent: dict[str, Any], placed: tuple[int, int] | None) -> str:
    """Finish or roll back one journalled move from what is on disk: 'moved', 'not_moved'
    or 'unknown' (the destination cannot be looked at now: the journal is kept).

    - only the source is there: the move never happened (rolled back by doing nothing);
    - only the destination is there: it happened;
    - both: it happened up to the removal of the source only if the destination is the
      very file km placed: within one file system the same inode as the source (a hard
      link), across file systems the copy whose inode the journal recorded. The source
      is removed now. Any other file at the destination is someone else's: the source stays.
    A temporary copy left by a cross-device move is removed (the source is intact).
    Nothing here follows a symlink.
    """
    src, dst = intent["old_path"], intent["new_path"]
    if intent.get("mount") and not os.path.isdir(intent["mount"]):
        return "unknown"  # the destination's drive is not mounted: decide when it is back
    partial = os.path.join(os.path.dirname(dst), PARTIAL + intent["id"])
    src_there, dst_there = os.path.lexists(src), os.path.lexists(dst)
    if os.path.lexists(partial) and src_there:
        os.unlink(partial)
    if src_there and dst_there:
        src_info, dst_info = os.lstat(src), os.lstat(dst)
        linked = (src_info.st_dev, src_info.st_ino) == (dst_info.st_dev, dst_info.st_ino)
        copied = placed is not None and (dst_info.st_dev, dst_info.st_ino) == placed
        if not (linked or copied):
            return "not_moved"
        os.unlink(src)
        return "moved"
    if not src_there and not dst_there:
        return "gone"  # removed by someone else: nothing to finish or undo
    return "moved" if dst_there else "not_moved"
