"""Small helpers shared by the built-in extractors: cleaning, counting, dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

TITLE_MAX = 200

_WS = re.compile(r"\s+")
# Lines that only underline or overline a heading (reST "=====", Markdown setext "-----").
_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+_.:])\1*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}")
_PDF_DATE = re.compile(
    r"^(?:D:)?\s*(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"\s*(?:(Z|[+-])\s*(?:(\d{2})\s*'?\s*(\d{2})?'?)?)?"
)


def clean_text(text: str) -> str:
    """Drop NULs and make every line ending a plain newline."""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def count_words(text: str) -> int:
    return len(text.split())


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace to one space, for comparing texts."""
    return _WS.sub(" ", text).strip()


def clip(text: str, limit: int = TITLE_MAX) -> str:
    text = normalize_ws(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_line(text: str, limit: int = TITLE_MAX) -> str:
    """The first line with words in it, trimmed to ``limit`` characters."""
    for line in text.splitlines():
        line = line.strip()
        if line and not _ADORNMENT.match(line):
            return clip(line, limit)
    return ""


def one_line(message: object) -> str:
    """An exception message (or anything) on one line, for ``Content.error``."""
    text = normalize_ws(str(message))
    return text if len(text) <= 300 else text[:299] + "…"


def as_utc(value: datetime | None) -> datetime | None:
    """Make a datetime timezone-aware; a naive one is taken to be UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_pdf_date(value: str | None) -> datetime | None:
    """Parse a PDF date such as ``D:20210426120000+02'00'``; None if unusable.

    Missing parts default to the start of the period; a date without a zone is
    taken as UTC because the PDF does not say which local time it meant. Also
    accepts ISO 8601, which some producers write instead.
    """
    if not value:
        return None
    value = value.strip().strip("\x00")
    match = None if _ISO_DATE.match(value) else _PDF_DATE.match(value)
    if match is None:
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    year, month, day, hour, minute, second, sign, tz_h, tz_m = match.groups()
    try:
        tz = UTC
        if sign in ("+", "-") and tz_h is not None:
            offset = timedelta(hours=int(tz_h), minutes=int(tz_m or 0))
            tz = timezone(-offset if sign == "-" else offset)
        return datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError:  # month 13, day 0, offset of 24 hours and the like
        return None
