"""The built-in DOCX extractor, on real corpus files, python-docx-made files and broken ones."""

from __future__ import annotations

import copy
import random
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from km_core import Content, Item, JobContext
from km_plugins import docx as docx_plugin
from km_plugins._textutil import normalize_ws

CTX = JobContext(job="test", run_id="t")


def extract(path: Path, ctx: JobContext = CTX) -> Content:
    item = Item(path=str(path), ext=path.suffix.lower(), size=path.stat().st_size)
    result = docx_plugin.km_extract(item=item, ctx=ctx)
    assert result is not None
    return result


def markdown_lines(path: Path) -> list[str]:
    """The text lines of a docling ground-truth file, with the Markdown markup taken off."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("<!--", "|")):
            continue
        line = re.sub(r"^(?:(?:#+|[-*]|\d+(?:\.\d+)*\.)\s+)+", "", line)  # headings, bullets, list numbers
        lines.append(line.strip("*").strip())
    return lines


def assert_in_order(text: str, lines: list[str]) -> None:
    flat = normalize_ws(text)
    position = 0
    for line in lines:
        found = flat.find(normalize_ws(line), position)
        assert found >= 0, f"{line!r} missing (or out of order) after position {position}"
        position = found + len(normalize_ws(line))


def test_headings_are_in_the_text(corpus: Path) -> None:
    content = extract(corpus / "docx" / "unit_test_headers.docx")
    assert content.status == "ok"
    assert content.extractor == "docx"
    expected = markdown_lines(corpus / "expected" / "docx" / "unit_test_headers.docx.md")
    assert expected[:3] == ["Test Document", "Section 1", "Paragraph 1.1"]
    assert_in_order(content.text, expected)
    assert content.text.splitlines() == expected
    assert content.title == "Test Document"  # no core title: the Title-styled paragraph


@pytest.mark.parametrize("name", ["word_sample.docx", "lorem_ipsum.docx", "docx_comments.docx", "docx_lists.docx"])
def test_paragraphs_match_ground_truth(corpus: Path, name: str) -> None:
    content = extract(corpus / "docx" / name)
    assert content.status == "ok"
    assert_in_order(content.text, markdown_lines(corpus / "expected" / "docx" / f"{name}.md"))


def test_lorem_ipsum_words(corpus: Path) -> None:
    content = extract(corpus / "docx" / "lorem_ipsum.docx")
    expected = (corpus / "expected" / "docx" / "lorem_ipsum.docx.md").read_text(encoding="utf-8")
    assert normalize_ws(content.text) == normalize_ws(expected)
    assert content.words == len(expected.split())


def test_word_sample_table_rows_in_document_order(corpus: Path) -> None:
    content = extract(corpus / "docx" / "word_sample.docx")
    lines = content.text.splitlines()
    assert "Leaves\tAsh, Elm, Maple\t50" in lines
    assert "Grain\tCorn, Buckwheat, Barley\t200" in lines
    # The table sits between its introduction and the closing list.
    intro = lines.index("Here are some interesting things a respectful duck could eat:")
    closing = lines.index("And let’s add another list in the end:")
    assert intro < lines.index("Berries\tBlueberry, Strawberry, Cranberry\t150") < closing
    assert not lines[-1].isdigit()  # the footer's page number field is not text


def test_table_before_paragraphs(corpus: Path) -> None:
    content = extract(corpus / "docx" / "fake-doc-emphasized-text.docx")
    lines = content.text.splitlines()
    assert lines[:2] == ["Header Col 1\tHeader Col 2", "A bold italic bold-italic example\tA Link example"]
    assert "I am a bold italic bold-italic text." in lines
    assert "I am a normal text." in lines


def test_document_of_empty_tables(corpus: Path) -> None:
    # Despite its name, every cell of this file's three tables is empty.
    content = extract(corpus / "docx" / "tbl-having-tables.docx")
    assert content.status == "empty"
    assert content.metadata["tables"] == "3"
    assert content.error == ""


def test_table_with_guid_in_a_cell(corpus: Path) -> None:
    content = extract(corpus / "docx" / "markitdown-test.docx")
    assert content.title == "AutoGen: Enabling Next-Gen LLM Applications via Multi-Agent Conversation"
    for marker in (
        "314b0a30-5b04-470b-b9f7-eed2c2bec74a",
        "49e168b7-d2ae-407f-a055-2167576f39a1",
        "d666f1f7-46cb-42bd-9a39-9a39cf2a509f",
    ):
        assert marker in content.text
    assert "13\t14\t49e168b7-d2ae-407f-a055-2167576f39a1\t15\t16\t17" in content.text.splitlines()


def test_header_and_footer_are_included_once(corpus: Path) -> None:
    content = extract(corpus / "docx" / "handbook-1p.docx")
    lines = content.text.splitlines()
    assert lines[0] == "US Trustee Handbook"
    assert lines[-1] == "Copyright"
    assert content.text.count("US Trustee Handbook") == 1
    assert "CHAPTER 1 – INTRODUCTION" in lines


def test_hyperlink_text_is_included(corpus: Path) -> None:
    content = extract(corpus / "docx" / "par-hyperlinks.docx")
    assert content.text.splitlines() == [
        "No hyperlinks",
        "One awesome hyperlink.",
        "Three hyperlinks: the first one here, the second one, and the third.",
    ]


def test_core_properties(corpus: Path) -> None:
    content = extract(corpus / "docx" / "doc-coreprops.docx")
    assert content.status == "empty"  # core properties only, no body text
    assert content.title == "Title"
    assert content.author == "Steve Canny"
    assert content.created == datetime(2014, 12, 13, 22, 2, tzinfo=UTC)
    assert content.modified == datetime(2014, 12, 13, 22, 6, tzinfo=UTC)
    assert content.created is not None and content.created.tzinfo is not None
    assert content.metadata["subject"] == "Subject"
    assert content.metadata["keywords"] == "key; word; keyword"
    assert content.metadata["category"] == "Category"
    assert content.metadata["comments"] == "Description"
    assert content.metadata["revision"] == "2"


def test_missing_core_properties_are_not_invented(corpus: Path) -> None:
    # This file has no docProps/core.xml; python-docx would make up the title
    # "Word Document" and a modification time of now.
    content = extract(corpus / "docx" / "paperless-sample.docx")
    assert content.text == "This is an DOCX test document, also made September 14, 2022"
    assert content.title == "This is an DOCX test document, also made September 14, 2022"
    assert content.author == ""
    assert content.created is None
    assert content.modified is None


def test_images_only_document_is_empty(corpus: Path) -> None:
    content = extract(corpus / "docx" / "having-images.docx")
    assert content.status == "empty"
    assert content.author == "Steve Canny"


def test_generated_document_keeps_block_order_and_nested_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Order test"
    document.add_paragraph("before the table")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "a1", "b1"
    table.cell(1, 0).text = "a2"
    inner = table.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "inner x", "inner y"
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "wide"
    merged.cell(0, 2).text = "narrow"
    document.add_paragraph("after the table")
    path = tmp_path / "order.docx"
    document.save(str(path))

    content = extract(path)
    assert content.text.splitlines() == [
        "before the table",
        "a1\tb1",
        "a2\t",
        "inner x\tinner y",
        "wide\tnarrow",
        "after the table",
    ]
    assert content.title == "Order test"
    assert content.words == 15


def test_repeated_headers_across_sections_are_deduplicated(tmp_path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "ACME Confidential"
    document.add_paragraph("first section")
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "ACME Confidential"
    second.footer.is_linked_to_previous = False
    second.footer.paragraphs[0].text = "Second footer"
    document.add_paragraph("second section")
    path = tmp_path / "sections.docx"
    document.save(str(path))

    content = extract(path)
    assert content.text.count("ACME Confidential") == 1
    assert content.text.splitlines() == ["ACME Confidential", "first section", "second section", "Second footer"]


def test_tracked_insertions_are_text(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Kept ")
    insertion = paragraph._p.makeelement(qn("w:ins"), {qn("w:id"): "1", qn("w:author"): "Ed"})
    run = copy.deepcopy(paragraph.runs[0]._r)
    run.find(qn("w:t")).text = "inserted"
    insertion.append(run)
    paragraph._p.append(insertion)
    path = tmp_path / "tracked.docx"
    document.save(str(path))
    assert extract(path).text == "Kept inserted"


def test_random_bytes_fail_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "random.docx"
    path.write_bytes(random.Random(7).randbytes(4096))
    content = extract(path)
    assert content.status == "failed"
    assert content.error.startswith("not a DOCX: not a zip archive")
    assert "\n" not in content.error


def test_zip_without_document_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "plain.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    content = extract(path)
    assert content.status == "failed"
    assert content.error.startswith("corrupt DOCX")


def test_package_missing_word_document_xml_fails_cleanly(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "gutted.docx"
    with zipfile.ZipFile(corpus / "docx" / "python-docx-test.docx") as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, source.read(info))
    content = extract(path)
    assert content.status == "failed"
    assert content.error.startswith("corrupt DOCX")
    assert "word/document.xml" in content.error


def test_malformed_document_xml_fails_cleanly(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "badxml.docx"
    with zipfile.ZipFile(corpus / "docx" / "python-docx-test.docx") as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = b"<w:document><unclosed>" if info.filename == "word/document.xml" else source.read(info)
            out.writestr(info, data)
    content = extract(path)
    assert content.status == "failed"
    assert content.error.startswith("corrupt DOCX")


def test_other_office_file_renamed_docx_fails_cleanly(corpus: Path, tmp_path: Path) -> None:
    # An Office package whose main part is not a Word document.
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(corpus / "docx" / "python-docx-test.docx") as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")
            out.writestr(info, data)
    content = extract(path)
    assert content.status == "failed"
    assert content.error.startswith("not a DOCX: the main part is")
    assert "spreadsheetml" in content.error


def test_empty_file_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    assert extract(path).status == "failed"


def test_password_protected_docx_is_encrypted(tmp_path: Path) -> None:
    # Word saves a protected .docx as an OLE compound file with an EncryptedPackage stream.
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))
    content = extract(path)
    assert content.status == "encrypted"
    assert content.error == "password required"


def test_legacy_doc_renamed_docx_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le"))
    content = extract(path)
    assert content.status == "failed"
    assert "OLE compound file" in content.error


def test_unpacked_size_limit_setting(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.docx"
    shutil.copy(corpus / "docx" / "lorem_ipsum.docx", path)
    ctx = JobContext(job="test", run_id="t", plugin_settings={"docx": {"max_unpacked_bytes": 1000}})
    content = extract(path, ctx)
    assert content.status == "failed"
    assert content.error.startswith("refused")
    assert extract(path).status == "ok"


def test_other_extensions_are_not_handled(corpus: Path) -> None:
    path = corpus / "pdf" / "simple1.pdf"
    item = Item(path=str(path), ext=".pdf", size=path.stat().st_size)
    assert docx_plugin.km_extract(item=item, ctx=CTX) is None


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        docx_plugin.km_extract(item=Item(path=str(tmp_path / "gone.docx"), ext=".docx"), ctx=CTX)
