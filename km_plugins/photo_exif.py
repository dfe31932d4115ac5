"""A pure reader for plain photo files: EXIF date, place, camera and size, as a ``PhotoRecord``.

Pillow's own EXIF parser is used (``getexif`` with the Exif and GPS sub-IFDs), so
no new dependency; HEIC/HEIF open through pillow-heif. Whether a photo is worth
OCR is a separate, cheaper question: see ``photo_text.likely_text``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from km_plugins.photo_text import likely_text
from km_plugins.photos_library import PhotoRecord, camera_name
from km_plugins.screenshot_detect import pillow

log = logging.getLogger("km.photos")

__all__ = ["PHOTO_EXTS", "likely_text", "photo_files", "read_photo"]

PHOTO_EXTS = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".tif", ".tiff", ".png", ".webp", ".dng"})
UTIS = {
    ".jpg": "public.jpeg",
    ".jpeg": "public.jpeg",
    ".heic": "public.heic",
    ".heif": "public.heif",
    ".tif": "public.tiff",
    ".tiff": "public.tiff",
    ".png": "public.png",
    ".webp": "org.webmproject.webp",
    ".dng": "com.adobe.raw-image",
}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DESCRIPTION, MAKE, MODEL, ORIENTATION, DATETIME = 0x010E, 0x010F, 0x0110, 0x0112, 0x0132
DATETIME_ORIGINAL, OFFSET_TIME, OFFSET_TIME_ORIGINAL = 0x9003, 0x9010, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
JUNK_DESCRIPTION = ("DIGITAL CAMERA", "SONY DSC")  # what cameras write into ImageDescription by default


def read_photo(path: Path) -> PhotoRecord:
    """The record of one photo file, from its EXIF (Pillow's warnings about a damaged EXIF block
    go to the log, not the terminal: what can be read is kept).

    ``taken`` is DateTimeOriginal, else DateTime. EXIF dates are local clock time
    with no zone: when OffsetTimeOriginal (or OffsetTime for DateTime) is present the
    date is converted to UTC with it and ``timezone`` says 'GMT-0700'; without it the
    clock time is read as this computer's local time (the camera was most likely set to
    the owner's zone; Photos does the same) and ``timezone`` is ''.
    GPS becomes signed decimal degrees (S and W negative); a GPS IFD without lat/lon,
    or 0,0, gives None. ``width``/``height`` are as displayed (EXIF orientation
    applied), like Photos' ZWIDTH/ZHEIGHT. ``modified`` is the file's mtime.

    Raises ValueError when Pillow cannot read the file (not an image, truncated);
    FileNotFoundError and PermissionError pass through as they are.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = _read_photo(path)
    for warning in caught:
        log.info("%s: %s", path.name, warning.message)
    return record


def _read_photo(path: Path) -> PhotoRecord:
    path = Path(path)
    resolved = path.resolve()
    Image = pillow()
    try:
        with Image.open(resolved) as image:
            fmt = image.format or ""
            width, height = image.size
            info = dict(image.info)
            exif = _exif(image)
            _check_complete(resolved, image)
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except Exception as exc:  # Pillow's errors for broken images are many (OSError, SyntaxError, struct.error…)
        raise ValueError(f"{path}: not an image Pillow can read ({type(exc).__name__}: {exc})") from exc
    base, sub, gps = exif
    orientation = _int(base.get(ORIENTATION), 1)
    if fmt == "HEIF":  # pillow-heif has already rotated the pixels and reset the tag; it keeps the original
        orientation = _int(info.get("original_orientation"), orientation)
    elif orientation in (5, 6, 7, 8):
        width, height = height, width
    taken, zone = _taken(sub.get(DATETIME_ORIGINAL), sub.get(OFFSET_TIME_ORIGINAL))
    if taken is None:
        taken, zone = _taken(base.get(DATETIME), sub.get(OFFSET_TIME))
    lat = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), 90.0, "S")
    lon = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF), 180.0, "W")
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        lat = lon = None
    return PhotoRecord(
        id="photo:" + hashlib.sha1(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:20],
        uuid="",
        name=path.name,
        path=str(resolved),
        present=True,
        taken=taken,
        timezone=zone,
        lat=lat,
        lon=lon,
        description=_description(base.get(DESCRIPTION)),
        uti=UTIS.get(resolved.suffix.lower(), ""),
        camera=camera_name(_text(base.get(MAKE)), _text(base.get(MODEL))),
        width=width,
        height=height,
        orientation=orientation if 1 <= orientation <= 8 else 1,
        modified=datetime.fromtimestamp(resolved.stat().st_mtime, UTC),
        library=str(resolved.parent),
    )


