"""Filesystem discovery: walk the monitored roots and report every file with its stat.

Only stat work happens here (one ``os.scandir`` pass, no hashing): the engine
compares (size, mtime_ns, inode) with the graph and hashes only what changed.
Symlinks are never followed, so a walk cannot leave its root; folders that
cannot be read are logged and skipped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from stat import S_ISREG

from km_core import Item, JobContext, Source, hookimpl
from km_core.organize.changelog import FOLDER as KM_FOLDER
from km_core.organize.mover import PARTIAL
from km_plugins.screenshot_detect import by_name as screenshot_name

log = logging.getLogger("km.discover")

DOCUMENT_EXTS = frozenset(
    ".pdf .docx .doc .odt .rtf .pages .txt .md .markdown .rst .text .org .csv .tsv .log .json .html .htm "
    ".epub .xlsx .xls .ods .pptx .ppt .key .tex".split()
)
IMAGE_EXTS = frozenset(".png .jpg .jpeg .gif .webp .tif .tiff .bmp .heic .heif".split())


KINDS = {ext: "document" for ext in DOCUMENT_EXTS} | {ext: "image" for ext in IMAGE_EXTS}


def walk(source: Source, ctx: JobContext) -> Iterator[Item]:
    root = source.path
    ignored = ctx.ignore
    settled_before_ns = time.time_ns() - int(ctx.settle_seconds * 1e9)
    stack = [source.only_under or root]
    # one lstat per file and none per folder (d_type answers is_dir): this loop is the whole
    # cost of a no-change rescan, so it does as little as the raw walk it is measured against
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError as exc:
            log.warning("cannot read folder %s: %s", folder, exc.strerror or exc, extra={"context": f"root: {root}"})
            ctx.keep(folder)
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if not name.isascii() and not _utf8(name):
                    # the graph stores text; a name that is not UTF-8 cannot be stored faithfully
                    log.warning("name is not valid UTF-8, skipped: %r", entry.path)
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if not ignored(name, True) and name != KM_FOLDER:
                            stack.append(entry.path)
                        continue
                    if ignored(name, False) or name.startswith(PARTIAL):
                        continue
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    log.warning("cannot stat %s: %s", entry.path, exc.strerror or exc)
                    ctx.keep(entry.path)
                    continue
                if not S_ISREG(st.st_mode):
                    continue  # symlinks, sockets, fifos, devices
                if st.st_mtime_ns > settled_before_ns:
                    log.info("still being written, left for the next run: %s", entry.path)
                    ctx.keep(entry.path)
                    continue
                dot = name.rfind(".")
                ext = name[dot:].lower() if dot > 0 else ""
                kind = KINDS.get(ext, "other")
                if kind == "image" and screenshot_name(name):
                    kind = "screenshot"
                yield Item(
                    entry.path,
                    "filesystem",
                    "",
                    st.st_size,
                    st.st_mtime_ns,
                    st.st_ino,
                    "",
                    kind,
                    ext,
                    root,
                )


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates
        return False
    return True


@hookimpl
def km_discover(source: Source, ctx: JobContext) -> Iterator[Item] | None:
    if source.kind != "filesystem":
        return None
    return walk(source, ctx)
