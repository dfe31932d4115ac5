"""The built-in text/Markdown extractor, on the shared corpus and on generated files."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from km_core import Content, Item, JobContext
from km_plugins import text as text_plugin

CTX = JobContext(job="test", run_id="t")


def extract(path: Path, ctx: JobContext = CTX) -> Content:
    result = text_plugin.km_extract(
        item=Item(path=str(path), ext=path.suffix.lower(), size=path.stat().st_size), ctx=ctx
    )
    assert result is not None
    return result


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CORPUS_TEXT = [
    "blocks.md",
    "book-war-and-peace-1p.txt",
    "codeblock.md",
    "duck.md",
    "eng_spa_mult.md",
    "fake-text.txt",
    "inline_and_formatting.md",
    "mixed.md",
    "nested.md",
    "paperless-content.txt",
    "simple-table.md",
    "wiki.md",
]


@pytest.mark.parametrize("name", CORPUS_TEXT)
def test_corpus_text_files_decode_exactly(corpus: Path, name: str) -> None:
    path = corpus / "text" / name
    content = extract(path)
    # The manifest says every one is valid UTF-8: the text must be the file, newlines normalised.
    expected = path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    assert content.status == "ok"
    assert content.extractor == "text"
    assert content.metadata["encoding"] == "utf-8"
    assert content.text == expected
    assert content.words == len(expected.split())
    assert content.title and len(content.title) <= 200


@pytest.mark.parametrize(
    ("name", "title", "snippets"),
    [
        ("wiki.md", "IBM", ["International Business Machines", "Armonk, New York", "1911"]),
        ("duck.md", "Swimming in the lake", ["Summer activities", "Let’s swim!"]),
        ("nested.md", "Nesting", ["abcd1234：", "def12345。"]),
        ("blocks.md", "my heading", ["Setext heading level 1"]),
        ("codeblock.md", "HTML Example", ["<heading>Reminder</heading>"]),
        ("mixed.md", "Title", ["Famous ducks", "Name in German"]),
        ("inline_and_formatting.md", "Contribution guideline example", ["github.com/docling-project/docling"]),
        ("fake-text.txt", "This is a test document to use for unit tests.", ["Doylestown, PA 18901", "fuzzy blankets"]),
        ("book-war-and-peace-1p.txt", "CHAPTER I", ["Well, Prince, so Genoa and Lucca"]),
        ("simple-table.md", "Item | Price | # In stock", ["Juicy Apples", "1.99", "739"]),
        ("eng_spa_mult.md", None, ["born free and equal", "Todos los seres humanos nacen libres"]),
    ],
)
def test_corpus_titles_and_content(corpus: Path, name: str, title: str | None, snippets: list[str]) -> None:
    content = extract(corpus / "text" / name)
    if title is not None:
        assert content.title == title
    for snippet in snippets:
        assert snippet in content.text


def test_long_first_line_title_is_trimmed_to_200(corpus: Path) -> None:
    content = extract(corpus / "text" / "eng_spa_mult.md")
    assert len(content.title) == 200
    assert content.title.startswith("All human beings are born free and equal in dignity and rights.")


def test_utf16_le_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", codecs.BOM_UTF16_LE + "Grüße aus Łódź\nzweite Zeile\n".encode("utf-16-le"))
    content = extract(path)
    assert content.status == "ok"
    assert content.metadata["encoding"] == "utf-16-le"
    assert content.text == "Grüße aus Łódź\nzweite Zeile\n"
    assert content.title == "Grüße aus Łódź"
    assert content.words == 5


def test_utf16_be_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", codecs.BOM_UTF16_BE + "日本語のテキスト".encode("utf-16-be"))
    content = extract(path)
    assert content.metadata["encoding"] == "utf-16-be"
    assert content.text == "日本語のテキスト"


def test_utf8_with_bom_drops_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", codecs.BOM_UTF8 + "# Überschrift\n\nText.\n".encode())
    content = extract(path)
    assert content.metadata["encoding"] == "utf-8-sig"
    assert not content.text.startswith("\ufeff")
    assert content.title == "Überschrift"


def test_latin1_bytes(tmp_path: Path) -> None:
    content = extract(write(tmp_path, "menu.txt", b"caf\xe9"))
    assert content.status == "ok"
    assert content.text == "café"
    assert content.metadata["encoding"] in ("cp1252", "latin-1")


def test_western_text_prefers_cp1252_over_other_code_pages(tmp_path: Path) -> None:
    original = "Le café est très bon à Paris, où l'été est chaud. « Voilà » – 5 €\n"
    content = extract(write(tmp_path, "fr.txt", original.encode("cp1252")))
    assert content.text == original
    assert content.metadata["encoding"] == "cp1252"


def test_cyrillic_code_page_is_detected(tmp_path: Path) -> None:
    original = "Война и мир — роман-эпопея Льва Николаевича Толстого, описывающий русское общество.\n" * 2
    content = extract(write(tmp_path, "ru.txt", original.encode("cp1251")))
    assert content.text == original
    assert content.metadata["encoding"] == "cp1251"


def test_utf8_with_a_few_damaged_bytes_stays_utf8(corpus: Path, tmp_path: Path) -> None:
    original = (corpus / "text" / "duck.md").read_bytes()
    damaged = original.replace("Let’s swim".encode(), b"Let\x92s swim", 1)  # a stray cp1252 quote
    content = extract(write(tmp_path, "duck.md", damaged))
    assert content.metadata["encoding"] == "utf-8"
    assert content.metadata["decode_errors"] == "1"
    assert "Let\ufffds swim" in content.text
    assert "don’t forget" in content.text


def test_random_binary_bytes_do_not_raise(tmp_path: Path) -> None:
    data = random.Random(42).randbytes(20_000)
    content = extract(write(tmp_path, "garbage.txt", data))
    assert content.status == "failed"
    assert content.error.startswith("binary data")
    assert "\n" not in content.error


def test_nul_characters_are_stripped(tmp_path: Path) -> None:
    content = extract(write(tmp_path, "app.log", b"start\x00\x00 ok\nend\x00\n"))
    assert content.status == "ok"
    assert "\x00" not in content.text
    assert content.text == "start ok\nend\n"


def test_log_padded_with_nuls_is_still_text(tmp_path: Path) -> None:
    content = extract(write(tmp_path, "crash.log", b"line one\nline two\n" + b"\x00" * 4096))
    assert content.status == "ok"
    assert content.text == "line one\nline two\n"


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    content = extract(write(tmp_path, "dos.txt", b"one\r\ntwo\rthree\n"))
    assert content.text == "one\ntwo\nthree\n"


def test_empty_file_is_empty(tmp_path: Path) -> None:
    content = extract(write(tmp_path, "blank.txt", b""))
    assert content.status == "empty"
    assert content.words == 0
    assert content.title == ""


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    assert extract(write(tmp_path, "blank.md", b"\n  \n\t\n")).status == "empty"


def test_markdown_title_from_first_level_one_heading(tmp_path: Path) -> None:
    path = write(tmp_path, "note.md", b"Some intro line\n\n## Not this\n\n# Project Plan #\n\n# Later heading\n")
    assert extract(path).title == "Project Plan"


def test_markdown_title_from_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "post.markdown", b'---\nlayout: post\ntitle: "Hello, front matter"\n---\n# Heading\n')
    assert extract(path).title == "Hello, front matter"


def test_markdown_heading_inside_code_fence_is_not_a_title(tmp_path: Path) -> None:
    path = write(tmp_path, "code.md", b"```python\n# just a comment\n```\n\nReal text\n")
    assert extract(path).title == "Real text"


def test_markdown_setext_heading(tmp_path: Path) -> None:
    assert extract(write(tmp_path, "s.md", b"Big Title\n=========\n\ntext\n")).title == "Big Title"


def test_plain_text_title_is_first_non_empty_line(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.rst", b"\n\n=====\nManual\n=====\n\nBody text\n")
    assert extract(path).title == "Manual"


@pytest.mark.parametrize("ext", [".txt", ".md", ".markdown", ".rst", ".text", ".csv", ".log", ".org"])
def test_all_text_extensions_are_handled(tmp_path: Path, ext: str) -> None:
    content = extract(write(tmp_path, f"file{ext}", b"alpha beta\n"))
    assert content.status == "ok"
    assert content.words == 2


def test_max_bytes_setting_truncates(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"word " * 1000)
    ctx = JobContext(job="test", run_id="t", plugin_settings={"text": {"max_bytes": 100}})
    content = extract(path, ctx)
    assert content.words == 20
    assert content.metadata["truncated"] == "true"
    assert "truncated" not in extract(path).metadata


def test_truncation_inside_a_utf8_character_keeps_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "u.txt", "ab€cd".encode())  # € is three bytes, cut after the first
    ctx = JobContext(job="test", run_id="t", plugin_settings={"text": {"max_bytes": 3}})
    content = extract(path, ctx)
    assert content.metadata["encoding"] == "utf-8"
    assert content.text == "ab"


def test_other_extensions_are_not_handled(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.pdf", b"hello")
    item = Item(path=str(path), ext=".pdf", size=5)
    assert text_plugin.km_extract(item=item, ctx=CTX) is None


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    item = Item(path=str(tmp_path / "gone.txt"), ext=".txt")
    with pytest.raises(FileNotFoundError):
        text_plugin.km_extract(item=item, ctx=CTX)
