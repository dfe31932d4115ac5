"""Checks every move plan passes before a file is touched, whoever made the plan.

A plan from a plugin gets the same checks as one from the built-in rules: the
destination must be inside the library, reached through no symlink, made of
sane names; the source must still be a regular file (not a symlink) outside
every "do not move" folder and not changed in the last minutes.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import time
from collections.abc import Sequence
from pathlib import Path

from km_core.organize.changelog import FOLDER as KM_FOLDER
from km_core.organize.mover import PARTIAL
from km_core.organize.plan import NAME_BYTES

_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Refused(Exception):
    """A plan km will not carry out; the message says why."""


def protected(path: str, patterns: Sequence[str], root: str = "") -> str:
    """The "do not move" pattern that covers ``path``, or ''.

    A pattern without a slash matches the name of the file or of any folder it
    is in (below its root); one with a slash matches the whole path, and
    everything below a matching folder.
    """
    relative = path[len(root.rstrip("/")) + 1 :] if root and path.startswith(root.rstrip("/") + "/") else path
    parts = [p for p in relative.split("/") if p]
    for pattern in patterns:
        expanded = os.path.expanduser(pattern).rstrip("/")
        if "/" not in expanded:
            if any(fnmatch.fnmatch(part, expanded) for part in parts):
                return pattern
            continue
        # item paths are stored resolved: a pattern through a symlinked folder is resolved too
        for form in {expanded, os.path.realpath(expanded)}:
            if fnmatch.fnmatch(path, form) or fnmatch.fnmatch(path, form + "/*"):
                return pattern
    return ""


def check_destination(destination: str, library: str) -> str:
    """The normalised destination, if it is a sane path inside ``library``; else Refused."""
    root = os.path.normpath(os.path.expanduser(library))
    if not os.path.isabs(destination):
        raise Refused(f"destination {destination!r} is not an absolute path")
    normal = os.path.normpath(destination)
    if normal != destination.rstrip("/") or not normal.startswith(root + os.sep):
        raise Refused(f"destination {destination!r} is outside the library {root}")
    parts = Path(normal).relative_to(root).parts
    for part in parts:
        if _BAD_CHARS.search(part) or len(part.encode()) > NAME_BYTES or part in (".", ".."):
            raise Refused(f"destination {destination!r} has an unsafe name {part!r}")
    # no symlinked folder below the library may lead out of it (the library itself is
    # yours to put anywhere, a symlink included)
    current = Path(root)
    for part in parts[:-1]:
        current = current / part
        if current.is_symlink():
            raise Refused(f"destination folder {current} is a symlink")
        if current.exists() and not current.is_dir():
            raise Refused(f"destination folder {current} is a file")
    return normal


def check_source(path: str, settle_minutes: float, now: float | None = None) -> os.stat_result:
    """The source's stat, if it is a regular file left alone long enough; else Refused."""
    if f"/{KM_FOLDER}/" in path or os.path.basename(path).startswith(PARTIAL):
        raise Refused(f"{path} is km's own (a change log or a temporary copy)")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise Refused(f"{path} is no longer there") from None
    if stat.S_ISLNK(info.st_mode):
        raise Refused(f"{path} is a symlink: symlinks are not followed or moved")
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{path} is not a regular file")
    now = time.time() if now is None else now
    if settle_minutes and now - info.st_mtime < settle_minutes * 60:
        raise Refused(f"{path} changed in the last {settle_minutes:g} minutes: it may still be being written")
    return info


def free_name(destination: str, taken: set[str]) -> str:
    """``destination`` or, when that name is on disk or claimed, "name (1).ext", "name (2).ext"…"""
    if destination not in taken and not os.path.lexists(destination):
        return destination
    folder, name = os.path.split(destination)
    stem, ext = os.path.splitext(name)
    for counter in range(1, 10_000):
        suffix = f" ({counter})"
        cut = stem.encode()[: NAME_BYTES - len(ext.encode()) - len(suffix)].decode(errors="ignore")
        candidate = os.path.join(folder, f"{cut}{suffix}{ext}")
        if candidate not in taken and not os.path.lexists(candidate):
            return candidate
    raise Refused(f"no free name for {destination}")
