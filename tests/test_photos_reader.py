"""The photo readers on real files: the Test-14.0.0 Photos library, exif-py's sample JPEGs, the originals.

Expected values come from the corpus MANIFEST.md (section photos/) and from exif-py's
own reference dump (expected/photos/exif-py-dump.txt), an independent EXIF parser.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from km_plugins.photo_exif import PHOTO_EXTS, likely_text, photo_files, read_photo
from km_plugins.photos_library import PhotoRecord, PhotosLibraryError, read_library

LIBRARY = "photos/Test-14.0.0.photoslibrary"
ORIGINALS = {  # original name -> file under originals/ (the 5 the corpus ships)
    "IMG_4547.jpg": "3/3DD2C897-F19E-4CA6-8C22-B027D5A71907.jpeg",
    "St James Park.jpg": "D/DC99FBDD-7A52-4100-A5BB-344131646C30.jpeg",
    "Pumkins1.jpg": "F/F12384F6-CD17-4151-ACBA-AE0E3688539E.jpeg",
    "Tulips.jpg": "6/6191423D-8DB8-4D4C-92BE-9BBBA308AAC4.jpeg",
    "IMG_3092.heic": "7/7783E8E6-9CAC-40F3-BE22-81FB7051C266.heic",
}
ALL_NAMES = {  # the manifest's 16 assets; IMG_1064.jpeg and wedding_edited.jpg are trashed
    *("Pumpkins4.jpg", "Pumpkins3.jpg", "wedding.jpg", "Pumkins1.jpg", "Pumkins2.jpg", "St James Park.jpg"),
    *("Tulips.jpg", "IMG_4547.jpg", "DSC03584.dng", "IMG_1994.JPG", "IMG_1997.JPG", "IMG_2000.JPG"),
    *("IMG_1693.tif", "IMG_3092.heic"),
}
TEXT_IMAGES = [
    "testocr.png",
    "pytesseract-test.jpg",
    "markitdown-test.jpg",
    "paperless-simple.jpg",
    "linn.png",
    "bill.png",
]
EXIF_FILES = [
    "Canon_40D.jpg",
    *("DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg", "DSCN0025.jpg", "DSCN0027.jpg"),
    *("Konica_Minolta_DiMAGE_Z3.jpg", "Nikon_D70.jpg", "Pentax_K10D.jpg", "Sony_HDR-HC3.jpg"),
]
CAMERAS = {  # make + model as the manifest gives them, the maker not repeated
    "Canon_40D.jpg": "Canon EOS 40D",
    "DSCN0010.jpg": "NIKON COOLPIX P6000",
    "Konica_Minolta_DiMAGE_Z3.jpg": "KONICA MINOLTA DiMAGE Z3",
    "Nikon_D70.jpg": "NIKON D70",
    "Pentax_K10D.jpg": "PENTAX K10D",
    "Sony_HDR-HC3.jpg": "SONY HDR-HC3",
}


@pytest.fixture(scope="module")
def records(corpus: Path) -> dict[str, PhotoRecord]:
    found = read_library(corpus / LIBRARY)
    by_name = {r.name: r for r in found}
    assert len(by_name) == len(found)
    return by_name


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def whole_seconds(value: datetime | None) -> datetime | None:
    return value.replace(microsecond=0) if value else None


# --- the Photos library -------------------------------------------------------------------


def test_library_lists_the_assets_not_in_the_trash(records: dict[str, PhotoRecord], corpus: Path) -> None:
    assert set(records) == ALL_NAMES
    library = str((corpus / LIBRARY).resolve())
    for record in records.values():
        assert record.id == f"photo:{record.uuid}" and len(record.uuid) == 36
        assert record.library == library
        assert record.kind == "photo"
        assert record.taken is None or record.taken.tzinfo is not None
        assert record.modified is not None and record.modified.utcoffset().total_seconds() == 0


def test_library_given_as_its_database_file(records: dict[str, PhotoRecord], corpus: Path) -> None:
    again = read_library(corpus / LIBRARY / "database" / "Photos.sqlite")
    assert {r.name: r for r in again} == records


def test_st_james_park(records: dict[str, PhotoRecord]) -> None:
    park = records["St James Park.jpg"]
    assert park.title == "St. James's Park"
    assert park.lat == pytest.approx(51.50357, abs=1e-5) and park.lon == pytest.approx(-0.13181, abs=1e-5)
    assert whole_seconds(park.taken) == utc(2018, 10, 13, 13, 18, 12)
    assert park.timezone == "GMT-0400"
    assert park.camera == "NIKON D7000"
    assert park.keywords == ["England", "London", "London 2018", "St. James's Park", "UK", "United Kingdom"]
    assert park.uti == "public.jpeg" and (park.width, park.height) == (2047, 1356)


def test_elder_park(records: dict[str, PhotoRecord]) -> None:
    elder = records["IMG_4547.jpg"]
    assert elder.title == "Elder Park"
    assert elder.lat == pytest.approx(-34.91889, abs=1e-5) and elder.lon == pytest.approx(138.59686, abs=1e-5)
    assert elder.timezone == "Australia/Adelaide"
    assert whole_seconds(elder.taken) == utc(2017, 6, 20, 7, 48, 56)
    assert "Adelaide" in elder.description and elder.camera == "Apple iPhone 6s"
    assert "AlbumInFolder" in elder.albums


def test_flags_favourite_and_hidden(records: dict[str, PhotoRecord]) -> None:
    assert [n for n, r in records.items() if r.favorite] == ["wedding.jpg"]
    assert [n for n, r in records.items() if r.hidden] == ["Pumpkins4.jpg"]


def test_referenced_file_outside_the_library(records: dict[str, PhotoRecord]) -> None:
    heads = records["Pumpkins4.jpg"]
    assert heads.title == "Pumpkin heads"
    assert heads.path == "/Volumes/MacBook Mojave/Users/Shared/Pumpkins4.jpg"
    assert heads.present is False
    assert records["IMG_2000.JPG"].path == "/Users/rhet/Downloads/IMG_2000.JPG"


def test_present_originals(records: dict[str, PhotoRecord], corpus: Path) -> None:
    present = {n for n, r in records.items() if r.present}
    assert present == set(ORIGINALS)
    for name, relative in ORIGINALS.items():
        assert records[name].path == str((corpus / LIBRARY).resolve() / "originals" / relative)
    missing = records["Pumpkins3.jpg"]
    assert missing.path.endswith("originals/1/1EB2B765-0765-43BA-A90C-0D0580E6172C.jpeg") and not missing.present


def test_impossible_date_is_none(records: dict[str, PhotoRecord]) -> None:
    assert records["IMG_1693.tif"].taken is None  # ZDATECREATED 123456789012345
    assert all(r.taken is not None for n, r in records.items() if n != "IMG_1693.tif")
    assert whole_seconds(records["IMG_3092.heic"].taken) == utc(2020, 9, 19, 21, 36, 26)


def test_titles_and_descriptions(records: dict[str, PhotoRecord]) -> None:
    assert records["Pumkins1.jpg"].title == "Can we carry this?"
    assert records["Pumkins1.jpg"].description == "Girls with pumpkins"
    assert records["Pumkins2.jpg"].description == "Girl holding pumpkin"
    assert records["Pumpkins3.jpg"].description == "Kids in pumpkin field"
    assert records["Tulips.jpg"].description == "Wedding tulips"
    assert records["wedding.jpg"].description == "Bride Wedding day"
    assert records["DSC03584.dng"].description == "RAW only"
    assert records["IMG_3092.heic"].description == "" and records["IMG_3092.heic"].title == ""


def test_user_albums_only(records: dict[str, PhotoRecord]) -> None:
    for name in ("Pumkins1.jpg", "Pumkins2.jpg", "Pumpkins3.jpg"):
        assert "Pumpkin Farm" in records[name].albums
    assert records["Pumkins1.jpg"].albums == ["Pumpkin Farm", "Test Album"]
    assert all(records[n].albums == ["Raw"] for n in ("DSC03584.dng", "IMG_1994.JPG", "IMG_1997.JPG"))
    every = {a for r in records.values() for a in r.albums}
    assert not every & {"Folder1", "SubFolder1", "SubFolder2", "Folder2"}  # folders (ZKIND 4000) are not albums
    assert all(r.albums == sorted(r.albums) for r in records.values())


def test_people(records: dict[str, PhotoRecord]) -> None:
    assert records["Pumkins1.jpg"].people == ["Katie", "Suzy"]
    assert records["Pumpkins3.jpg"].people == ["Katie", "Suzy"]  # its third face has no name
    assert records["Pumkins2.jpg"].people == ["Katie"]
    assert records["wedding.jpg"].people == ["Maria"]
    assert {p for r in records.values() for p in r.people} == {"Katie", "Maria", "Suzy"}
    assert records["St James Park.jpg"].people == []


def test_keywords(records: dict[str, PhotoRecord]) -> None:
    assert records["Tulips.jpg"].keywords == ["flowers", "wedding"]
    assert records["wedding.jpg"].keywords == ["wedding"]
    assert all(records[n].keywords == ["Kids"] for n in ("Pumkins1.jpg", "Pumkins2.jpg", "Pumpkins3.jpg"))
    assert records["IMG_4547.jpg"].keywords == []


def test_kinds_types_and_locations(records: dict[str, PhotoRecord]) -> None:
    assert records["IMG_3092.heic"].uti == "public.heic"
    assert records["DSC03584.dng"].uti == "com.adobe.raw-image"
    assert records["IMG_1693.tif"].uti == "public.tiff"
    located = {n for n, r in records.items() if r.lat is not None}
    assert located == {"St James Park.jpg", "IMG_4547.jpg"}  # -180.0 in the DB means none
    assert all((r.lat is None) == (r.lon is None) for r in records.values())
    assert records["DSC03584.dng"].orientation == 8 and records["IMG_1997.JPG"].orientation == 6


def test_the_original_database_is_left_untouched(corpus: Path, tmp_path: Path) -> None:
    """Read while another connection (standing in for Photos) holds the DB open in WAL mode with
    changes not yet checkpointed: the reader sees them, and changes no byte, mtime or file name."""
    library = tmp_path / "Mine.photoslibrary"
    shutil.copytree(corpus / LIBRARY / "database", library / "database")
    database = library / "database" / "Photos.sqlite"
    database.chmod(0o644)
    photos_app = sqlite3.connect(database)
    try:
        assert photos_app.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        photos_app.execute("UPDATE ZADDITIONALASSETATTRIBUTES SET ZTITLE = 'Only in the WAL' WHERE ZASSET = 16")
        photos_app.commit()
        assert (library / "database" / "Photos.sqlite-wal").stat().st_size > 0

        def snapshot() -> dict[str, tuple[str, int]]:
            files = sorted(p for p in library.rglob("*") if p.is_file())
            return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in files}

        before = snapshot()
        found = {r.name: r for r in read_library(library)}
        assert snapshot() == before
        assert found["IMG_3092.heic"].title == "Only in the WAL"
        assert len(found) == 14
    finally:
        photos_app.close()


def test_two_thousand_assets_in_well_under_a_second(corpus: Path, tmp_path: Path) -> None:
    library = tmp_path / "Big.photoslibrary"
    shutil.copytree(corpus / LIBRARY / "database", library / "database")
    database = library / "database" / "Photos.sqlite"
    database.chmod(0o644)
    with contextlib.closing(sqlite3.connect(database)) as conn:  # test data in this version's own numbers
        triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (trigger,) in triggers:  # they call Core Data's own SQL functions, absent outside Photos
            conn.execute(f'DROP TRIGGER "{trigger}"')
        conn.executescript(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1986)
            INSERT INTO ZASSET (Z_PK, Z_ENT, Z_OPT, ZUUID, ZDATECREATED, ZLATITUDE, ZLONGITUDE, ZDIRECTORY,
                ZFILENAME, ZUNIFORMTYPEIDENTIFIER, ZKIND, ZWIDTH, ZHEIGHT, ZFAVORITE, ZHIDDEN, ZTRASHEDSTATE,
                ZVISIBILITYSTATE)
            SELECT 1000 + i, 3, 1, printf('00000000-0000-0000-0000-%012d', i), 600000000 + i, 10.0, 20.0, 'B',
                printf('bulk%d.jpeg', i), 'public.jpeg', 0, 100, 100, 0, 0, 0, 0 FROM n;
            INSERT INTO ZADDITIONALASSETATTRIBUTES (Z_PK, Z_ENT, Z_OPT, ZASSET, ZORIGINALFILENAME, ZTITLE)
                SELECT Z_PK, 1, 1, Z_PK, 'bulk' || Z_PK || '.jpg', 'Bulk ' || Z_PK FROM ZASSET WHERE Z_PK > 1000;
            INSERT INTO Z_28ASSETS (Z_28ALBUMS, Z_3ASSETS, Z_FOK_3ASSETS)
                SELECT 5, Z_PK, Z_PK FROM ZASSET WHERE Z_PK > 1000;
            INSERT INTO Z_1KEYWORDS (Z_1ASSETATTRIBUTES, Z_40KEYWORDS) SELECT Z_PK, 3 FROM ZASSET WHERE Z_PK > 1000;
            INSERT INTO ZDETECTEDFACE (Z_PK, Z_ENT, Z_OPT, ZASSETFORFACE, ZPERSONFORFACE)
                SELECT Z_PK, 18, 1, Z_PK, 5 FROM ZASSET WHERE Z_PK > 1000;
            """
        )
    started = time.perf_counter()
    found = read_library(library)
    elapsed = time.perf_counter() - started
    assert len(found) == 2000
    bulk = next(r for r in found if r.name == "bulk1500.jpg")
    assert (bulk.title, bulk.albums, bulk.keywords, bulk.people) == ("Bulk 1500", ["Pumpkin Farm"], ["Kids"], ["Katie"])
    assert elapsed < 0.5, f"{elapsed:.2f} s for 2000 assets"


