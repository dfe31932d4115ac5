"""The Apple Notes reader against real NoteStore databases and ZDATA blobs from the public corpus.

Every test reads the corpus files themselves (or a byte copy in tmp_path when the test needs to write, lock or
damage it), so what is checked is how the reader copes with databases that Notes really wrote on macOS 13, 15 and 26.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from km_plugins.notes_proto import decode_note_text
from km_plugins.notes_store import NoteRecord, NoteStoreError, read_notestore

VENTURA = "NoteStore-macOS-13-Ventura.sqlite"
SEQUOIA = "NoteStore-macOS-15-Sequoia.sqlite"
TAHOE = "NoteStore-macOS-26-Tahoe.sqlite"
PACIFIC = timezone(timedelta(hours=-7))  # the expected listings were written in US-Pacific summer time
LOCKED = "This note is password protected"

# The non-deleted notes per database, as MANIFEST.md lists them (title -> folder path).
LIVE_NOTES: dict[str, dict[str, str]] = {
    VENTURA: {
        "This is a note": "Notes",
        "This note has special formatting": "Notes",
        "This is a deeply buried note": "Folder2/Subfolder/Subsubfolder",
        "This note has tags": "Notes",
        LOCKED: "Notes",
        "This note is in a subfolder": "Folder2/Subfolder",
        "This note is in a folder": "Folder",
    },
    SEQUOIA: {
        "This is a note": "Notes",
        "This note has tags": "Notes",
        "This note has special formatting": "Notes",
        "This note has an attachment": "Notes",
        LOCKED: "Notes",
        "This note is in Folder": "Folder",
        "This note is in a subfolder": "Folder2/Subfolder",
        "This note is deeply buried": "Folder2/Subfolder/Subsubfolder",
    },
    TAHOE: {
        "This is a note in a subfolder": "Folder2/Subfolder",
        "This is a deeply buried note": "Folder2/Subfolder/Subsubfolder",
        "This note is in a folder": "Folder",
        LOCKED: "Notes",
        "This note has special formatting": "Notes",
        "This note has tags": "Notes",
        "This is a note": "Notes",
    },
}
# Notes in "Recently Deleted" or marked for deletion (Ventura's second one has no title at all).
DELETED_TITLES = {VENTURA: {"New Note", ""}, SEQUOIA: {"This is a deleted note"}, TAHOE: {"This note is deleted"}}
DELETED_PKS = {VENTURA: {1, 18}, SEQUOIA: {32}, TAHOE: {29}}
EXPECTED_LISTING = {VENTURA: "Notes-macOS-13-Ventura.txt", SEQUOIA: "Notes-macOS-15-Sequoia.txt"}


def by_title(notes: list[NoteRecord]) -> dict[str, NoteRecord]:
    return {note.title: note for note in notes}


def normalise(text: str) -> str:
    return " ".join(text.replace("\ufffc", "").split())


def parse_listing(path: Path) -> list[dict[str, str]]:
    """The ``note.key=value`` records of an expected listing; body and plaintext run over several lines."""
    records: list[dict[str, str]] = []
    key = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.startswith("note.") and name[5:].replace("_", "").isalpha():
            key = name[5:]
            if key == "id":
                records.append({})
            records[-1][key] = value
        elif records:
            records[-1][key] += "\n" + line
    return records


def pacific(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=PACIFIC).astimezone(UTC)


def copy_store(corpus: Path, name: str, folder: Path) -> Path:
    """A writable byte copy (copyfile, not copy: the corpus files are read-only and the tests need to write)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "NoteStore.sqlite"
    shutil.copyfile(corpus / "notes" / name, target)
    return target


