"""Built-in OCR: tesseract through pytesseract, for screenshots (and other images when enabled).

tesseract runs with OMP_THREAD_LIMIT=1: measured on a 2-core machine its own
threading makes each image 4-8x slower, and two such processes at once 20x
slower. The engine runs one call per core instead (km_core.steps_ocr).

One tesseract call per image (``image_to_data``) gives the words with their
confidences and positions; the text is rebuilt from them. Images tesseract can
read as they are go to it by path, with no re-encoding; the rest are converted
by Pillow (EXIF orientation applied, HEIC through pillow-heif).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from km_core import Content, Item, JobContext, hookimpl
from km_plugins import screenshot_detect

os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by every tesseract process this one starts

NAME = "ocr"
log = logging.getLogger("km.ocr")
# formats leptonica reads itself, when no EXIF rotation is needed
NATIVE = frozenset({"PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP", "PPM"})
LOW_CONFIDENCE = 40.0  # below this mean word confidence, try the image rotated (OSD)


@hookimpl
def km_ocr(item: Item, ctx: JobContext) -> Content | None:
    if item.kind == "photo":
        return _photo(item, ctx)
    if item.kind not in ("screenshot", "image"):
        return None
    path = Path(item.path)
    read_images = bool(ctx.setting(NAME, "images", False))
    why = "its file name" if item.kind == "screenshot" or screenshot_detect.by_name(path.name) else ""
    if not why:
        try:
            why = screenshot_detect.by_content(path)
        except (FileNotFoundError, PermissionError):
            raise
        except Exception as exc:  # Pillow's errors for broken images are many (OSError, SyntaxError, …)
            if not read_images:
                return None  # not known to be a screenshot, and images are not read: not ours to fail
            return _failed(f"not an image Pillow can read: {type(exc).__name__}: {exc}")
        if not why and not read_images:
            return None
    languages = str(ctx.setting(NAME, "languages", "eng"))
    timeout = float(ctx.setting(NAME, "timeout_s", 60))
    content, image, words = _read(path, languages, timeout)
    if why:
        content.metadata["screenshot"] = why
        if image is not None:
            from km_plugins.screenshot_classes import classify

            kind = classify(content.text, image, words)
            content.metadata |= {
                "class": kind.label,
                "class_why": kind.why,
                "class_confidence": f"{kind.confidence:.2f}",
            }
    return content


def _photo(item: Item, ctx: JobContext) -> Content | None:
    """A photo from the weekly job: read when it is likely to hold text (setting ``photos``:
    ``text``, ``all`` or ``off``); screenshots are the daily job's, never read here."""
    mode = str(ctx.setting(NAME, "photos", "text"))
    path = Path(item.path)
    if mode == "off" or screenshot_detect.by_name(path.name):
        return None
    if screenshot_detect.by_content(path):
        return None
    if mode != "all":
        from km_plugins.photo_exif import likely_text

        likely, score = likely_text(path)
        if not likely:
            log.debug("no text likely in %s (score %.2f): not read", path.name, score)
            return None
    languages = str(ctx.setting(NAME, "languages", "eng"))
    content, _, _ = _read(path, languages, float(ctx.setting(NAME, "timeout_s", 60)))
    return content


def _failed(error: str) -> Content:
    return Content(status="failed", error=error, extractor=NAME)


def _open(path: Path) -> tuple[Any, str | Any]:
    """(PIL image, what to hand tesseract: the path itself when it can read the file as it is)."""
    from PIL import ImageOps

    Image = screenshot_detect.pillow()
    image = Image.open(path)
    image.load()
    turned = image.getexif().get(0x0112, 1) not in (0, 1)  # EXIF Orientation other than "normal"
    upright = ImageOps.exif_transpose(image) if turned else image
    has_alpha = "A" in upright.mode or "transparency" in upright.info
    if not turned and image.format in NATIVE and image.mode in ("1", "L", "RGB", "P") and not has_alpha:
        return image, str(path)  # tesseract reads the file itself: no re-encoding
    if upright.mode.startswith("I;16") or upright.mode == "I":
        upright = upright.convert("I").point(lambda v: v / 256).convert("L")  # 16-bit grey: scale, not clip
    if has_alpha:
        # transparent pixels often hide black under the alpha: lay the image on white, as a viewer shows it
        rgba = upright.convert("RGBA")
        upright = Image.new("RGB", rgba.size, "white")
        upright.paste(rgba, mask=rgba.getchannel("A"))
    else:  # a fresh RGB/L copy: pytesseract re-encodes it as PNG whatever the source format was
        upright = upright.convert("L" if upright.mode == "L" else "RGB")
    return upright, upright