def test_garbage_database(tmp_path: Path) -> None:
    database = tmp_path / "Bad.photoslibrary" / "database" / "Photos.sqlite"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"this is not SQLite at all\n" * 200)
    with pytest.raises(PhotosLibraryError, match=re.escape(str(database))):
        read_library(database.parent.parent)


def test_unrelated_sqlite(corpus: Path, tmp_path: Path) -> None:
    notes = corpus / "notes" / "NoteStore-macOS-15-Sequoia.sqlite"  # a real Core Data DB, but Apple Notes
    with pytest.raises(PhotosLibraryError, match=re.escape(str(notes))):
        read_library(notes)
    plain = tmp_path / "Photos.sqlite"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(PhotosLibraryError, match="not a Photos library"):
        read_library(plain)


def test_missing_library(tmp_path: Path) -> None:
    with pytest.raises(PhotosLibraryError, match=re.escape(str(tmp_path / "Nowhere.photoslibrary"))):
        read_library(tmp_path / "Nowhere.photoslibrary")
    (tmp_path / "Empty.photoslibrary").mkdir()
    with pytest.raises(PhotosLibraryError, match=r"Photos\.sqlite: no such file"):
        read_library(tmp_path / "Empty.photoslibrary")


# --- plain photo files (EXIF) ---------------------------------------------------------------


