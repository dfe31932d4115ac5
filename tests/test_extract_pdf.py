"""The built-in PDF extractor, on real PDFs from the shared corpus and damaged copies of them."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from km_core import Content, Item, JobContext
from km_plugins import pdf as pdf_plugin
from km_plugins._textutil import normalize_ws, parse_pdf_date

CTX = JobContext(job="test", run_id="t")


def extract(path: Path, ctx: JobContext = CTX) -> Content:
    item = Item(path=str(path), ext=path.suffix.lower(), size=path.stat().st_size)
    result = pdf_plugin.km_extract(item=item, ctx=ctx)
    assert result is not None
    return result


def with_max_pages(n: int) -> JobContext:
    return JobContext(job="test", run_id="t", plugin_settings={"pdf": {"max_pages": n}})


def flat(text: str) -> str:
    return normalize_ws(unicodedata.normalize("NFKC", text))


def test_crazyones_matches_ground_truth(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "crazyones.pdf")
    expected = (corpus / "expected" / "pdf" / "crazyones.txt").read_text(encoding="utf-8")
    assert content.status == "ok"
    assert content.extractor == "pdf"
    assert content.pages == 1
    # The ground truth keeps the ﬁ/ﬀ ligatures, pdfium expands them: compare NFKC forms.
    assert flat(content.text) == flat(expected)
    assert content.words == len(flat(expected).split())
    assert "\r" not in content.text


def test_empty_user_password_pdf_opens(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "issue-625-identity-cmap.pdf")
    assert content.status == "ok"
    assert content.pages == 2
    text = normalize_ws(content.text)
    assert "Termin płatności: 2021-05-03" in text
    assert "Faktura nr FV 1/2021" in text
    assert "Łódź" in text


def test_password_protected_pdf_is_encrypted(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "encrypted-aes-128.pdf")
    assert content.status == "encrypted"
    assert content.error == "password required"
    assert content.text == ""
    assert "Secret" not in content.text


def test_multi_page_text_keeps_pages_apart(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "multi-page-digital.pdf")
    assert content.pages == 3
    assert "Page 2" in content.text
    # pdfium gives each page without a trailing newline; the pages must not run together.
    assert "Page 1.This" not in content.text
    assert content.text.index("Page 1.") < content.text.index("Page 2.") < content.text.index("Page 3.")


@pytest.mark.parametrize(
    ("name", "pages"), [("c02-22-scanned.pdf", 1), ("linn-scanned.pdf", 1), ("multi-page-images.pdf", 3)]
)
def test_image_only_pdf_is_empty_and_needs_ocr(corpus: Path, name: str, pages: int) -> None:
    content = extract(corpus / "pdf" / name)
    assert content.status == "empty"
    assert content.metadata["needs_ocr"] == "true"
    assert content.pages == pages
    assert content.words == 0
    assert content.error == ""


def test_pdf_with_text_does_not_need_ocr(corpus: Path) -> None:
    assert "needs_ocr" not in extract(corpus / "pdf" / "simple1.pdf").metadata


def test_simple1_hello(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "simple1.pdf")
    assert content.status == "ok"
    assert content.text.count("Hello World") >= 2
    assert content.title == ""  # no information dictionary at all


def test_vertical_japanese_text_is_complete(corpus: Path) -> None:
    # pdfium drops most of this page's vertical text; the pdfminer cross-check must recover it.
    content = extract(corpus / "pdf" / "jo.pdf")
    assert content.status == "ok"
    text = "".join(content.text.split())
    assert "わたくしといふ現象は" in text
    assert "宮澤賢治" in text
    assert content.metadata["pdfminer_pages"] == "1"


@pytest.mark.parametrize(
    ("name", "snippets"),
    [
        ("hello-world-multilang.pdf", ["Hello World", "Привет, мир", "مرحبا بالعالم", "你好世界"]),
        ("pdflatex-outline.pdf", ["Hello, here is some text without a meaning."]),
        ("Seige_of_Vicksburg_Sample_OCR.pdf", ["THE SIEGE OF VICKSBURG. 49"]),
        ("fake-memo.pdf", ["May 5, 2023", "20,000 bottles of water", "January 23, 2023"]),
        ("simple4.pdf", ["Text1", "Text2", "Text3"]),
        ("movie-theater-booking-2024.pdf", ["STARLIGHT CINEMAS", "Sarah Johnson", "Michael Chen"]),
        ("RECEIPT-2024-TXN-98765_retail_purchase.pdf", ["TECHMART ELECTRONICS", "Emily Rodriguez"]),
        ("REPAIR-2022-INV-001_multipage.pdf", ["Gabriel Diaz", "Ellis Turner"]),
        ("issue_566_test_1.pdf", ["ISSUE Date", "2019-4-25"]),
    ],
)
def test_corpus_pdf_text(corpus: Path, name: str, snippets: list[str]) -> None:
    content = extract(corpus / "pdf" / name)
    assert content.status == "ok"
    text = normalize_ws(content.text)
    for snippet in snippets:
        assert snippet in text


def test_hyphen_marker_is_removed(corpus: Path) -> None:
    # pdfium marks the hyphens of words it rejoined across lines with \x02.
    content = extract(corpus / "pdf" / "Seige_of_Vicksburg_Sample_OCR.pdf")
    assert "\x02" not in content.text
    assert "dangerous for use" in content.text
    assert content.pages == 6


def test_metadata_title_author_dates(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "Seige_of_Vicksburg_Sample_OCR.pdf")
    assert content.title == "Binder1.pdf"
    assert content.author == "DSI"
    minus5 = timezone(timedelta(hours=-5))
    assert content.created == datetime(2010, 8, 2, 9, 9, 58, tzinfo=minus5)
    assert content.modified == datetime(2010, 8, 2, 9, 9, 58, tzinfo=minus5)
    assert content.metadata["producer"] == "LuraDocument PDF v2.38"
    assert content.metadata["creator"] == "LuraDocument PDF Compressor Server 5.5.46.38"


def test_metadata_author_and_offset_date(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "simple4.pdf")
    assert content.author == "Ben Spiers"
    assert content.created == datetime(2020, 4, 8, 9, 26, 27, tzinfo=UTC)
    assert content.created is not None and content.created.utcoffset() == timedelta(hours=1)


def test_metadata_z_dates_and_only_creation_date(corpus: Path) -> None:
    memo = extract(corpus / "pdf" / "fake-memo.pdf")  # CreationDate D:20230516172840Z00'00'
    assert memo.title == "fake-memo"
    assert memo.created == datetime(2023, 5, 16, 17, 28, 40, tzinfo=UTC)
    crazy = extract(corpus / "pdf" / "crazyones.pdf")  # has no ModDate
    assert crazy.created == datetime(2015, 6, 4, 19, 34, 6, tzinfo=UTC)
    assert crazy.modified is None


def test_producer_placeholder_metadata_is_dropped(corpus: Path) -> None:
    # ReportLab writes Title "untitled", Author "anonymous", Subject "unspecified" by default.
    content = extract(corpus / "pdf" / "movie-theater-booking-2024.pdf")
    assert content.title == ""
    assert content.author == ""
    assert "subject" not in content.metadata
    assert content.metadata["producer"] == "ReportLab PDF Library - (opensource)"


def test_max_pages_setting_is_honoured(corpus: Path) -> None:
    content = extract(corpus / "pdf" / "multi-page-digital.pdf", with_max_pages(2))
    assert content.pages == 3
    assert "Page 2" in content.text
    assert "Page 3" not in content.text
    assert content.metadata["truncated"] == "true"
    assert content.metadata["pages_extracted"] == "2"
    assert "truncated" not in extract(corpus / "pdf" / "multi-page-digital.pdf").metadata


def test_truncated_pdf_fails_cleanly(corpus: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes((corpus / "pdf" / "crazyones.pdf").read_bytes()[:300])
    content = extract(broken)
    assert content.status == "failed"
    assert content.error.startswith("corrupt PDF")
    assert "\n" not in content.error


def test_text_file_renamed_to_pdf_fails_cleanly(corpus: Path, tmp_path: Path) -> None:
    fake = tmp_path / "notes.pdf"
    fake.write_bytes((corpus / "text" / "fake-text.txt").read_bytes())
    content = extract(fake)
    assert content.status == "failed"
    assert content.error.startswith("not a PDF")


def test_empty_file_fails_cleanly(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    content = extract(empty)
    assert content.status == "failed"
    assert content.error == "not a PDF: no %PDF- header (empty file)"


def test_pdfminer_reads_what_pdfium_refuses(corpus: Path, tmp_path: Path) -> None:
    # pdfium wants the header in the first 1 KiB; pdfminer reads the file regardless.
    shifted = tmp_path / "shifted.pdf"
    shifted.write_bytes(b"\n" * 2000 + (corpus / "pdf" / "simple4.pdf").read_bytes())
    content = extract(shifted)
    assert content.status == "ok"
    assert content.metadata["backend"] == "pdfminer"
    assert "pdfium" in content.metadata["pdfium_error"]
    assert content.pages == 1
    assert content.text.split() == ["Text1", "Text2", "Text3"]
    assert content.author == "Ben Spiers"


def test_other_extensions_are_not_handled(corpus: Path) -> None:
    path = corpus / "docx" / "python-docx-test.docx"
    item = Item(path=str(path), ext=".docx", size=path.stat().st_size)
    assert pdf_plugin.km_extract(item=item, ctx=CTX) is None


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pdf_plugin.km_extract(item=Item(path=str(tmp_path / "gone.pdf"), ext=".pdf"), ctx=CTX)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D:20210426120000+02'00'", datetime(2021, 4, 26, 10, 0, 0, tzinfo=UTC)),
        ("D:20150604133406-06'00'", datetime(2015, 6, 4, 19, 34, 6, tzinfo=UTC)),
        ("D:20150722100404Z00'00'", datetime(2015, 7, 22, 10, 4, 4, tzinfo=UTC)),
        ("D:20160119123847Z", datetime(2016, 1, 19, 12, 38, 47, tzinfo=UTC)),
        ("D:20200408102627+01'00", datetime(2020, 4, 8, 9, 26, 27, tzinfo=UTC)),
        ("D:20200408102627", datetime(2020, 4, 8, 10, 26, 27, tzinfo=UTC)),
        ("D:2021", datetime(2021, 1, 1, tzinfo=UTC)),
        ("20210426", datetime(2021, 4, 26, tzinfo=UTC)),
        ("2021-04-26T12:00:00+02:00", datetime(2021, 4, 26, 10, 0, 0, tzinfo=UTC)),
        ("D:20211326000000", None),
        ("D:00000000", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_pdf_date(raw: str | None, expected: datetime | None) -> None:
    parsed = parse_pdf_date(raw)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None
