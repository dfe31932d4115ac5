"""Read the notes out of an Apple Notes database (``NoteStore.sqlite``) without touching it.

Notes keeps its database open and in WAL mode while it runs, so opening the user's file directly would risk a lock
conflict with Notes and would create ``-wal``/``-shm`` side files next to it. Instead we copy the database and its
journal files into a private temporary folder, read the copy (SQLite replays the copied WAL there, so writes
Notes has not checkpointed yet are seen) and delete it again.

The schema is Core Data's: one polymorphic table ``ZICCLOUDSYNCINGOBJECT`` holds notes, folders, accounts,
attachments and hashtags, told apart by ``Z_ENT``. Entity numbers and the numbered column names (``ZACCOUNT7``,
``ZTITLE2``...) change between macOS versions, so both are discovered at run time rather than hard-coded.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from km_plugins.notes_proto import decode_note_text

__all__ = ["NoteAttachment", "NoteRecord", "NoteStoreError", "core_data_date", "read_notestore"]

CORE_DATA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
HASHTAG_UTI = "com.apple.notes.inlinetextattachment.hashtag"
TRASH_FOLDER_TYPE = 1  # ZFOLDERTYPE of "Recently Deleted"
OBJECTS = "ZICCLOUDSYNCINGOBJECT"

# Candidate columns per attribute, best first. Core Data numbers a column (ZTITLE1, ZACCOUNT7) when several
# entities of the one polymorphic table have an attribute of that name, and the numbers move when Apple adds
# entities. Only the columns that exist (PRAGMA table_info) are used, combined with COALESCE: a column that belongs
# to another entity is NULL on our rows, so a spare candidate costs nothing. Seen in the corpus (macOS 13, 15, 26):
# note account ZACCOUNT7 (ZACCOUNT4 on macOS 12), creation ZCREATIONDATE3 (ZCREATIONDATE1 exists but is NULL),
# modification ZMODIFICATIONDATE1, note title ZTITLE1, folder title ZTITLE2, folder account ZOWNER / ZACCOUNT8.
NOTE_COLUMNS: dict[str, tuple[str, ...]] = {
    "identifier": ("ZIDENTIFIER",),
    "title": ("ZTITLE1", "ZTITLE"),
    "snippet": ("ZSNIPPET",),
    "folder": ("ZFOLDER",),
    "account": ("ZACCOUNT7", "ZACCOUNT4", "ZACCOUNT3", "ZACCOUNT2"),
    "created": ("ZCREATIONDATE3", "ZCREATIONDATE1", "ZCREATIONDATE"),
    "modified": ("ZMODIFICATIONDATE1", "ZMODIFICATIONDATE"),
    "protected": ("ZISPASSWORDPROTECTED",),
    "marked": ("ZMARKEDFORDELETION",),
    "notedata": ("ZNOTEDATA",),
}
FOLDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("ZTITLE2", "ZTITLE1", "ZTITLE"),
    "parent": ("ZPARENT",),
    "type": ("ZFOLDERTYPE",),
    "marked": ("ZMARKEDFORDELETION",),
    "account": ("ZOWNER", "ZACCOUNT8", "ZACCOUNT"),
}
ACCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {"name": ("ZNAME", "ZACCOUNTNAMEFORACCOUNTLISTSORTING")}
ATTACHMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "note": ("ZNOTE",),
    "uti": ("ZTYPEUTI",),
    "media": ("ZMEDIA",),
    "marked": ("ZMARKEDFORDELETION",),
}
MEDIA_COLUMNS: dict[str, tuple[str, ...]] = {"filename": ("ZFILENAME",)}
INLINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "note": ("ZNOTE1", "ZNOTE"),
    "uti": ("ZTYPEUTI1", "ZTYPEUTI"),
    "alt": ("ZALTTEXT",),
    "token": ("ZTOKENCONTENTIDENTIFIER",),
    "marked": ("ZMARKEDFORDELETION",),
}
HASHTAG_COLUMNS: dict[str, tuple[str, ...]] = {"display": ("ZDISPLAYTEXT",), "token": ("ZSTANDARDIZEDCONTENT",)}
# Without these a note row means nothing; every other attribute may be missing (it then reads as NULL).
REQUIRED_NOTE_ATTRIBUTES = ("identifier", "title")

# Files SQLite may keep beside the database; all of them are needed for a consistent copy.
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_COPY_ATTEMPTS = 3
_WHERE = "~/Library/Group Containers/group.com.apple.notes/NoteStore.sqlite"


@dataclass(slots=True)
class NoteAttachment:
    type: str  # the UTI, e.g. 'com.apple.notes.table', 'com.adobe.pdf', 'public.jpeg'
    name: str  # the media file name when there is one ('bitcoin.pdf'), else ''


@dataclass(slots=True)
class NoteRecord:
    id: str  # ZIDENTIFIER (UUID string), stable across syncs
    pk: int  # Z_PK in this database
    title: str
    folder: str  # folder path with parents joined by '/', e.g. 'Folder2/Subfolder/Subsubfolder'
    account: str  # e.g. 'On My Mac'
    created: datetime | None  # timezone-aware UTC
    modified: datetime | None
    snippet: str
    text: str  # full text from ZDATA; '' for password-protected notes
    encrypted: bool  # password-protected
    attachments: list[NoteAttachment] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)  # without '#'
    error: str = ""  # why ``text`` is empty although the note is not encrypted (undecodable or missing body)


class NoteStoreError(Exception):
    """A NoteStore that cannot be read: the message says what and how to fix it (one line)."""


def read_notestore(path: Path) -> list[NoteRecord]:
    """Every note that is not deleted, from a private copy of the database, in ``Z_PK`` order."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="km-notestore-") as tmp:
        copy = _private_copy(path, Path(tmp))
        # Read-write on purpose: the copy is ours, and SQLite must be able to roll back a copied hot -journal
        # (a transaction Notes had not finished) or rebuild the WAL index; a read-only open fails on both.
        conn = sqlite3.connect(f"{copy.as_uri()}?mode=rw", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return _read(conn, path)
        except sqlite3.DatabaseError as exc:
            reason = str(exc) or type(exc).__name__
            what = "not a NoteStore database" if "not a database" in reason else "a damaged or incomplete NoteStore"
            raise NoteStoreError(f"{path} is {what} ({reason}); copy NoteStore.sqlite again from Notes") from None
        finally:
            conn.close()


def _private_copy(path: Path, tmp: Path) -> Path:
    """Copy the database and its side files into ``tmp``; copy again when Notes wrote to them meanwhile."""
    if not path.is_file():
        problem = "is not a file" if path.exists() else "does not exist"
        raise NoteStoreError(f"{path} {problem}; point km at Notes' database ({_WHERE})")
    target = tmp / "NoteStore.sqlite"
    for _ in range(_COPY_ATTEMPTS):
        before = _stamp(path)
        try:
            shutil.copyfile(path, target)
            for suffix in _SIDE_SUFFIXES:
                side, copied = Path(f"{path}{suffix}"), Path(f"{target}{suffix}")
                copied.unlink(missing_ok=True)
                if side.is_file():
                    shutil.copyfile(side, copied)
        except OSError as exc:
            hint = "give the terminal Full Disk Access" if isinstance(exc, PermissionError) else "check free disk space"
            raise NoteStoreError(f"{path} cannot be copied for reading ({exc.strerror or exc}); {hint}") from None
        if _stamp(path) == before:
            break
    return target


def _stamp(path: Path) -> list[tuple[int, int] | None]:
    """Size and mtime of the database and each side file, to notice a write that raced with our copy."""
    names = [str(path), *(f"{path}{suffix}" for suffix in _SIDE_SUFFIXES)]
    return [(info.st_size, info.st_mtime_ns) if (info := _stat(name)) else None for name in names]


def _stat(name: str) -> os.stat_result | None:
    try:
        return os.stat(name)
    except OSError:
        return None


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row["name"] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def _expressions(spec: dict[str, tuple[str, ...]], existing: set[str], prefix: str = "") -> str:
    """``COALESCE(a, b) AS attribute, ...`` for the candidate columns that exist; NULL where none does."""
    parts = []
    for attribute, candidates in spec.items():
        present = [f'{prefix}"{name}"' for name in candidates if name in existing]
        expr = "NULL" if not present else present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"
        parts.append(f"{expr} AS {attribute}")
    return ", ".join(parts)


def _entity(
    conn: sqlite3.Connection, entities: dict[str, int], name: str, spec: dict[str, tuple[str, ...]], existing: set[str]
) -> list[sqlite3.Row]:
    """All rows of one entity (one query), or none when this database has no such entity."""
    if name not in entities:
        return []
    sql = f"SELECT Z_PK AS pk, {_expressions(spec, existing)} FROM {OBJECTS} WHERE Z_ENT = ? ORDER BY Z_PK"
    return conn.execute(sql, (entities[name],)).fetchall()


def _read(conn: sqlite3.Connection, path: Path) -> list[NoteRecord]:
    tables = {row["name"] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if OBJECTS not in tables or "Z_PRIMARYKEY" not in tables:
        missing = OBJECTS if OBJECTS not in tables else "Z_PRIMARYKEY"
        raise NoteStoreError(f"{path} is not a NoteStore database (no {missing} table); use {_WHERE}")
    entities = {row["Z_NAME"]: row["Z_ENT"] for row in conn.execute("SELECT Z_ENT, Z_NAME FROM Z_PRIMARYKEY")}
    if "ICNote" not in entities:
        raise NoteStoreError(f"{path} is not a NoteStore database (no ICNote entity in Z_PRIMARYKEY); use {_WHERE}")
    existing = _columns(conn, OBJECTS)
    for attribute in REQUIRED_NOTE_ATTRIBUTES:
        if not any(name in existing for name in NOTE_COLUMNS[attribute]):
            raise NoteStoreError(
                f"{path} has an unsupported NoteStore layout (no note {attribute} column among "
                f"{', '.join(NOTE_COLUMNS[attribute])}); please report the macOS version"
            )

    folders = {row["pk"]: row for row in _entity(conn, entities, "ICFolder", FOLDER_COLUMNS, existing)}
    accounts = {row["pk"]: row["name"] or "" for row in _entity(conn, entities, "ICAccount", ACCOUNT_COLUMNS, existing)}
    media = {row["pk"]: row["filename"] or "" for row in _entity(conn, entities, "ICMedia", MEDIA_COLUMNS, existing)}
    attachments: dict[int, list[NoteAttachment]] = {}
    for row in _entity(conn, entities, "ICAttachment", ATTACHMENT_COLUMNS, existing):
        if row["note"] is not None and row["marked"] != 1:
            found = NoteAttachment(type=row["uti"] or "", name=media.get(row["media"], ""))
            attachments.setdefault(row["note"], []).append(found)
    hashtags = _hashtags(
        _entity(conn, entities, "ICInlineAttachment", INLINE_COLUMNS, existing),
        _entity(conn, entities, "ICHashtag", HASHTAG_COLUMNS, existing),
    )

    notes: list[NoteRecord] = []
    for row in _note_rows(conn, entities["ICNote"], existing, "ZICNOTEDATA" in tables):
        if row["marked"] == 1 or _in_deleted_folder(row["folder"], folders):
            continue
        encrypted = row["protected"] == 1 or row["crypto_tag"] is not None
        text, error = ("", "") if encrypted else _body(row["data"])
        account = row["account"]
        if account is None and row["folder"] in folders:
            account = folders[row["folder"]]["account"]
        notes.append(
            NoteRecord(
                id=row["identifier"] or "",
                pk=row["pk"],
                title=row["title"] or "",
                folder="/".join(str(f["title"] or "") for f in reversed(_ancestry(row["folder"], folders))),
                account=accounts.get(account, ""),
                created=core_data_date(row["created"]),
                modified=core_data_date(row["modified"]),
                snippet=row["snippet"] or "",
                text=text,
                encrypted=encrypted,
                attachments=attachments.get(row["pk"], []),
                hashtags=hashtags.get(row["pk"], []),
                error=error,
            )
        )
    return notes


def _note_rows(conn: sqlite3.Connection, entity: int, existing: set[str], has_data: bool) -> Iterable[sqlite3.Row]:
    """All note rows with their body blob, in one query (streamed, so large stores do not sit in memory twice)."""
    select = _expressions(NOTE_COLUMNS, existing, "n.")
    data, tag, join = "NULL", "NULL", ""
    if has_data:
        data_columns = _columns(conn, "ZICNOTEDATA")
        data = "d.ZDATA" if "ZDATA" in data_columns else "NULL"
        tag = "d.ZCRYPTOTAG" if "ZCRYPTOTAG" in data_columns else "NULL"
        on = "d.Z_PK = n.ZNOTEDATA" if "ZNOTEDATA" in existing else "d.ZNOTE = n.Z_PK"
        join = f"LEFT JOIN ZICNOTEDATA d ON {on}"
    sql = (
        f"SELECT n.Z_PK AS pk, {select}, {data} AS data, {tag} AS crypto_tag FROM {OBJECTS} n {join} "
        "WHERE n.Z_ENT = ? ORDER BY n.Z_PK"
    )
    return conn.execute(sql, (entity,))


def _body(data: object) -> tuple[str, str]:
    """The note text and, when there is none, why."""
    if data is None or data == b"":
        return "", "note has no body data (ZICNOTEDATA.ZDATA is empty)"
    if not isinstance(data, bytes):
        return "", f"note body is {type(data).__name__}, not a blob"
    try:
        return decode_note_text(data), ""
    except ValueError as exc:
        return "", str(exc)


def _hashtags(inline: list[sqlite3.Row], tags: list[sqlite3.Row]) -> dict[int, list[str]]:
    """Hashtags per note from the inline hashtag attachments; ICHashtag names them when ZALTTEXT is empty."""
    by_token = {row["token"]: row["display"] for row in tags if row["token"] and row["display"]}
    result: dict[int, list[str]] = {}
    for row in inline:
        if row["uti"] != HASHTAG_UTI or row["note"] is None or row["marked"] == 1:
            continue
        tag = str(row["alt"] or by_token.get(row["token"]) or "").strip().lstrip("#").strip()
        found = result.setdefault(row["note"], [])
        if tag and tag not in found:
            found.append(tag)
    return result


def _ancestry(folder_pk: int | None, folders: dict[int, sqlite3.Row]) -> list[sqlite3.Row]:
    """The folder and its parents, innermost first; stops at a missing parent or a cycle."""
    chain: list[sqlite3.Row] = []
    seen: set[int] = set()
    while folder_pk is not None and folder_pk in folders and folder_pk not in seen:
        seen.add(folder_pk)
        chain.append(folders[folder_pk])
        folder_pk = folders[folder_pk]["parent"]
    return chain


def _in_deleted_folder(folder_pk: int | None, folders: dict[int, sqlite3.Row]) -> bool:
    """Inside "Recently Deleted" (or a folder below it), or inside a folder that is itself marked for deletion."""
    return any(row["type"] == TRASH_FOLDER_TYPE or row["marked"] == 1 for row in _ancestry(folder_pk, folders))


def core_data_date(value: object) -> datetime | None:
    """A Core Data timestamp (seconds since 2001-01-01 UTC) as an aware UTC datetime; None when absent or absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return CORE_DATA_EPOCH + timedelta(seconds=value)
    except (OverflowError, ValueError):
        return None