def photo_files(folder: Path, ignore: Callable[[str, bool], bool] | None = None) -> list[Path]:
    """Photo files under ``folder``, recursively and sorted.

    Hidden names (starting with '.') and names ``ignore(name, is_dir)`` rejects are
    skipped, and so are ``.photoslibrary`` bundles: their originals belong to the
    library's records (``read_library``) and their derivatives are thumbnails.
    Symlinked folders are not followed.
    """
    found: list[Path] = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and not d.lower().endswith(".photoslibrary") and not (ignore and ignore(d, True))
        ]
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in PHOTO_EXTS:
                continue
            if ignore and ignore(name, False):
                continue
            found.append(Path(top) / name)
    return sorted(found)


def _exif(image: Any) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    """(IFD0, Exif IFD, GPS IFD) tags; a broken EXIF block reads as none rather than failing the photo."""
    try:
        exif = image.getexif()
        return dict(exif), dict(exif.get_ifd(EXIF_IFD)), dict(exif.get_ifd(GPS_IFD))
    except Exception:  # malformed EXIF: keep the picture, lose the metadata
        return {}, {}, {}


def _check_complete(path: Path, image: Any) -> None:
    """Raise if the image data is cut short. Pillow opens lazily, so only decoding shows truncation.

    Cheap first: a JPEG that ends with its EOI marker or a PNG that ends with IEND is
    whole. Otherwise decode (JPEG at 1/8 scale). HEIF (pillow-heif has parsed the
    container; decoding costs ~300 ms) and DNG (raw data Pillow cannot decode) are not decoded.
    """
    fmt = image.format or ""
    if fmt in ("HEIF", "AVIF") or path.suffix.lower() == ".dng":
        return
    if fmt in ("JPEG", "MPO", "PNG"):
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 4096))
            tail = handle.read().rstrip(b"\x00")
        if (fmt != "PNG" and tail.endswith(b"\xff\xd9")) or (fmt == "PNG" and tail[-12:-4] == b"\x00\x00\x00\x00IEND"):
            return
        image.draft("RGB", (64, 64))
    image.load()


def _taken(value: Any, offset: Any) -> tuple[datetime | None, str]:
    """(UTC datetime, 'GMT±hhmm' or '') from an EXIF date 'YYYY:MM:DD HH:MM:SS' and offset '+09:30'."""
    text = _text(value)
    try:
        local = datetime.strptime(text[:19].replace("-", ":"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, ""  # absent, blank ('    :  :  ') or '0000:00:00 00:00:00'
    zone = _offset(_text(offset))
    if zone is None:  # the camera's clock, with no zone: read as this computer's, like Photos does
        return local.astimezone(UTC), ""
    sign = "-" if zone < timedelta(0) else "+"
    minutes = abs(int(zone.total_seconds())) // 60
    return local.replace(tzinfo=timezone(zone)).astimezone(UTC), f"GMT{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _offset(text: str) -> timedelta | None:
    if len(text) < 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return -delta if text[0] == "-" else delta


def _degrees(value: Any, ref: Any, limit: float, negative: str) -> float | None:
    """Decimal degrees from EXIF (degrees, minutes, seconds) rationals; None when absent or nonsense."""
    if value is None:
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    try:
        numbers = [float(p) for p in parts[:3]]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not numbers or any(math.isnan(n) or math.isinf(n) for n in numbers):
        return None
    degrees = sum(n / 60**i for i, n in enumerate(numbers))
    if degrees > limit:
        return None
    return -degrees if _text(ref).upper().startswith(negative) else degrees


def _text(value: Any) -> str:
    """An EXIF ASCII value as clean text (Pillow hands over str, sometimes bytes, with NULs and padding)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "").strip()


def _description(value: Any) -> str:
    """ImageDescription, undoing Pillow's latin-1 reading of UTF-8 and dropping camera boilerplate."""
    text = _text(value)
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):  # not mis-decoded UTF-8: keep as is
        text = text.encode("latin-1").decode("utf-8")
    return "" if text.upper().endswith(JUNK_DESCRIPTION) else text


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
