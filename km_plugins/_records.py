"""What the weekly source plugins share: where to read, signatures, and store markers."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from km_core import Content, Item, JobContext, Tag


def places(ctx: JobContext, plugin: str, key: str, macos: Sequence[str], given: str) -> list[Path]:
    """Where a source reads: ``--path`` for this run, else the plugin's setting, else (on macOS)
    the platform's own place. Only places that exist are returned."""
    if given:
        wanted = [given]
    else:
        value = ctx.setting(plugin, key, None)
        if isinstance(value, str):
            wanted = [value] if value else []
        elif value:
            wanted = [str(v) for v in value]
        else:
            wanted = list(macos) if sys.platform == "darwin" else []
    return [Path(p).expanduser() for p in wanted if Path(p).expanduser().exists()]


def signature(record: dict[str, Any]) -> str:
    """A hash of everything stored for a record: it changes exactly when the record does."""
    blob = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def record_item(item_id: str, kind: str, path: str, record: dict[str, Any], source: str) -> Item:
    return Item(path=path, id=item_id, kind=kind, hash=signature(record), record=record, source=source, status="ok")


def store_done(store: str, problems: Sequence[str] = (), **more: Any) -> Item:
    """The marker that says: every record of ``store`` was listed (what is not, is gone).
    ``more`` adds what the engine understands (``window`` and ``series`` for calendars)."""
    return Item(path=store, kind="store", status="ok", record={"problems": list(problems), **more})


def store_failed(store: str, error: str) -> Item:
    """The marker that says: ``store`` could not be read (keep what is known of it)."""
    return Item(path=store, kind="store", status="failed", record={"error": error})


def label_tags(content: Content, source: str, why: str) -> list[Tag]:
    """The record's own labels (``Content.metadata["labels"]``, one a line) as the user's tags;
    ``why`` is formatted with the label."""
    labels = [label for label in content.metadata.get("labels", "").split("\n") if label]
    return [Tag(label, "manual", 1.0, source, True, why.format(label)) for label in labels]
