"""Built-in PDF extractor: pypdfium2 for text and metadata, pdfminer.six as a fallback."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from km_core import Content, Item, JobContext, hookimpl
from km_plugins._textutil import clean_text, clip, count_words, one_line, parse_pdf_date

NAME = "pdf"
# pdfminer logs every font quirk of real-world PDFs as a warning; km reports per file instead.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
DEFAULT_MAX_PAGES = 2000
# pdfminer is slow, so it re-reads at most this many pages pdfium may have misread.
CROSSCHECK_MAX_PAGES = 50
# fewer characters per text object than this on a page makes it worth checking object by object
SPARSE_CHARS_PER_OBJECT = 8
# pdfium accepts the header within the first 1 KiB, pdfminer anywhere; look a bit further.
_HEADER_WINDOW = 1 << 20
# FPDF_ERR_PASSWORD and FPDF_ERR_SECURITY; FILE (2) and FORMAT (3) fall through to pdfminer.
_ERR_PASSWORD, _ERR_SECURITY = 4, 6
# Defaults some producers (ReportLab among them) write when the author set nothing.
_PLACEHOLDERS = frozenset({"untitled", "(untitled)", "anonymous", "(anonymous)", "unspecified", "(unspecified)"})
_CID = re.compile(r"\(cid:\d+\)")
_INFO_KEYS = ("Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate")


@hookimpl
def km_extract(item: Item, ctx: JobContext) -> Content | None:
    if item.ext != ".pdf":
        return None
    max_pages = max(1, int(ctx.setting(NAME, "max_pages", DEFAULT_MAX_PAGES)))
    return extract_pdf(Path(item.path), max_pages)


def extract_pdf(path: Path, max_pages: int = DEFAULT_MAX_PAGES) -> Content:
    with path.open("rb") as handle:  # lets FileNotFoundError and friends reach the engine
        head = handle.read(_HEADER_WINDOW)
    if b"%PDF-" not in head:
        return _failed(f"not a PDF: no %PDF- header ({_describe(head)})")

    import pypdfium2 as pdfium

    # pdfminer gets the file as bytes: an OSError while reading it is real I/O
    # trouble, while one from pdfminer seeking to a garbage offset is not.
    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _ERR_SECURITY:
            return Content(status="encrypted", error="unsupported security handler", extractor=NAME)
        if _is_password_error(exc):
            return Content(status="encrypted", error="password required", extractor=NAME)
        return _pdfminer_fallback(path.read_bytes(), max_pages, f"pdfium: {one_line(exc)}")
    try:
        page_count = len(doc)
        info = {key: str(value).strip("\x00 \t\r\n") for key, value in doc.get_metadata_dict().items()}
        version = doc.get_version()
        texts, suspects, page_errors = _pdfium_pages(doc, min(page_count, max_pages))
        pdfium_error = "" if page_count else "pdfium: no pages"
    except Exception as exc:  # whatever else pdfium trips over, pdfminer may still read
        pdfium_error = f"pdfium: {type(exc).__name__}: {one_line(exc)}"
    finally:
        doc.close()
    if pdfium_error:
        return _pdfminer_fallback(path.read_bytes(), max_pages, pdfium_error)

    metadata: dict[str, str] = {"backend": "pdfium"}
    if version:
        metadata["pdf_version"] = f"{version // 10}.{version % 10}"
    if page_errors:
        metadata["page_errors"] = str(page_errors)
    if suspects:
        _crosscheck(path.read_bytes(), texts, suspects[:CROSSCHECK_MAX_PAGES], metadata)
    if not any(info.values()):
        info = _pdfminer_info(path.read_bytes())
    return _content(texts, page_count, max_pages, info, metadata)


def _pdfium_pages(doc: Any, count: int) -> tuple[list[str], list[int], int]:
    """Text of the first ``count`` pages, the pages pdfium may have misread, and unreadable pages.

    A text object pdfium returns no text for usually means it could not map or
    place its glyphs (vertical CJK in a non-embedded font, for one); those pages
    are worth a second opinion from pdfminer.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    texts: list[str] = []
    suspects: list[int] = []
    errors = 0
    for index in range(count):
        try:
            page = doc[index]
        except pdfium.PdfiumError:
            texts.append("")
            errors += 1
            continue
        textpage = None
        try:
            textpage = page.get_textpage()
            # pdfium marks a hyphen it removed when joining a word split across lines with \x02.
            texts.append(clean_text(textpage.get_text_bounded()).replace("\x02", ""))
            # asking every text object for its text is slow: only a page whose text is sparse
            # for its number of objects (one C call counts them) can hide unreadable ones
            if len(texts[-1]) < SPARSE_CHARS_PER_OBJECT * pdfium_c.FPDFPage_CountObjects(page.raw):
                objects = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], textpage=textpage)
                if any(not obj.extract() for obj in objects):
                    suspects.append(index)
        except pdfium.PdfiumError:
            texts.append("")
            errors += 1
        finally:
            if textpage is not None:
                textpage.close()
            page.close()
    return texts, suspects, errors


