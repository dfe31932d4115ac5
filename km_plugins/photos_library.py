"""A pure reader for a macOS Photos library (``<name>.photoslibrary/database/Photos.sqlite``).

Nothing here writes to the user's library: Photos keeps its database open in WAL
mode and a reader holding a lock on it (or SQLite checkpointing the WAL into it)
could disturb Photos. So ``read_library`` copies Photos.sqlite with its -wal/-shm
into a private temporary folder, reads the copy and deletes it.

The schema is Core Data's and moves between macOS versions: the asset table is
``ZASSET`` from macOS 13 and ``ZGENERICASSET`` before, and the many-to-many join
tables are named after entity numbers that change with every model version
(albums ``Z_28ASSETS(Z_28ALBUMS, Z_3ASSETS)`` in 14.0 but
``Z_26ASSETS(Z_26ALBUMS, Z_34ASSETS)`` in 10.15). The numbers are therefore looked
up in ``Z_PRIMARYKEY`` by entity name and the tables found by matching them
against ``sqlite_master`` and ``PRAGMA table_info`` (see ``_find_join``).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

CORE_DATA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)  # Core Data stores seconds since this instant
NO_LOCATION = -180.0  # Photos writes -180.0 for latitude and longitude when there is no location
USER_ALBUM = 2  # ZGENERICALBUM.ZKIND: 2 user album, 4000 folder, 35xx internal progress albums
_NUMBERED = re.compile(r"Z_(\d+)([A-Z][A-Z0-9_]*)")  # Core Data join names: Z_<entity number><RELATIONSHIP>


@dataclass(slots=True)
class PhotoRecord:
    """One photo or video, from a Photos library or a plain file (see ``photo_exif.read_photo``)."""

    id: str
    uuid: str
    name: str
    path: str
    present: bool
    taken: datetime | None
    timezone: str
    lat: float | None
    lon: float | None
    title: str = ""
    description: str = ""
    albums: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    favorite: bool = False
    hidden: bool = False
    kind: str = "photo"
    uti: str = ""
    camera: str = ""
    width: int = 0
    height: int = 0
    orientation: int = 1
    modified: datetime | None = None
    library: str = ""


class PhotosLibraryError(Exception):
    """The library cannot be read; the message names the file and what to do about it."""


def camera_name(make: object, model: object) -> str:
    """'Apple iPhone 6s' from make and model, without saying the maker twice ('Canon Canon EOS 40D')."""
    make_s = str(make or "").strip(" \x00")
    model_s = str(model or "").strip(" \x00")
    if not make_s or not model_s:
        return make_s or model_s
    if model_s.lower().startswith(make_s.split()[0].lower()):
        return model_s  # 'NIKON CORPORATION' + 'NIKON D70' -> 'NIKON D70'
    return f"{make_s} {model_s}"


def core_data_date(value: object) -> datetime | None:
    """Aware UTC datetime from Core Data seconds; None for NULL or an impossible value (it happens)."""
    if value is None:
        return None
    try:
        return CORE_DATA_EPOCH + timedelta(seconds=float(value))  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return None


def read_library(path: Path) -> list[PhotoRecord]:
    """Every asset not in the trash (ZTRASHEDSTATE = 1 is skipped), from a private copy of Photos.sqlite.

    ``path`` is the ``.photoslibrary`` folder or its ``database/Photos.sqlite``.
    Records come in the library's own order (Z_PK, i.e. import order).
    """
    database, library = _locate(Path(path))
    with tempfile.TemporaryDirectory(prefix="km-photos-") as scratch:
        copy = Path(scratch) / "Photos.sqlite"
        try:
            # the WAL before the database: should Photos checkpoint in between, the older WAL's
            # pages are already in the newer database and replaying them changes nothing
            for suffix in ("-wal", "-shm", ""):
                source = database.with_name(database.name + suffix)
                if suffix == "" or source.is_file():
                    shutil.copyfile(source, copy.with_name(copy.name + suffix))
        except PermissionError as exc:
            raise PhotosLibraryError(
                f"{database}: permission denied ({exc.strerror}); on macOS give the terminal Full Disk Access"
            ) from exc
        except OSError as exc:
            raise PhotosLibraryError(f"{database}: cannot be copied ({exc}); check the disk and permissions") from exc
        try:
            with contextlib.closing(sqlite3.connect(copy)) as conn:
                conn.row_factory = sqlite3.Row
                return _read(conn, library)
        except sqlite3.DatabaseError as exc:
            raise PhotosLibraryError(
                f"{database}: not a readable Photos database ({exc}); point km at a .photoslibrary that Photos opens"
            ) from exc


def _locate(path: Path) -> tuple[Path, Path]:
    """(Photos.sqlite, library folder) for either form of ``path``."""
    if path.is_dir():
        database = path / "database" / "Photos.sqlite"
        library = path
    else:
        database = path
        library = path.parent.parent if path.parent.name == "database" else path.parent
    if not database.is_file():
        raise PhotosLibraryError(
            f"{database}: no such file; give a .photoslibrary folder or its database/Photos.sqlite"
        )
    return database, library.resolve()


def _read(conn: sqlite3.Connection, library: Path) -> list[PhotoRecord]:
    tables = {
        row[0]: [col[1] for col in conn.execute(f'PRAGMA table_info("{row[0]}")')]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    asset_table = "ZASSET" if "ZASSET" in tables else "ZGENERICASSET" if "ZGENERICASSET" in tables else ""
    if not asset_table or "Z_PRIMARYKEY" not in tables:
        raise sqlite3.DatabaseError("no ZASSET/ZGENERICASSET or Z_PRIMARYKEY table, so not a Photos library")
    entities = _entities(conn)

    def rows(table: str, *columns: str, where: str = "") -> list[sqlite3.Row]:
        """All rows of ``table`` in one query; a column this version lacks reads as NULL."""
        if table not in tables:
            return []
        have = tables[table]
        picked = ", ".join(f'"{c}"' if c in have else f'NULL AS "{c}"' for c in columns)
        return conn.execute(f'SELECT {picked} FROM "{table}" {where}').fetchall()

    assets = rows(
        asset_table,
        *("Z_PK", "ZUUID", "ZDATECREATED", "ZMODIFICATIONDATE", "ZLATITUDE", "ZLONGITUDE", "ZDIRECTORY"),
        *("ZFILENAME", "ZUNIFORMTYPEIDENTIFIER", "ZKIND", "ZWIDTH", "ZHEIGHT", "ZORIENTATION", "ZFAVORITE"),
        *("ZHIDDEN", "ZTITLE"),
        where="WHERE COALESCE(ZTRASHEDSTATE, 0) != 1 ORDER BY Z_PK",
    )
    extra = "ZADDITIONALASSETATTRIBUTES"
    attributes = {r["ZASSET"]: r for r in rows(extra, "Z_PK", "ZASSET", "ZORIGINALFILENAME", "ZTITLE", "ZTIMEZONENAME")}
    asset_of_attributes = {r["Z_PK"]: asset for asset, r in attributes.items()}
    descriptions = {r[0]: r[1] for r in rows("ZASSETDESCRIPTION", "ZASSETATTRIBUTES", "ZLONGDESCRIPTION")}
    cameras = {
        r[0]: camera_name(r[1], r[2]) for r in rows("ZEXTENDEDATTRIBUTES", "ZASSET", "ZCAMERAMAKE", "ZCAMERAMODEL")
    }

    asset_family = _family(entities, "Asset", "GenericAsset")
    albums: dict[int, set[str]] = defaultdict(set)
    album_family = _family(entities, "GenericAlbum", "Album")
    for table, album_col, asset_col in _find_join(tables, album_family, asset_family, {"ASSETS", "ALBUMS"}):
        query = (
            f'SELECT j."{asset_col}", a.ZTITLE FROM "{table}" j JOIN ZGENERICALBUM a ON a.Z_PK = j."{album_col}" '
            f"WHERE a.ZKIND = {USER_ALBUM} AND COALESCE(a.ZTRASHEDSTATE, 0) = 0 AND a.ZTITLE IS NOT NULL"
        )
        _collect(albums, conn.execute(query))
    keywords: dict[int, set[str]] = defaultdict(set)
    attr_family = _family(entities, "AdditionalAssetAttributes")
    for table, kw_col, attr_col in _find_join(
        tables, _family(entities, "Keyword"), attr_family, {"KEYWORDS", "ASSETATTRIBUTES"}
    ):
        query = f'SELECT j."{attr_col}", k.ZTITLE FROM "{table}" j JOIN ZKEYWORD k ON k.Z_PK = j."{kw_col}"'
        found = ((asset_of_attributes.get(a), title) for a, title in conn.execute(query))
        _collect(keywords, ((a, t) for a, t in found if a is not None))
    people: dict[int, set[str]] = defaultdict(set)
    faces = tables.get("ZDETECTEDFACE", [])
    # 14.0 names the face's foreign keys ZASSETFORFACE/ZPERSONFORFACE, 10.15 ZASSET/ZPERSON
    face_asset = next((c for c in ("ZASSETFORFACE", "ZASSET") if c in faces), "")
    face_person = next((c for c in ("ZPERSONFORFACE", "ZPERSON") if c in faces), "")
    if face_asset and face_person and "ZFULLNAME" in tables.get("ZPERSON", []):
        query = (
            f'SELECT f."{face_asset}", p.ZFULLNAME FROM ZDETECTEDFACE f JOIN ZPERSON p ON p.Z_PK = f."{face_person}" '
            "WHERE p.ZFULLNAME IS NOT NULL AND TRIM(p.ZFULLNAME) != ''"
        )
        _collect(people, conn.execute(query))

    return [_record(row, attributes, descriptions, cameras, albums, keywords, people, library) for row in assets]


def _record(
    row: sqlite3.Row,
    attributes: dict[int, sqlite3.Row],
    descriptions: dict[int, str],
    cameras: dict[int, str],
    albums: dict[int, set[str]],
    keywords: dict[int, set[str]],
    people: dict[int, set[str]],
    library: Path,
) -> PhotoRecord:
    pk = row["Z_PK"]
    extra = attributes.get(pk)
    path = _original(library, row["ZDIRECTORY"], row["ZFILENAME"])
    lat, lon = row["ZLATITUDE"], row["ZLONGITUDE"]
    if lat is None or lon is None or lat == NO_LOCATION or lon == NO_LOCATION:
        lat = lon = None
    uuid = row["ZUUID"] or ""
    return PhotoRecord(
        id=f"photo:{uuid}",
        uuid=uuid,
        name=(extra["ZORIGINALFILENAME"] if extra else None) or row["ZFILENAME"] or "",
        path=path,
        present=bool(path) and Path(path).is_file(),
        taken=core_data_date(row["ZDATECREATED"]),
        timezone=(extra["ZTIMEZONENAME"] if extra else None) or "",
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        title=((extra["ZTITLE"] if extra else None) or row["ZTITLE"] or "").strip(),
        description=(descriptions.get(extra["Z_PK"]) if extra else None) or "",
        albums=sorted(albums.get(pk, ())),
        keywords=sorted(keywords.get(pk, ())),
        people=sorted(people.get(pk, ())),
        favorite=bool(row["ZFAVORITE"]),
        hidden=bool(row["ZHIDDEN"]),
        kind="video" if row["ZKIND"] == 1 else "photo",
        uti=row["ZUNIFORMTYPEIDENTIFIER"] or "",
        camera=cameras.get(pk, ""),
        width=int(row["ZWIDTH"] or 0),
        height=int(row["ZHEIGHT"] or 0),
        orientation=int(row["ZORIENTATION"] or 1),
        modified=core_data_date(row["ZMODIFICATIONDATE"]),
        library=str(library),
    )


def _original(library: Path, directory: str | None, filename: str | None) -> str:
    """Where the original lives: originals/ (macOS 10.15+) or Masters/ (older), or an absolute
    ZDIRECTORY for a referenced file kept outside the library."""
    if not filename:
        return ""
    if directory and directory.startswith("/"):
        return str(Path(directory) / filename)
    base = library / "originals"
    if not base.is_dir() and (library / "Masters").is_dir():
        base = library / "Masters"
    return str(base / (directory or "") / filename)


def _entities(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Core Data entity name -> (entity number, super-entity number) from Z_PRIMARYKEY."""
    return {name: (ent, sup or 0) for ent, name, sup in conn.execute("SELECT Z_ENT, Z_NAME, Z_SUPER FROM Z_PRIMARYKEY")}


