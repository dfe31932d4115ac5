"""Compare what discovery saw with what the graph knows.

Unchanged files (same size, mtime_ns and inode) cost a dictionary lookup.
Only new or changed files are hashed. A new path whose content hash matches a
file that vanished (now, or in an earlier run) is a move or rename: it keeps
its node and its extracted content.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from km_core.api import Item
from km_core.store.files import KnownFile

HASH_WORKERS = 4


def file_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass
class Changes:
    new: list[Item] = field(default_factory=list)
    modified: list[Item] = field(default_factory=list)
    moved: list[Item] = field(default_factory=list)
    touched: list[Item] = field(default_factory=list)  # stat changed, content did not
    missing: list[KnownFile] = field(default_factory=list)
    unchanged: int = 0
    unreadable: list[tuple[Item, OSError]] = field(default_factory=list)

    @property
    def to_save(self) -> list[Item]:
        return self.new + self.modified + self.moved + self.touched


def _under(path: str, scopes: Sequence[str]) -> bool:
    return any(path == s or path.startswith(s.rstrip("/") + "/") for s in scopes)


def reconcile(
    seen: Iterable[Item],
    known: dict[str, KnownFile],
    complete_scopes: Sequence[str],
    full_rescan: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Changes:
    """Sort ``seen`` into new, modified, moved, touched, unchanged; find the missing.

    Only known files under ``complete_scopes`` (folders whose walk finished)
    can be declared missing: an interrupted walk must never lose a node. A
    full rescan re-hashes every file and sends every one through extraction
    again (for instance after installing an extractor plugin).
    """
    changes = Changes()
    to_hash: list[tuple[Item, KnownFile | None]] = []
    seen_paths: set[str] = set()
    for item in seen:
        seen_paths.add(item.path)
        old = known.get(item.path)
        if old is None:
            to_hash.append((item, None))
            continue
        item.id = old.id
        if (
            not full_rescan
            and old.status != "missing"
            and old.size == item.size
            and old.mtime_ns == item.mtime_ns
            and old.inode == item.inode
        ):
            changes.unchanged += 1
            continue
        to_hash.append((item, old))

    hashed = _hash_all([item for item, _ in to_hash], progress)
    vanished = [
        k
        for path, k in known.items()
        if path not in seen_paths and k.status != "missing" and _under(path, complete_scopes)
    ]
    # a move target may match a file that vanished now or one already marked missing
    by_hash: dict[str, KnownFile] = {}
    for k in [*(k for k in known.values() if k.status == "missing"), *vanished]:
        if k.hash:
            by_hash[k.hash] = k
    claimed: set[str] = set()

    for item, old in to_hash:
        error = hashed.get(item.path)
        if isinstance(error, OSError):
            changes.unreadable.append((item, error))
            continue
        item.hash = str(error)
        if old is not None:
            if item.hash == old.hash and old.status != "missing" and not full_rescan:
                item.status = old.status
                changes.touched.append(item)
            else:
                item.status = "pending"
                changes.modified.append(item)
            continue
        twin = by_hash.get(item.hash)
        if twin is not None and twin.id not in claimed:
            claimed.add(twin.id)
            item.id = twin.id
            item.status = twin.status if twin.status != "missing" else "pending"
            changes.moved.append(item)
            continue
        item.id = uuid.uuid4().hex
        item.status = "pending"
        changes.new.append(item)

    changes.missing = [k for k in vanished if k.id not in claimed]
    return changes


def _hash_all(items: Sequence[Item], progress: Callable[[int, int], None]) -> dict[str, str | OSError]:
    def one(item: Item) -> tuple[str, str | OSError]:
        try:
            return item.path, file_hash(item.path)
        except OSError as exc:
            return item.path, exc

    results: dict[str, str | OSError] = {}
    total = len(items)
    if total == 0:
        return results
    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        for done, (path, value) in enumerate(pool.map(one, items), start=1):
            results[path] = value
            if done % 200 == 0 or done == total:
                progress(done, total)
    return results