def reference(corpus: Path, name: str) -> dict[str, str]:
    """exif-py's dump of one sample: 'EXIF DateTimeOriginal' -> '2008:10:22 16:28:39', …"""
    text = (corpus / "expected" / "photos" / "exif-py-dump.txt").read_text(encoding="utf-8")
    folder = "gps/" if name.startswith("DSCN") else ""
    block = text.split(f"Opening: tests/resources/jpg/{folder}{name}\n", 1)[1].split("Opening:", 1)[0]
    tags = (re.match(r"(.+?) \([^)]*\): ?(.*)", line) for line in block.splitlines())
    return {m[1]: m[2] for m in tags if m}


def degrees(value: str, ref: str) -> float:
    parts = [Fraction(p.strip()) for p in value.strip("[]").split(",")]
    number = float(parts[0] + parts[1] / 60 + parts[2] / 3600)
    return -number if ref in ("S", "W") else number


@pytest.mark.parametrize("name", EXIF_FILES)
def test_exif_matches_exif_py(corpus: Path, name: str) -> None:
    record = read_photo(corpus / "photos" / "exif" / name)
    tags = reference(corpus, name)
    assert record.taken == datetime.strptime(tags["EXIF DateTimeOriginal"], "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
    if "GPS GPSLatitude" in tags:
        assert record.lat == pytest.approx(degrees(tags["GPS GPSLatitude"], tags["GPS GPSLatitudeRef"]), abs=1e-6)
        assert record.lon == pytest.approx(degrees(tags["GPS GPSLongitude"], tags["GPS GPSLongitudeRef"]), abs=1e-6)
    else:
        assert record.lat is None and record.lon is None
    assert record.orientation == 1 and tags["Image Orientation"] == "Horizontal (normal)"
    assert record.name == name and record.present and record.uuid == "" and record.timezone == ""
    assert record.id.startswith("photo:") and len(record.id) == 26
    assert record.camera == CAMERAS.get(name, "NIKON COOLPIX P6000")
    assert record.uti == "public.jpeg" and record.width > 0 and record.height > 0


def test_exif_values_from_the_manifest(corpus: Path) -> None:
    dscn = read_photo(corpus / "photos" / "exif" / "DSCN0010.jpg")
    assert dscn.taken == utc(2008, 10, 22, 16, 28, 39)
    assert dscn.lat == pytest.approx(43.467448, abs=1e-5) and dscn.lon == pytest.approx(11.885127, abs=1e-5)
    assert (dscn.width, dscn.height) == (640, 480) and dscn.description == ""  # blank ImageDescription
    canon = read_photo(corpus / "photos" / "exif" / "Canon_40D.jpg")
    assert canon.lat is None and canon.lon is None  # GPS IFD present, no lat/lon
    assert read_photo(corpus / "photos" / "exif" / "Konica_Minolta_DiMAGE_Z3.jpg").description == ""  # boilerplate


def test_originals_exif(corpus: Path, records: dict[str, PhotoRecord]) -> None:
    originals = corpus / LIBRARY / "originals"
    elder = read_photo(originals / ORIGINALS["IMG_4547.jpg"])
    assert elder.lat == pytest.approx(-34.918892, abs=1e-5) and elder.lon == pytest.approx(138.596861, abs=1e-5)
    assert elder.taken == utc(2017, 6, 20, 17, 18, 56)  # local clock time, no offset in the file: taken as UTC
    assert elder.camera == "Apple iPhone 6s" and elder.description == records["IMG_4547.jpg"].description
    park = read_photo(originals / ORIGINALS["St James Park.jpg"])
    assert park.lat == pytest.approx(51.503572, abs=1e-5) and park.lon == pytest.approx(-0.131806, abs=1e-5)
    assert park.taken == utc(2018, 10, 13, 9, 18, 12) and park.camera == "NIKON D7000"
    pumpkins = read_photo(originals / ORIGINALS["Pumkins1.jpg"])
    assert pumpkins.lat is None and pumpkins.camera == "Canon EOS 5D Mark IV"
    assert pumpkins.taken == utc(2018, 9, 28, 15, 35, 49)
    tulips = read_photo(originals / ORIGINALS["Tulips.jpg"])
    assert tulips.lat is None and tulips.camera == "FUJIFILM X-T1" and tulips.taken == utc(2019, 7, 4, 16, 24, 1)
    for name, relative in ORIGINALS.items():  # the file and the library agree
        plain, library = read_photo(originals / relative), records[name]
        assert plain.camera == library.camera
        assert (plain.width, plain.height) == (library.width, library.height)
        assert (plain.lat is None) == (library.lat is None)


def test_heic_original(corpus: Path, records: dict[str, PhotoRecord]) -> None:
    heic = read_photo(corpus / LIBRARY / "originals" / ORIGINALS["IMG_3092.heic"])
    # DateTimeOriginal 2020:09:19 14:36:26 with OffsetTimeOriginal -07:00, so 21:36:26 UTC, as Photos has it
    assert heic.taken == utc(2020, 9, 19, 21, 36, 26)
    assert heic.taken == whole_seconds(records["IMG_3092.heic"].taken)
    assert heic.timezone == "GMT-0700" == records["IMG_3092.heic"].timezone
    assert heic.camera == "Apple iPhone 6s" and heic.uti == "public.heic"
    assert (heic.width, heic.height, heic.orientation) == (3024, 4032, 1)


def test_orientation_and_offset_written_by_pillow(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F], exif[0x0110] = "TestMaker", "Model X"
    exif.get_ifd(0x8769).update({0x9003: "2021:05:01 10:00:00", 0x9011: "+09:30"})
    exif.get_ifd(0x8825).update({1: "S", 2: (33.0, 52.0, 4.0), 3: "W", 4: (151.0, 12.0, 36.0)})
    path = tmp_path / "rotated.jpg"
    Image.new("RGB", (40, 20), "white").save(path, exif=exif)
    record = read_photo(path)
    assert record.orientation == 6
    assert (record.width, record.height) == (20, 40)  # as displayed
    assert record.taken == utc(2021, 5, 1, 0, 30) and record.timezone == "GMT+0930"
    assert record.lat == pytest.approx(-(33 + 52 / 60 + 4 / 3600)) and record.lon == pytest.approx(
        -(151 + 12 / 60 + 36 / 3600)
    )
    assert record.camera == "TestMaker Model X"
    bare = tmp_path / "bare.png"
    Image.new("RGB", (30, 10)).save(bare)
    plain = read_photo(bare)
    assert (plain.taken, plain.lat, plain.camera, plain.orientation, plain.uti) == (None, None, "", 1, "public.png")


def test_unreadable_files(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "photos" / "exif" / "DSCN0010.jpg").read_bytes()
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"truncated\.jpg"):
        read_photo(truncated)
    fake = tmp_path / "notes.jpg"
    fake.write_text("just some text, not a JPEG\n" * 20, encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.jpg"):
        read_photo(fake)
    with pytest.raises(FileNotFoundError):
        read_photo(tmp_path / "absent.jpg")


def test_photo_files(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "pictures"
    (root / "trip" / "day 2").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "skipme").mkdir()
    (root / "Old.photoslibrary" / "originals").mkdir(parents=True)
    source = corpus / "photos" / "exif" / "DSCN0010.jpg"
    for target in ("trip/a.jpg", "trip/day 2/B.JPG", "trip/c.HEIC", ".hidden/d.jpg", "skipme/e.jpg", "z.png"):
        shutil.copyfile(source, root / target)
    for target in ("Old.photoslibrary/originals/f.jpeg", "trip/.g.jpg", "trip/notes.txt", "trip/tmp.jpg"):
        shutil.copyfile(source, root / target)
    found = photo_files(root, ignore=lambda name, is_dir: name == "skipme" or name == "tmp.jpg")
    assert [p.relative_to(root).as_posix() for p in found] == ["trip/a.jpg", "trip/c.HEIC", "trip/day 2/B.JPG", "z.png"]
    assert photo_files(root) == sorted(photo_files(root)) and len(photo_files(root)) == 6
    assert {p.suffix.lower() for p in photo_files(corpus)} <= PHOTO_EXTS


# --- likely holds text ------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_IMAGES)
def test_likely_text_on_text_images(corpus: Path, name: str) -> None:
    decision, score = likely_text(corpus / "images" / name)
    assert decision, f"{name}: score {score}"


def corpus_photos() -> list[str]:
    return [f"photos/exif/{n}" for n in EXIF_FILES] + [f"{LIBRARY}/originals/{r}" for r in ORIGINALS.values()]


@pytest.mark.parametrize("relative", corpus_photos())
def test_likely_text_false_on_photos(corpus: Path, relative: str) -> None:
    decision, score = likely_text(corpus / relative)
    assert not decision, f"{relative}: score {score}"
    assert 0.0 <= score < 0.4


def test_likely_text_edge_cases(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (600, 400), 255).save(blank)
    assert likely_text(blank) == (False, 0.0)
    tiny = tmp_path / "tiny.png"
    Image.new("RGBA", (1, 1)).save(tiny)
    assert likely_text(tiny) == (False, 0.0)
    fake = tmp_path / "fake.jpg"
    fake.write_text("not an image", encoding="utf-8")
    with pytest.raises(ValueError, match=r"fake\.jpg"):
        likely_text(fake)


def test_likely_text_is_cheap_on_jpeg(corpus: Path) -> None:
    path = corpus / LIBRARY / "originals" / ORIGINALS["IMG_4547.jpg"]  # 2754x2754, 1.4 MiB
    likely_text(path)
    started = time.perf_counter()
    likely_text(path)
    assert time.perf_counter() - started < 0.1  # ~20 ms measured; generous for a loaded machine
