"""Built-in Apple Notes source: notes from NoteStore.sqlite (``km_discover`` for ``notes``).

Where to read: ``[plugin.apple-notes] path`` (a NoteStore.sqlite, e.g. one
copied from a Mac), or ``km job weekly --task=notes --path NoteStore.sqlite``.
On macOS the default is Notes' own database in
``~/Library/Group Containers/group.com.apple.notes/``; it is never opened in
place: the reader copies it with its -wal and -shm files and reads the copy.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

from km_core import Content, Item, JobContext, Source, Tag, hookimpl
from km_plugins._records import label_tags, places, record_item, store_done, store_failed

NAME = "apple-notes"
log = logging.getLogger("km.notes")
MACOS = ["~/Library/Group Containers/group.com.apple.notes/NoteStore.sqlite"]


@hookimpl
def km_discover(source: Source, ctx: JobContext) -> Iterator[Item] | None:
    if source.kind != "notes":
        return None
    found = places(ctx, NAME, "path", MACOS, source.path)
    if not found:
        log.info("Apple Notes: no NoteStore to read (set [plugin.apple-notes] path, or use --path)")
        return None
    return _notes(found)


def _notes(found: list[Path]) -> Iterator[Item]:
    from km_plugins.notes_store import NoteStoreError, read_notestore

    for path in found:
        store = str(path.resolve())
        try:
            notes = read_notestore(path)
        except NoteStoreError as exc:
            log.error("Apple Notes: %s", exc)
            yield store_failed(store, str(exc))
            continue
        problems = []
        for note in notes:
            if note.error:
                log.warning("Apple Notes: note %r: %s", note.title, note.error)
                problems.append(f"{note.title}: {note.error}")
            record = {
                "title": note.title,
                "folder": note.folder,
                "account": note.account,
                "created": note.created,
                "modified": note.modified,
                "snippet": note.snippet,
                "text": note.text if note.text else ("" if note.encrypted else note.snippet),
                "encrypted": note.encrypted,
                "attachments": [f"{a.type}:{a.name}" if a.name else a.type for a in note.attachments],
                "hashtags": note.hashtags,
                "error": note.error,
                "status": "encrypted" if note.encrypted else "ok",
                "store": store,
            }
            # a row without an identifier (seen in damaged stores) is known by its row in this store
            key = note.id or hashlib.sha1(f"{store}#{note.pk}".encode()).hexdigest()[:20]
            yield record_item(f"note:{key}", "note", store, record, NAME)
        yield store_done(store, problems)


@hookimpl
def km_tag(item: Item, content: Content) -> list[Tag] | None:
    """A note's own #hashtags are tags the user gave it in Notes."""
    return label_tags(content, NAME, "#{} in the note (Apple Notes hashtag)") if item.kind == "note" else None
