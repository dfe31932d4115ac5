"""Built-in photos source: a Photos library's database, or plain folders of photos by EXIF.

Where to read: ``[plugin.photos] libraries`` (``.photoslibrary`` folders) and
``folders`` (plain photo folders), or ``km job weekly --task=photos --path
LIBRARY_OR_DIR``. On macOS the default library is
``~/Pictures/Photos Library.photoslibrary``; its database is read from a copy.
Photos in the trash are skipped; originals that are not on disk are recorded
with ``present = false`` (and tagged ``original-missing``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from km_core import Content, Item, JobContext, Source, Tag, hookimpl
from km_plugins._records import label_tags, record_item, signature, store_done, store_failed

NAME = "photos"
log = logging.getLogger("km.photos")
MACOS = ["~/Pictures/Photos Library.photoslibrary"]


def _is_library(path: Path) -> bool:
    named = path.suffix == ".photoslibrary" or path.name == "Photos.sqlite"
    return named or (path / "database" / "Photos.sqlite").is_file()


def _library_folder(path: Path) -> Path:
    """The library folder, whether given as itself or as its database: one store either way."""
    return path.parent.parent if path.name == "Photos.sqlite" and path.parent.name == "database" else path


def _configured(ctx: JobContext, given: str) -> tuple[list[Path], list[Path]]:
    import sys

    if given:
        path = Path(given).expanduser()
        return ([path], []) if _is_library(path) else ([], [path])
    libraries = [str(p) for p in ctx.setting(NAME, "libraries", []) or []]
    folders = [str(p) for p in ctx.setting(NAME, "folders", []) or []]
    if not libraries and not folders and sys.platform == "darwin":
        libraries = MACOS
    found = [Path(p).expanduser() for p in libraries if Path(p).expanduser().exists()]
    return found, [Path(p).expanduser() for p in folders if Path(p).expanduser().is_dir()]


@hookimpl
def km_discover(source: Source, ctx: JobContext) -> Iterator[Item] | None:
    if source.kind != "photos":
        return None
    libraries, folders = _configured(ctx, source.path)
    if not libraries and not folders:
        log.info("photos: nothing to read (set [plugin.photos] libraries or folders, or use --path)")
        return None
    return _photos(libraries, folders, ctx)


def _record(photo: Any, store: str) -> dict[str, Any]:
    words = [photo.title, photo.description, *photo.keywords, *photo.albums, *photo.people]
    return {
        "path": photo.path,
        "name": photo.name,
        "uuid": photo.uuid,
        "present": photo.present,
        "taken": photo.taken,
        "timezone": photo.timezone,
        "lat": photo.lat,
        "lon": photo.lon,
        "title": photo.title,
        "description": photo.description,
        "album": photo.albums[0] if photo.albums else "",
        "albums": photo.albums,
        "keywords": photo.keywords,
        "people": photo.people,
        "favorite": photo.favorite,
        "hidden": photo.hidden,
        "kind": photo.kind,
        "uti": photo.uti,
        "camera": photo.camera,
        "width": photo.width,
        "height": photo.height,
        "orientation": photo.orientation,
        "modified": photo.modified,
        "library": photo.library,
        "store": store,
        "text": "\n".join(w for w in words if w),
    }


def _photos(libraries: list[Path], folders: list[Path], ctx: JobContext) -> Iterator[Item]:
    from km_plugins.photo_exif import photo_files, read_photo
    from km_plugins.photos_library import PhotosLibraryError, read_library

    for library in libraries:
        store = str(_library_folder(library.resolve()))
        try:
            photos = read_library(library)
        except PhotosLibraryError as exc:
            log.error("photos: %s", exc)
            yield store_failed(store, str(exc))
            continue
        for photo in photos:
            yield record_item(photo.id, "photo", photo.path or store, _record(photo, store), NAME)
        yield store_done(store)
    for folder in folders:
        store = str(folder.resolve())
        problems = []
        for path in photo_files(folder, ctx.ignore):
            try:
                photo = read_photo(path)
                record = _record(photo, store)
            except (ValueError, OSError) as exc:
                # still there, only unreadable: recorded as failed (tagged), never as gone
                log.warning("photos: %s cannot be read: %s", path, exc)
                problems.append(f"{path.name}: {exc}")
                record = {"path": str(path.resolve()), "name": path.name, "present": True, "store": store}
                record |= {"status": "failed", "error": str(exc), "text": ""}
                photo_id = "photo:" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:20]
                yield Item(
                    path=str(path), id=photo_id, kind="photo", hash=signature(record), record=record, source=NAME
                )
                continue
            yield Item(path=photo.path, id=photo.id, kind="photo", hash=signature(record), record=record, source=NAME)
        yield store_done(store, problems)


@hookimpl
def km_tag(item: Item, content: Content) -> list[Tag] | None:
    """A photo's keywords, which the user gave it in Photos, are its tags."""
    return label_tags(content, NAME, "keyword '{}' in Photos") if item.kind == "photo" else None
