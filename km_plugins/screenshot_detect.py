"""Is this image a screenshot? By file name (cheap, at discovery), then by metadata and size.

Name patterns of the common tools: macOS ("Screenshot 2025-10-08 at 10.15.32.png",
older "Screen Shot 2019-…"), GNOME ("Screenshot from 2025-10-10 09-00-00.png"),
KDE Spectacle ("Screenshot_20251010_090000.png"), Windows ("Screenshot (12).png",
"Screenshot 2025-10-08 101532.png"), Android ("Screenshot_20251008-101532.png",
"Screenshot_2025-10-08-10-15-32-123_com.app.png"), iOS exports ("IMG_1234.PNG" is
ambiguous and left to the metadata check), plus tools that write their name into
the file (PNG text chunks, EXIF UserComment, XMP).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

NAME = re.compile(
    r"^(screen ?shot|screenshot|bildschirmfoto|capture d.écran|schermafbeelding|captura de pantalla|"
    r"snapshot|snip|skärmavbild)[ _\-(]",
    re.IGNORECASE,
)
# whole words only: "shutter" alone would match ShutterSpeedValue in every edited photo's XMP
TOOLS = re.compile(
    rb"\b(screenshot|gnome-screenshot|spectacle|greenshot|sharex|snipping tool|flameshot|ksnip|"
    rb"screencapture|lightshot)\b",
    re.IGNORECASE,
)
# Pillow refuses images over ~179 Mpx as possible decompression bombs; long scrolling screenshots
# can be larger. 250 Mpx (about 750 MB as RGB) is the most one OCR worker may hold.
MAX_PIXELS = 250_000_000
# (width, height) of common screens at 1x and 2x, either orientation
SCREENS = frozenset(
    {
        (w, h)
        for w, h in (
            (1280, 800),
            (1440, 900),
            (1680, 1050),
            (1920, 1080),
            (1920, 1200),
            (2560, 1440),
            (2560, 1600),
            (2880, 1800),
            (3024, 1964),
            (3456, 2234),
            (3840, 2160),
            (1366, 768),
            (1536, 864),
            (1170, 2532),
            (1179, 2556),
            (1284, 2778),
            (1290, 2796),
            (1080, 2400),
            (750, 1334),
            (828, 1792),
            (1242, 2688),
            (2048, 2732),
            (1668, 2388),
            (1080, 1920),
        )
    }
    | {(h, w) for w, h in ((1440, 900), (1920, 1080), (2560, 1440), (2880, 1800), (1170, 2532), (1080, 1920))}
)


def pillow() -> Any:
    """PIL.Image, able to open HEIC/HEIF too (iPhone screenshots and photos)."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()  # idempotent
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    return Image


def by_name(name: str) -> bool:
    return NAME.match(name) is not None


def by_content(path: Path) -> str:
    """Why the file is a screenshot judging by its metadata and size, or '' if it does not look like one.

    Reads only the header (Pillow opens lazily) and the first 64 KiB for tool names.
    """
    Image = pillow()

    with path.open("rb") as handle:
        head = handle.read(65536)
    found = TOOLS.search(head)
    if found:
        return f"metadata names {found.group(0).decode('latin-1')!r}"
    with Image.open(path) as image:
        size = image.size
        fmt = image.format or ""
        comment = image.getexif().get_ifd(0x8769).get(0x9286)  # Exif UserComment: macOS writes "Screenshot"
    if comment and b"screenshot" in (comment if isinstance(comment, bytes) else str(comment).encode()).lower():
        return "EXIF UserComment says Screenshot"
    if fmt == "PNG" and size in SCREENS:
        return f"a PNG the size of a screen ({size[0]}x{size[1]})"
    return ""