def _family(entities: dict[str, tuple[int, int]], *names: str) -> set[int]:
    """Numbers of the named entities and of all their sub-entities (Album is a GenericAlbum, …)."""
    found = {entities[n][0] for n in names if n in entities}
    grew = True
    while grew:
        more = {ent for ent, sup in entities.values() if sup in found} - found
        found |= more
        grew = bool(more)
    return found


def _find_join(
    tables: dict[str, list[str]], left: set[int], right: set[int], relations: set[str]
) -> list[tuple[str, str, str]]:
    """Join tables linking entities ``left`` and ``right``, as (table, left column, right column).

    Core Data names a many-to-many table ``Z_<entity number><RELATIONSHIP>`` with one
    column per side, ``Z_<entity number><relationship>`` (plus an optional
    ``Z_FOK_…`` ordering column). A table qualifies when its name's number is one of
    either side's entity numbers, its relationship name is one of ``relations`` and
    it has exactly one column numbered for each side. E.g. in Test-14.0.0,
    Z_PRIMARYKEY says Album = 28 (a sub-entity of GenericAlbum 27) and Asset = 3,
    which picks ``Z_28ASSETS(Z_28ALBUMS, Z_3ASSETS)`` out of the many Z_3… tables.
    """
    found = []
    for table, columns in tables.items():
        named = _NUMBERED.fullmatch(table)
        if not named or named[2] not in relations or int(named[1]) not in left | right:
            continue
        numbered = [(int(m[1]), col) for col in columns if (m := _NUMBERED.fullmatch(col))]
        lefts = [col for ent, col in numbered if ent in left]
        rights = [col for ent, col in numbered if ent in right]
        if len(lefts) == 1 and len(rights) == 1 and len(numbered) == 2:
            found.append((table, lefts[0], rights[0]))
    return found


def _collect(into: dict[int, set[str]], pairs: Iterable[tuple[int | None, str | None]]) -> None:
    for key, value in pairs:
        if key is not None and value and str(value).strip():
            into[key].add(str(value).strip())
