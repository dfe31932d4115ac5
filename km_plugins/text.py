"""Built-in extractor for plain text and Markdown-like files."""

from __future__ import annotations

import codecs
import re

from km_core import Content, Item, JobContext, hookimpl
from km_plugins._textutil import clean_text, clip, count_words, first_line

NAME = "text"
TEXT_EXTS = frozenset({".txt", ".md", ".markdown", ".rst", ".text", ".csv", ".log", ".org"})
MARKDOWN_EXTS = frozenset({".md", ".markdown"})
DEFAULT_MAX_BYTES = 20_000_000

# charset-normalizer guesses wildly on a handful of bytes, so it only gets a say
# on samples at least this long, and only looks at this much of a large file.
_MIN_DETECT_BYTES = 32
_DETECT_SAMPLE = 256 * 1024
# Above this share of control characters the "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f-\x9f]")  # not ESC: colour codes in logs
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ATX_H1 = re.compile(r"^\s{0,3}#(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^\s{0,3}=+\s*$")
_HEADING_MARKS = re.compile(r"^\s{0,3}#{1,6}[ \t]+")


@hookimpl
def km_extract(item: Item, ctx: JobContext) -> Content | None:
    if item.ext not in TEXT_EXTS:
        return None
    max_bytes = int(ctx.setting(NAME, "max_bytes", DEFAULT_MAX_BYTES))
    with open(item.path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    truncated = len(data) > max_bytes
    data = data[:max_bytes]
    raw_text, encoding, bad = decode(data, truncated=truncated)
    metadata = {"encoding": encoding}
    if bad:
        metadata["decode_errors"] = str(bad)
    if truncated:
        metadata["truncated"] = "true"
        metadata["max_bytes"] = str(max_bytes)
    if _looks_binary(raw_text):
        return Content(
            status="failed",
            error=f"binary data, not text (decoded as {encoding})",
            extractor=NAME,
            metadata=metadata,
        )
    text = clean_text(raw_text)
    is_markdown = item.ext in MARKDOWN_EXTS
    if is_markdown:
        metadata["format"] = "markdown"
    title = markdown_title(text) if is_markdown else first_line(text)
    return Content(
        text=text,
        title=title,
        words=count_words(text),
        status="ok" if text.strip() else "empty",
        extractor=NAME,
        metadata=metadata,
    )


def _looks_binary(text: str) -> bool:
    # NULs are left out of the count: they are stripped, and padding runs of them
    # are common in logs written just before a crash.
    sample = text[:_DETECT_SAMPLE].replace("\x00", "")
    return bool(sample) and len(_CONTROL.findall(sample)) > _MAX_CONTROL_SHARE * len(sample)


def decode(data: bytes, truncated: bool = False) -> tuple[str, str, int]:
    """Decode bytes of unknown encoding: the text, the encoding used, and how many bytes were bad.

    A byte-order mark wins, then UTF-8 (also with a few damaged bytes among many
    good multi-byte characters), then a confident guess from charset-normalizer,
    then Windows-1252 or Latin-1, which decode anything.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            return text, encoding, text.count("\ufffd")
    try:
        # The incremental decoder forgives a character cut in half by max_bytes.
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=not truncated), "utf-8", 0
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    # Latin-1 text almost never contains valid UTF-8 sequences, so more of them
    # than errors means damaged UTF-8, not another encoding.
    if bad * 2 <= sum(1 for char in lenient if char > "\x7f") - bad:
        return lenient, "utf-8", bad
    guessed = _guess_encoding(data)
    if guessed:
        return data.decode(guessed, errors="replace"), guessed, 0
    try:
        return data.decode("cp1252"), "cp1252", 0
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", 0


def _guess_encoding(data: bytes) -> str | None:
    if len(data) < _MIN_DETECT_BYTES:
        return None
    import charset_normalizer

    sample = data[:_DETECT_SAMPLE]
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return None
    best = matches[0]
    if best.chaos > 0.1:
        return None
    if best.encoding.startswith(("utf_16", "utf_32")) and sample.count(0) < len(sample) // 5:
        return None  # UTF-16 without a BOM but hardly any zero bytes: a false positive
    # Western text often decodes without mess in several code pages; among equally
    # good guesses prefer the commonest one over, say, Central European cp1250.
    for match in matches:
        if match.encoding == "cp1252" and (match.chaos, match.coherence) == (best.chaos, best.coherence):
            return "cp1252"
    return best.encoding


def markdown_title(text: str) -> str:
    """Front-matter ``title:``, else the first level-one heading, else the first line."""
    lines = text.split("\n")
    body = lines
    if lines and lines[0].strip() == "---":
        for index, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                body = lines[index + 1 :]
                break
            key, sep, value = line.partition(":")
            value = value.strip().strip("\"'")
            if sep and key.strip().lower() == "title" and value:
                return clip(value)
    in_fence = False
    previous = ""
    prose: list[str] = []
    for line in body:
        if _FENCE.match(line):
            in_fence, previous = not in_fence, ""
            continue
        if in_fence:
            continue
        prose.append(line)
        match = _ATX_H1.match(line)
        if match and match.group(1):
            return clip(match.group(1))
        if _SETEXT_H1.match(line) and previous.strip():
            return clip(previous)
        previous = line
    return first_line(_HEADING_MARKS.sub("", first_line("\n".join(prose))))
