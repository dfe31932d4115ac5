"""Built-in DOCX extractor: body, tables, headers and footers, core properties (python-docx)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from km_core import Content, Item, JobContext, hookimpl
from km_plugins._textutil import as_utc, clean_text, clip, count_words, first_line, one_line

NAME = "docx"
DEFAULT_MAX_UNPACKED_BYTES = 1_000_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected .docx is an OLE compound file holding this stream.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_TITLE_STYLES = ("title", "heading 1")
# A header or footer line that is only a page number field's last rendered value.
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?\s*$", re.IGNORECASE)
_OTHER_TYPE = re.compile(r"is not a Word file, content type is '([^']*)'")
# Runs python-docx's Paragraph.text leaves out: tracked insertions, simple fields,
# smart tags and inline content controls hold ordinary visible text.
_RUNS = "./w:r | ./w:hyperlink | ./w:ins/w:r | ./w:fldSimple/w:r | ./w:smartTag/w:r | ./w:sdt/w:sdtContent/w:r"


@hookimpl
def km_extract(item: Item, ctx: JobContext) -> Content | None:
    if item.ext != ".docx":
        return None
    limit = int(ctx.setting(NAME, "max_unpacked_bytes", DEFAULT_MAX_UNPACKED_BYTES))
    return extract_docx(Path(item.path), limit)


def extract_docx(path: Path, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES) -> Content:
    # Read it all up front (python-docx loads every part anyway): an OSError here
    # is real I/O trouble for the engine to retry, and anything raised while
    # parsing the bytes afterwards can only mean a damaged file.
    data = path.read_bytes()
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            return Content(status="encrypted", error="password required", extractor=NAME)
        return _failed("not a DOCX: an OLE compound file (Word 97-2003 .doc?)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return _failed(f"not a DOCX: not a zip archive (starts with {data[:8]!r})")
    except Exception as exc:  # zipfile also raises NotImplementedError, UnicodeDecodeError...
        return _failed(f"not a DOCX: unreadable zip archive: {type(exc).__name__}: {one_line(exc)}")
    if unpacked > max_unpacked_bytes:
        return _failed(f"refused: unpacks to {unpacked} bytes, over the {max_unpacked_bytes} limit")

    import docx

    try:
        return _read(docx.Document(io.BytesIO(data)))
    except KeyError as exc:
        return _failed(f"corrupt DOCX: missing part: {one_line(exc)}")
    except Exception as exc:  # bad zip members, lxml syntax errors, zlib errors, broken XML structure
        other = _OTHER_TYPE.search(str(exc))
        if isinstance(exc, ValueError) and other:  # another Office format under a .docx name
            return _failed(f"not a DOCX: the main part is {other.group(1)}")
        return _failed(f"corrupt DOCX: {type(exc).__name__}: {one_line(exc)}")


def _read(document: Any) -> Content:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    headers, footers = _headers_and_footers(document)
    body = list(_blocks(document.element.body))
    text = clean_text("\n".join([*headers, *body, *footers])).strip()
    metadata: dict[str, str] = {
        "paragraphs": str(len(document.paragraphs)),
        "tables": str(len(document.tables)),
        "sections": str(len(document.sections)),
    }
    title = author = ""
    created = modified = None
    try:
        document.part.package.part_related_by(RT.CORE_PROPERTIES)
        has_core = True
    except KeyError:  # python-docx would invent a title "Word Document" and a modified time of now
        has_core = False
    if has_core:
        props = document.core_properties
        title, author = clip(props.title or ""), clip(props.author or "")
        created, modified = as_utc(props.created), as_utc(props.modified)
        extras = {
            "subject": props.subject,
            "keywords": props.keywords,
            "category": props.category,
            "comments": props.comments,
            "last_modified_by": props.last_modified_by,
            "language": props.language,
            "revision": str(props.revision) if props.revision else "",
        }
        metadata.update({key: value.strip() for key, value in extras.items() if value and value.strip()})
    return Content(
        text=text,
        title=title or _heading_title(document) or first_line("\n".join(body)),
        author=author,
        created=created,
        modified=modified,
        words=count_words(text),
        status="ok" if text else "empty",
        extractor=NAME,
        metadata=metadata,
    )


def _blocks(container: Any, deferred: list[Any] | None = None) -> Iterator[str]:
    """Lines of text from a body, cell, header or footer, in document order.

    Walks the XML children rather than ``document.paragraphs`` and
    ``document.tables`` so that paragraphs and tables keep their order, and
    descends into content controls. Tables go to ``deferred`` when it is given.
    """
    for child in container.iterchildren():
        tag = _local(child.tag)
        if tag == "p":
            line = "".join(run.text for run in child.xpath(_RUNS))
            if line.strip():
                yield line
        elif tag == "tbl":
            if deferred is None:
                yield from _table(child)
            else:
                deferred.append(child)
        elif tag == "sdt":
            for content in child.iterchildren():
                if _local(content.tag) == "sdtContent":
                    yield from _blocks(content, deferred)


def _table(tbl: Any) -> Iterator[str]:
    """One line per row with cells separated by tabs; tables nested in a row follow it."""
    for tr in tbl.iterchildren():
        if _local(tr.tag) != "tr":
            continue
        cells: list[str] = []
        nested: list[Any] = []
        for tc in tr.iterchildren():
            if _local(tc.tag) == "tc":
                cells.append(" ".join(line.strip() for line in _blocks(tc, nested)))
        if any(cells):
            yield "\t".join(cells)
        for inner in nested:
            yield from _table(inner)


def _headers_and_footers(document: Any) -> tuple[list[str], list[str]]:
    """Distinct header and footer lines across all sections, in section order."""
    headers: list[str] = []
    footers: list[str] = []
    seen: set[str] = set()
    for section in document.sections:
        for part, target in (
            (section.first_page_header, headers),
            (section.header, headers),
            (section.even_page_header, headers),
            (section.first_page_footer, footers),
            (section.footer, footers),
            (section.even_page_footer, footers),
        ):
            # A linked part has no definition of its own: it repeats the previous
            # section's, and reading it would make python-docx add an empty one.
            if part.is_linked_to_previous:
                continue
            block = "\n".join(line for line in _blocks(part._element) if not _PAGE_NUMBER.match(line))
            if block.strip() and block not in seen:
                seen.add(block)
                target.append(block)
    return headers, footers


def _heading_title(document: Any) -> str:
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower() in _TITLE_STYLES and paragraph.text.strip():
            return clip(paragraph.text)
    return ""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _failed(error: str) -> Content:
    return Content(status="failed", error=error, extractor=NAME)
