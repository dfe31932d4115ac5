"""Does this picture probably hold text worth OCR? A cheap look at edge sharpness, before tesseract.

OCR on every holiday photo is slow and yields noise; a photo of a page, a
receipt, a sign or a whiteboard is worth it. Printed or written text is dark
strokes with crisp edges on a flat background, so nearly every brightness change
in a text region is a *large* jump. In a photograph of people or landscapes most
changes are gradual (shading, texture, depth of field). The measure is therefore
the share of noticeable brightness steps that are sharp, taken over tiles so a
page filling part of the frame still counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from km_plugins.screenshot_detect import pillow

SIDE = 512  # the picture is judged at this long side: text strokes survive, the cost stays at a few ms
TILE = 64  # tiles of the downscaled picture, stepped by half a tile
SHARP = 0.30  # a step larger than 30% of the picture's contrast range is sharp ...
NOTICEABLE = 0.06  # ... and one above 6% is noticeable
BUSY = 0.02  # a tile counts when at least 2% of its pixels are noticeable steps
THRESHOLD = 0.40  # likely text when the 90th percentile tile sharpness reaches this


def likely_text(path: Path) -> tuple[bool, float]:
    """(likely holds text, score 0..1): is the image worth sending to OCR?

    Grayscale at 512 px long side (JPEGs are decoded at reduced scale), transparency
    composited on white. For each pixel the larger of its horizontal and vertical
    brightness steps is taken (so a page photographed sideways scores the same); a
    step is noticeable above 6% of the image's 1st-99th percentile range (at least
    48 grey levels) and sharp above 30%. Each 64 px tile (half-tile steps) with at
    least 2% noticeable steps gets sharpness = sharp / noticeable; the score is the
    90th percentile over those tiles, 0.0 when there are none (a blank picture).
    Decision: score >= THRESHOLD (0.40), about midway in the gap measured below.

    Measured on the corpus (score): text - testocr.png 0.698, pytesseract-test.jpg 0.695,
    markitdown-test.jpg (a photo of a paper page) 0.773, paperless-simple.jpg 0.594,
    linn.png 0.627, bill.png 0.892 (the other images/ files, screenshots and diagrams,
    0.61-0.91); pictures - photos/exif/*.jpg 0.074-0.280 (highest DSCN0012.jpg), the
    Test-14.0.0 originals 0.046-0.205 (highest the HEIC). All separate, the closest
    pair 0.280 vs 0.594. Known blind spot: text covering less than ~10% of a busy
    photo (a small sign in a street scene) scores as a picture.

    Cost: 1-20 ms for JPEG (decoded at reduced scale) and most PNGs; big PNGs pay for
    zlib decoding (1714x768 RGBA ~35 ms). A HEIC without an embedded thumbnail must be
    decoded whole by libheif first (~300 ms for 12 MP); the measure itself stays a few ms.
    Raises ValueError for a file Pillow cannot read.
    """
    gray = _gray(Path(path))
    return _judge(gray)


def _judge(gray: np.ndarray) -> tuple[bool, float]:
    if gray.shape[0] < 2 or gray.shape[1] < 2:
        return False, 0.0
    low, high = np.percentile(gray, (1, 99))
    contrast = max(float(high - low), 48.0)  # a floor, or JPEG noise on a blank wall would look sharp
    step = np.maximum(np.abs(np.diff(gray, axis=1))[:-1, :], np.abs(np.diff(gray, axis=0))[:, :-1])
    sharp = step > SHARP * contrast
    noticeable = step > NOTICEABLE * contrast
    tile = min(TILE, *step.shape)
    sharp_sums = _tile_sums(sharp, tile)
    noticeable_sums = _tile_sums(noticeable, tile)
    busy = noticeable_sums >= BUSY * tile * tile
    if not busy.any():
        return False, 0.0
    ratios = sharp_sums[busy] / noticeable_sums[busy]
    score = round(float(np.percentile(ratios, 90)), 3)
    return score >= THRESHOLD, score


def _tile_sums(mask: np.ndarray, tile: int) -> np.ndarray:
    """Counts of True in every tile×tile window at half-tile steps, via an integral image."""
    integral = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int64)
    integral[1:, 1:] = mask.cumsum(axis=0).cumsum(axis=1)
    stride = max(1, tile // 2)
    ys = np.arange(0, mask.shape[0] - tile + 1, stride)
    xs = np.arange(0, mask.shape[1] - tile + 1, stride)
    top, left = np.ix_(ys, xs)
    return (
        integral[top + tile, left + tile]
        - integral[top, left + tile]
        - integral[top + tile, left]
        + integral[top, left]
    ).astype(np.float64)


def _gray(path: Path) -> np.ndarray:
    Image = pillow()
    try:
        with Image.open(path) as image:
            image.draft("L", (SIDE, SIDE))  # JPEG: decode at 1/2..1/8 scale; others ignore it
            return np.asarray(_small_gray(Image, image), dtype=np.int16)
    except (FileNotFoundError, PermissionError):
        raise
    except Exception as exc:  # Pillow's errors for broken images are many
        raise ValueError(f"{path}: not an image Pillow can read ({type(exc).__name__}: {exc})") from exc


def _small_gray(Image: Any, image: Any) -> Any:
    """Grayscale at SIDE px, transparency composited on white (text on a transparent PNG is dark on nothing).

    Shrinks before any full-size work where it can: conversions cost more than decoding on big scans.
    """
    if image.mode == "P" and "transparency" not in image.info and max(image.size) >= 4 * SIDE:
        # palette scans (linn.png: 2550x3300, 2 colours) convert slowly at full size; thin out first
        factor = max(image.size) // (2 * SIDE)
        image = image.resize((image.width // factor, image.height // factor), Image.Resampling.NEAREST)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        rgba.thumbnail((SIDE, SIDE), Image.Resampling.BILINEAR)
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    gray = image.convert("L")
    gray.thumbnail((SIDE, SIDE), Image.Resampling.BILINEAR)
    return gray