def _words(data: dict[str, list[Any]]) -> list[dict[str, Any]]:
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not str(text).strip():
            continue
        words.append(
            {
                "text": str(text),
                "conf": conf,
                "left": data["left"][i],
                "top": data["top"][i],
                "width": data["width"][i],
                "height": data["height"][i],
                "line": (data["block_num"][i], data["par_num"][i], data["line_num"][i]),
            }
        )
    return words


def _text(words: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    last: tuple[int, int, int] | None = None
    for word in words:
        if word["line"] != last:
            if last is not None and word["line"][:2] != last[:2]:
                lines.append("")  # a new paragraph
            lines.append(word["text"])
            last = word["line"]
        else:
            lines[-1] += " " + word["text"]
    return "\n".join(lines)


def _tesseract(source: Any, languages: str, timeout: float, config: str) -> list[dict[str, Any]]:
    import pytesseract

    data = pytesseract.image_to_data(
        source, lang=languages, config=config, timeout=timeout, output_type=pytesseract.Output.DICT
    )
    return _words(data)


def _mean(words: list[dict[str, Any]]) -> float:
    return sum(w["conf"] for w in words) / len(words) if words else 0.0


def _rotated(image: Any, languages: str, timeout: float) -> Any | None:
    """The image turned upright according to tesseract's OSD, or None if it already is (or OSD can't say)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", timeout=timeout, output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, RuntimeError):
        return None  # too little text for OSD to judge
    angle = int(osd.get("rotate", 0))
    return image.rotate(-angle, expand=True) if angle else None


def read_image(path: Path, languages: str = "eng", timeout: float = 60) -> Content:
    """OCR one image: its text, mean word confidence and what was tried."""
    return _read(path, languages, timeout)[0]


def _read(path: Path, languages: str, timeout: float) -> tuple[Content, Any, list[dict[str, Any]]]:
    """Read one image within ``timeout`` seconds in all, however many tesseract calls it takes."""
    import pytesseract

    deadline = time.monotonic() + timeout

    def left() -> float:
        return max(deadline - time.monotonic(), 0.001)

    try:
        image, source = _open(path)
    except (FileNotFoundError, PermissionError):
        raise
    except Exception as exc:
        return _failed(f"not an image Pillow can read: {type(exc).__name__}: {exc}"), None, []
    tried = ["psm 3"]
    try:
        words = _tesseract(source, languages, left(), "--psm 3")
    except (pytesseract.TesseractError, RuntimeError) as first:
        # the alternative: sparse-text segmentation on a grey, upscaled copy (small UI text)
        tried.append("psm 11 on a 2x grey copy")
        log.warning("OCR failed, trying an alternative: %s", path, extra={"context": str(first)})
        grey = image.convert("L")
        grey = grey.resize((grey.width * 2, grey.height * 2))
        try:
            words = _tesseract(grey, languages, max(left(), timeout / 2), "--psm 11")
        except (pytesseract.TesseractError, RuntimeError) as second:
            return _failed(f"tesseract failed twice ({first}; then {second})"), None, []
    if words and _mean(words) < LOW_CONFIDENCE and deadline - time.monotonic() > 1:
        try:  # a better reading if the image is turned; a failure here keeps the one we have
            upright = _rotated(image, languages, left())
            if upright is not None:
                tried.append("rotated by OSD")
                turned = _tesseract(upright, languages, left(), "--psm 3")
                if _mean(turned) > _mean(words):
                    words = turned
        except (pytesseract.TesseractError, RuntimeError) as exc:
            log.info("rotation check gave up on %s: %s", path, exc)
    text = _text(words)
    content = Content(
        text=text,
        words=len(words),
        status="ok" if text else "empty",
        extractor=NAME,
        metadata={
            "ocr_conf": f"{_mean(words):.1f}",
            "ocr_lang": languages,
            "ocr_tried": ", ".join(tried),
            "size": f"{image.width}x{image.height}",
        },
    )
    return content, image, words