def _crosscheck(data: bytes, texts: list[str], pages: list[int], metadata: dict[str, str]) -> None:
    """Replace a page's pdfium text with pdfminer's where pdfminer finds clearly more.

    "Clearly": pdfminer keeps the hyphens pdfium removes when rejoining words,
    so a few more characters alone is no sign pdfium missed anything.
    """
    try:
        _, alternatives = _pdfminer_pages(data, set(pages), max(pages) + 1)
    except Exception:  # pdfminer choking on a page pdfium read is no reason to fail the file
        return
    replaced = 0
    for index, alternative in alternatives.items():
        if _substance(alternative) > _substance(texts[index]) * 1.15 + 5:
            texts[index] = alternative
            replaced += 1
    if replaced:
        metadata["pdfminer_pages"] = str(replaced)


def _pdfminer_fallback(data: bytes, max_pages: int, pdfium_error: str) -> Content:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        page_count, pages = _pdfminer_pages(data, None, max_pages)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        return Content(status="encrypted", error="password required", extractor=NAME)
    except Exception as exc:
        return _failed(f"corrupt PDF: {pdfium_error}; pdfminer: {type(exc).__name__}: {one_line(exc)}")
    if page_count == 0:
        return _failed(f"corrupt PDF: {pdfium_error}; pdfminer found no pages")
    texts = [pages.get(index, "") for index in range(min(page_count, max_pages))]
    metadata = {"backend": "pdfminer", "pdfium_error": pdfium_error}
    return _content(texts, page_count, max_pages, _pdfminer_info(data), metadata)


def _pdfminer_pages(data: bytes, wanted: set[int] | None, max_pages: int) -> tuple[int, dict[int, str]]:
    """Count the pages and extract the text of the wanted ones (all up to ``max_pages`` if None)."""
    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    # detect_vertical: vertical CJK text is what pdfium most often misses.
    laparams = LAParams(detect_vertical=True)
    texts: dict[int, str] = {}
    count = 0
    for index, page in enumerate(PDFPage.get_pages(io.BytesIO(data))):
        count += 1
        if index >= max_pages or (wanted is not None and index not in wanted):
            continue
        out = io.StringIO()
        device = TextConverter(manager, out, laparams=laparams)
        try:
            PDFPageInterpreter(manager, device).process_page(page)
        finally:
            device.close()
        texts[index] = clean_text(out.getvalue()).replace("\f", "")
    return count, texts


def _pdfminer_info(data: bytes) -> dict[str, str]:
    """The document information dictionary as read by pdfminer; empty if it cannot."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    merged: dict[str, str] = {}
    try:
        for info in PDFDocument(PDFParser(io.BytesIO(data))).info:
            for key in _INFO_KEYS:
                value = resolve1(info.get(key))
                if isinstance(value, bytes):
                    value = decode_text(value)
                if isinstance(value, str) and value.strip("\x00 "):
                    merged[key] = value.strip("\x00 \t\r\n")
    except Exception:
        return {}
    return merged


def _content(
    texts: list[str], page_count: int, max_pages: int, info: dict[str, str], metadata: dict[str, str]
) -> Content:
    text = "\n\n".join(page.strip("\n") for page in texts).strip()
    blank_pages = sum(1 for page in texts if not page.strip())
    if page_count > max_pages:
        metadata["truncated"] = "true"
        metadata["pages_extracted"] = str(len(texts))
    if not text:
        metadata["needs_ocr"] = "true"
    elif blank_pages:
        metadata["pages_without_text"] = str(blank_pages)
    for key in ("Subject", "Keywords", "Creator", "Producer"):
        if _real(info.get(key, "")):
            metadata[key.lower()] = info[key]
    return Content(
        text=text,
        title=_real(info.get("Title", "")),
        author=_real(info.get("Author", "")),
        created=parse_pdf_date(info.get("CreationDate")),
        modified=parse_pdf_date(info.get("ModDate")),
        pages=page_count,
        words=count_words(text),
        status="ok" if text else "empty",
        extractor=NAME,
        metadata=metadata,
    )


def _is_password_error(exc: Exception) -> bool:
    return getattr(exc, "err_code", None) == _ERR_PASSWORD or "password" in str(exc).lower()


def _substance(text: str) -> int:
    """How much real text there is: non-space characters, not counting pdfminer's (cid:N) stand-ins."""
    return len("".join(_CID.sub("", text).split()))


def _real(value: str) -> str:
    return "" if value.strip().lower() in _PLACEHOLDERS else clip(value)


def _describe(head: bytes) -> str:
    return "empty file" if not head else f"starts with {head[:16]!r}"


def _failed(error: str) -> Content:
    return Content(status="failed", error=error, extractor=NAME)