def folder_state(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.mark.parametrize("name", [VENTURA, SEQUOIA, TAHOE])
def test_exactly_the_live_notes_with_folders_and_account(corpus: Path, name: str) -> None:
    notes = read_notestore(corpus / "notes" / name)
    assert {note.title: note.folder for note in notes} == LIVE_NOTES[name]
    assert len(notes) == len(LIVE_NOTES[name])
    assert not DELETED_TITLES[name] & {note.title for note in notes}
    assert not DELETED_PKS[name] & {note.pk for note in notes}
    for note in notes:
        assert note.account == "On My Mac"
        assert uuid.UUID(note.id)
        assert note.created is not None and note.created.tzinfo is not None
        assert note.modified is not None and note.modified >= note.created
        assert note.encrypted == (note.title == LOCKED)
        assert note.error == ""
        assert note.text.startswith(note.title) or note.encrypted
    locked = by_title(notes)[LOCKED]
    assert locked.encrypted and locked.text == ""


@pytest.mark.parametrize("name", [VENTURA, SEQUOIA])
def test_matches_the_expected_listing(corpus: Path, name: str) -> None:
    expected = parse_listing(corpus / "expected" / "notes" / EXPECTED_LISTING[name])
    notes = by_title(read_notestore(corpus / "notes" / name))
    assert {record["name"] for record in expected} == set(notes)
    for record in expected:
        note = notes[record["name"]]
        assert note.folder.rsplit("/", 1)[-1] == record["folder"]
        assert note.account == record["account"]
        assert note.encrypted == (record["password_protected"] == "True")
        assert note.created is not None and note.modified is not None
        assert note.created.replace(microsecond=0) == pacific(record["creation_date"])
        assert note.modified.replace(microsecond=0) == pacific(record["modification_date"])
        assert int(record["id"].rsplit("/p", 1)[1]) == note.pk
        if not note.encrypted:
            assert "\ufffc" not in note.text
            assert normalise(note.text) == normalise(record["plaintext"])


@pytest.mark.parametrize("name", [VENTURA, SEQUOIA, TAHOE])
def test_hashtags_and_attachments(corpus: Path, name: str) -> None:
    notes = by_title(read_notestore(corpus / "notes" / name))
    assert notes["This note has tags"].hashtags == ["travel", "vacation"]
    assert sum(len(note.hashtags) for note in notes.values()) == 2
    table = [(a.type, a.name) for a in notes["This note has special formatting"].attachments]
    assert table == [("com.apple.notes.table", "")]
    if name == SEQUOIA:
        pdf = [(a.type, a.name) for a in notes["This note has an attachment"].attachments]
        assert pdf == [("com.adobe.pdf", "bitcoin.pdf")]


BLOB_TEXTS = {
    "simple_note_protobuf_gzipped.bin": "Title",
    "text_decorations_gzipped.bin": "Title\nBold body \nItalic body\nBold italic body \nUnderlined body\n"
    "Strikethrough body\nUnderline strikethrough body",
}
BLOB_PARTS = {
    "list_indents_gzipped.bin": ["Indents in lists\n", "Checklist", "Dotted list", "Dashed list", "Numbered list"],
    "url_gzipped.bin": ["Link test\n", ".. that Jim Nettles followed his older brother to San Diego State"],
    "emoji_formatting_2_gzipped.bin": ["Graphic designer\n", "Graphic Designer 💻 from Stockport, UK 📍\n"],
}


@pytest.mark.parametrize("name", sorted([*BLOB_TEXTS, *BLOB_PARTS]))
def test_blob_decodes_to_the_manifest_text(corpus: Path, name: str) -> None:
    blob = (corpus / "notes" / "blobs" / name).read_bytes()
    text = decode_note_text(blob)
    if name in BLOB_TEXTS:
        assert text == BLOB_TEXTS[name]
    else:
        assert text.startswith(BLOB_PARTS[name][0])
        for part in BLOB_PARTS[name][1:]:
            assert part in text
    assert decode_note_text(gzip.decompress(blob)) == text  # an uncompressed body reads the same


def test_undecodable_bodies_raise_value_error(corpus: Path) -> None:
    blob = (corpus / "notes" / "blobs" / "url_gzipped.bin").read_bytes()
    conn = sqlite3.connect(f"file:{corpus / 'notes' / SEQUOIA}?mode=ro&immutable=1", uri=True)
    (encrypted,) = conn.execute("SELECT ZDATA FROM ZICNOTEDATA WHERE ZCRYPTOTAG IS NOT NULL").fetchone()
    conn.close()
    for bad in (b"", blob[:40], b"\x00" * 64, b"not a note at all", encrypted):
        with pytest.raises(ValueError, match="note body"):
            decode_note_text(bad)


def test_one_damaged_body_does_not_stop_the_others(corpus: Path, tmp_path: Path) -> None:
    store = copy_store(corpus, SEQUOIA, tmp_path)
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE ZICNOTEDATA SET ZDATA = substr(ZDATA, 1, 30) WHERE ZNOTE = 6")
    conn.close()
    notes = by_title(read_notestore(store))
    assert len(notes) == len(LIVE_NOTES[SEQUOIA])
    damaged = notes["This note has tags"]
    assert damaged.text == "" and "gzip" in damaged.error and not damaged.encrypted
    assert damaged.hashtags == ["travel", "vacation"]
    assert notes["This is a note"].text.startswith("This is a note\n")


def test_original_is_untouched(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    store = copy_store(corpus, VENTURA, folder)
    before = folder_state(folder)
    assert len(read_notestore(store)) == len(LIVE_NOTES[VENTURA])
    assert folder_state(folder) == before == {"NoteStore.sqlite": before["NoteStore.sqlite"]}


def test_original_is_untouched_while_notes_holds_a_write_lock(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    store = copy_store(corpus, SEQUOIA, folder)
    writer = sqlite3.connect(store, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        before = folder_state(folder)  # the writer has created -wal and -shm by now, like a running Notes
        started = time.perf_counter()
        notes = read_notestore(store)
        assert time.perf_counter() - started < 5  # a lock must not make us wait for the busy timeout
        assert len(notes) == len(LIVE_NOTES[SEQUOIA])
        assert folder_state(folder) == before
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_uncheckpointed_wal_content_is_read(corpus: Path, tmp_path: Path) -> None:
    store = copy_store(corpus, TAHOE, tmp_path)
    writer = sqlite3.connect(store)
    try:
        assert writer.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE ZICCLOUDSYNCINGOBJECT SET ZTITLE1 = 'Renamed in the WAL' WHERE Z_PK = 27")
        writer.commit()
        assert Path(f"{store}-wal").stat().st_size > 0
        assert b"Renamed in the WAL" not in store.read_bytes()  # only the WAL has it
        before = folder_state(tmp_path)
        titles = {note.pk: note.title for note in read_notestore(store)}
        assert titles[27] == "Renamed in the WAL"
        assert folder_state(tmp_path) == before
    finally:
        writer.close()


def test_unfinished_transaction_in_a_rollback_journal_is_ignored(corpus: Path, tmp_path: Path) -> None:
    """A copied hot -journal (a writer mid-transaction, pages already spilled) is rolled back in the copy only."""
    store = copy_store(corpus, SEQUOIA, tmp_path)
    writer = sqlite3.connect(store, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
        writer.execute("PRAGMA cache_size=1")  # spill changed pages into the database file before commit
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE ZICCLOUDSYNCINGOBJECT SET ZTITLE1 = 'Not committed' WHERE Z_PK = 5")
        writer.execute("UPDATE ZICCLOUDSYNCINGOBJECT SET ZSNIPPET = hex(randomblob(3000)) WHERE Z_PK < 40")
        assert Path(f"{store}-journal").stat().st_size > 0
        before = folder_state(tmp_path)
        titles = {note.pk: note.title for note in read_notestore(store)}
        assert titles[5] == "This is a note"
        assert folder_state(tmp_path) == before
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_private_copy_is_deleted(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert read_notestore(corpus / "notes" / TAHOE)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    with pytest.raises(NoteStoreError):
        read_notestore(bad)
    assert list(scratch.iterdir()) == []


def test_many_notes_are_read_fast(corpus: Path, tmp_path: Path) -> None:
    """500 extra copies of a real note row and its body: the reader runs one query per entity, not per note."""
    store = copy_store(corpus, SEQUOIA, tmp_path)
    with sqlite3.connect(store) as conn:
        cols = [row[1] for row in conn.execute("PRAGMA table_info(ZICCLOUDSYNCINGOBJECT)")]
        data_cols = [row[1] for row in conn.execute("PRAGMA table_info(ZICNOTEDATA)")]
        note_select = ", ".join(
            {"Z_PK": "?1", "ZIDENTIFIER": "?2", "ZNOTEDATA": "?3", "ZTITLE1": "'Copy ' || ?1"}.get(c, c) for c in cols
        )
        data_select = ", ".join({"Z_PK": "?3", "ZNOTE": "?1"}.get(c, c) for c in data_cols)
        for i in range(500):
            args = (10_000 + i, str(uuid.uuid4()).upper(), 10_000 + i)
            conn.execute(
                f"INSERT INTO ZICCLOUDSYNCINGOBJECT SELECT {note_select} FROM ZICCLOUDSYNCINGOBJECT WHERE Z_PK = 6",
                args,
            )
            conn.execute(f"INSERT INTO ZICNOTEDATA SELECT {data_select} FROM ZICNOTEDATA WHERE ZNOTE = 6", args)
    conn.close()
    started = time.perf_counter()
    notes = read_notestore(store)
    elapsed = time.perf_counter() - started
    assert len(notes) == len(LIVE_NOTES[SEQUOIA]) + 500
    copies = [note for note in notes if note.title.startswith("Copy ")]
    assert all(note.text.startswith("This note has tags") for note in copies)
    assert elapsed < 0.5, f"{elapsed:.2f}s for {len(notes)} notes"


def raised_message(path: Path) -> str:
    """The NoteStoreError message for ``path``, checked to be one line that names the file."""
    with pytest.raises(NoteStoreError) as raised:
        read_notestore(path)
    message = str(raised.value)
    assert str(path) in message and "\n" not in message
    return message


def test_garbage_file(tmp_path: Path) -> None:
    bad = tmp_path / "NoteStore.sqlite"
    bad.write_bytes(bytes(range(256)) * 64)
    assert "is not a NoteStore database (file is not a database)" in raised_message(bad)


def test_truncated_file(corpus: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes((corpus / "notes" / SEQUOIA).read_bytes()[:4096])
    assert "is a damaged or incomplete NoteStore (database disk image is malformed)" in raised_message(cut)


def test_unrelated_sqlite_database(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    assert "is not a NoteStore database (no ZICCLOUDSYNCINGOBJECT table)" in raised_message(other)


def test_missing_file(tmp_path: Path) -> None:
    gone = tmp_path / "nowhere" / "NoteStore.sqlite"
    assert "does not exist" in raised_message(gone)
    assert "does not exist" in raised_message(tmp_path / "NoteStore.sqlite")
    assert "is not a file" in raised_message(tmp_path)
    assert not gone.parent.exists()


def test_errors_leave_no_side_files(tmp_path: Path) -> None:
    bad = tmp_path / "NoteStore.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    raised_message(bad)
    assert [p.name for p in tmp_path.iterdir()] == ["NoteStore.sqlite"]
