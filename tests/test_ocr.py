"""Screenshot OCR with real tesseract: quality against the CLI, broken images, the cache, detection."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import graph_rows, job_json, write_config
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin
from rapidfuzz.distance import Levenshtein

from km_core.store.schema import SCHEMA_VERSION
from km_plugins import screenshot_detect
from km_plugins.ocr import read_image

GROUND_TRUTH = {"testocr.png": "phototest.txt", "pytesseract-test.jpg": "phototest.txt", "linn.png": "linn.txt"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cer(found: str, truth: str) -> float:
    return Levenshtein.distance(_norm(found), _norm(truth)) / max(len(_norm(truth)), 1)


def tesseract_cli(path: Path) -> str:
    done = subprocess.run(
        ["tesseract", str(path), "stdout"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return done.stdout


@pytest.mark.parametrize("name", sorted(GROUND_TRUTH))
def test_character_error_rate_no_worse_than_the_tesseract_cli(corpus: Path, name: str) -> None:
    image = corpus / "images" / name
    truth = (corpus / "expected" / "images" / GROUND_TRUTH[name]).read_text(encoding="utf-8")
    km = read_image(image)
    assert km.status == "ok"
    km_cer, cli_cer = cer(km.text, truth), cer(tesseract_cli(image), truth)
    print(f"{name}: km CER {km_cer:.4f}, tesseract CLI CER {cli_cer:.4f}")
    assert km_cer <= cli_cer + 0.005


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("simple.png", "Tesseract.js"),
        ("test_la.png", "This is test message"),
        ("paperless-simple-alpha.png", "This is a test document"),
        ("escape_chars.png", '"Double Quotes"'),
    ],
)
def test_modes_and_alpha_channels_read(corpus: Path, name: str, expected: str) -> None:
    assert expected.lower() in _norm(read_image(corpus / "images" / name).text).lower()


def _text_image(lines: list[str], size: tuple[int, int] = (1440, 900)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    for index, line in enumerate(lines):
        draw.text((60, 60 + index * 56), line, fill="black", font=font)
    return image


def test_exif_orientation_and_upside_down_images_are_read_upright(tmp_path: Path) -> None:
    lines = ["Quarterly planning meeting notes", "Budget approved for the new archive"]
    upright = _text_image(lines, (1200, 400))
    sideways = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": the pixels are stored turned
    upright.rotate(90, expand=True).save(sideways, exif=exif, quality=95)
    assert "Budget approved" in _norm(read_image(sideways).text)
    flipped = tmp_path / "flipped.png"
    upright.rotate(180).save(flipped)
    content = read_image(flipped)
    assert "Budget approved" in _norm(content.text), content.metadata
    assert "rotated by OSD" in content.metadata["ocr_tried"]


def _home_with(tmp_path: Path, km_home: Path, files: dict[str, bytes | Image.Image]) -> Path:
    root = tmp_path / "Desktop"
    root.mkdir()
    for name, data in files.items():
        if isinstance(data, Image.Image):
            data.save(root / name)
        else:
            (root / name).write_bytes(data)
    write_config(km_home, [root])
    return root


def test_broken_and_empty_images_get_the_right_status(km_home: Path, tmp_path: Path, corpus: Path) -> None:
    good = (corpus / "images" / "testocr.png").read_bytes()
    root = _home_with(
        tmp_path,
        km_home,
        {
            "Screenshot 2025-10-08 at 10.15.32.png": good,
            "Screenshot 2025-10-08 at 10.16.00.png": Image.new("RGB", (1440, 900), "white"),
            "Screenshot 2025-10-08 at 10.17.00.png": good[: len(good) // 3],
            "Screenshot 2025-10-08 at 10.18.00.png": b"",
            "Screenshot 2025-10-08 at 10.19.00.png": b"this is plain text, not a PNG at all\n",
        },
    )
    summary = job_json("daily", home=km_home)
    rows = {r[0]: r[1:] for r in graph_rows(km_home, "MATCH (f:File) RETURN f.name, f.status, f.kind, f.words")}
    assert rows["Screenshot 2025-10-08 at 10.15.32.png"][:2] == ["ok", "screenshot"]
    assert rows["Screenshot 2025-10-08 at 10.16.00.png"][0] == "empty"  # no text is not a failure
    for broken in ("10.17.00", "10.18.00", "10.19.00"):
        assert rows[f"Screenshot 2025-10-08 at {broken}.png"][0] == "failed", rows
    assert summary["counts"]["failed"] == 3 and summary["counts"]["ocr"] == 5
    tagged = graph_rows(km_home, "MATCH (f:File)-[:TAGGED]->(:Tag {name: 'ocr-failed'}) RETURN count(*)")
    assert tagged == [[3]]
    ocr_log = next((km_home / "logs" / "processing").glob("ocr_*.log")).read_text(encoding="utf-8")
    assert "10.17.00" in ocr_log and "Context:" in ocr_log
    failed = graph_rows(km_home, "MATCH (f:File) WHERE f.status = 'failed' RETURN f.failed_step, f.fail_runs")
    assert failed == [["ocr", 1]] * 3  # in the retry queue
    assert (root / "Screenshot 2025-10-08 at 10.15.32.png").exists()


def test_unchanged_renamed_or_copied_images_are_never_read_again(km_home: Path, tmp_path: Path, corpus: Path) -> None:
    root = _home_with(
        tmp_path,
        km_home,
        {
            "Screenshot 2025-10-08 at 10.15.32.png": (corpus / "images" / "testocr.png").read_bytes(),
            "Screenshot (12).png": (corpus / "images" / "bill.png").read_bytes(),
        },
    )
    first = job_json("daily", home=km_home)
    assert first["counts"]["ocr"] == 2
    assert job_json("daily", home=km_home)["counts"]["ocr"] == 0
    (root / "Screenshot (12).png").rename(root / "Screenshot (13).png")
    shutil.copy(root / "Screenshot 2025-10-08 at 10.15.32.png", root / "Screenshot 2025-10-09 at 09.00.00.png")
    third = job_json("daily", home=km_home)
    assert third["counts"]["ocr"] == 0 and third["counts"]["ocr_cached"] == 1 and third["counts"]["renamed"] == 1
    texts = graph_rows(km_home, "MATCH (f:File) WHERE f.name STARTS WITH 'Screenshot 2025' RETURN f.text")
    assert len(texts) == 2 and texts[0] == texts[1] and "quick brown dog" in texts[0][0]
    hits = json.loads(
        subprocess.run(
            [str(Path(os.sys.executable).with_name("km")), "search", "cheque", "--json"],
            capture_output=True,
            text=True,
            env={**os.environ, "KM_HOME": str(km_home)},
            check=True,
        ).stdout
    )["results"]
    assert hits and hits[0]["path"].endswith("Screenshot (13).png")


def test_screenshots_detected_by_name_metadata_and_size(km_home: Path, tmp_path: Path) -> None:
    for name in (
        "Screenshot 2025-10-08 at 10.15.32.png",
        "Screen Shot 2019-01-02 at 3.04.05 PM.png",
        "Screenshot from 2025-10-10 09-00-00.png",
        "Screenshot_20251010_090000.png",
        "Screenshot (12).png",
        "Screenshot_20251008-101532.png",
    ):
        assert screenshot_detect.by_name(name), name
    assert not screenshot_detect.by_name("holiday.png") and not screenshot_detect.by_name("screens.png")

    text = _text_image(["Settings saved", "Your changes were applied"], (1000, 700))
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "gnome-screenshot")
    root = tmp_path / "Pictures"
    root.mkdir()
    text.save(root / "capture-one.png", pnginfo=info)
    _text_image(["Downloads folder", "Three files selected"]).save(root / "window.png")  # 1440x900 PNG
    _text_image(["A holiday photo with a sign"], (1000, 700)).convert("RGB").save(root / "photo.jpg")
    write_config(km_home, [root])
    summary = job_json("daily", home=km_home)
    assert summary["counts"]["ocr"] == 2
    kinds = dict(graph_rows(km_home, "MATCH (f:File) RETURN f.name, f.kind"))
    assert kinds == {"capture-one.png": "screenshot", "window.png": "screenshot", "photo.jpg": "image"}
    photo = graph_rows(km_home, "MATCH (f:File {name: 'photo.jpg'}) RETURN f.status, f.text")
    assert photo == [["ok", ""]]  # images are read only when [plugin.ocr] images = true


def test_screenshot_class_is_a_type_tag_with_why(km_home: Path, tmp_path: Path) -> None:
    code = _text_image(
        ["def fibonacci(n):", "    a, b = 0, 1", "    for _ in range(n):", "        a, b = b, a + b", "    return a"]
    )
    _home_with(tmp_path, km_home, {"Screenshot 2025-10-08 at 10.15.32.png": code})
    job_json("daily", home=km_home)
    rows = graph_rows(km_home, "MATCH (f:File)-[e:TAGGED]->(t:Tag {kind: 'type'}) RETURN t.name, e.source, e.why")
    assert len(rows) == 1 and rows[0][0] == "code" and rows[0][1] == "ocr" and rows[0][2]


def test_heic_is_read_through_pillow_heif(tmp_path: Path, corpus: Path) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    screen = tmp_path / "Screenshot 2025-10-08 at 10.15.32.heic"
    _text_image(["Flight AB123 boards at gate 42"], (1200, 400)).save(screen, quality=90)
    assert "Flight AB123 boards at gate 42" in _norm(read_image(screen).text)
    photo = (
        corpus
        / "photos"
        / "Test-14.0.0.photoslibrary"
        / "originals"
        / "7"
        / "7783E8E6-9CAC-40F3-BE22-81FB7051C266.heic"
    )
    content = read_image(photo)
    assert content.status == "empty" and content.metadata["size"] == "3024x4032"  # a real iPhone HEIC, no text


def test_review_cases_for_reading_and_caching(km_home: Path, tmp_path: Path, corpus: Path) -> None:
    """Copies read once, a file back from missing not read again, a broken non-screenshot not failed."""
    shot = (corpus / "images" / "testocr.png").read_bytes()
    root = _home_with(
        tmp_path,
        km_home,
        {
            "Screenshot 2025-10-08 at 10.15.32.png": shot,
            "Screenshot 2025-10-08 at 10.15.33.png": shot,
            "copy-of-it.png": shot,
            "holiday.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
        },
    )
    first = job_json("daily", home=km_home)
    assert first["counts"]["ocr"] == 1 and first["counts"]["ocr_cached"] == 2  # one reading, three files
    assert first["counts"]["failed"] == 0  # a broken photo is not an OCR failure while images are off
    rows = dict(graph_rows(km_home, "MATCH (f:File) RETURN f.name, f.status"))
    assert rows["holiday.jpg"] == "ok" and rows["copy-of-it.png"] == "ok"
    parked = tmp_path / "parked.png"
    shutil.move(root / "Screenshot 2025-10-08 at 10.15.32.png", parked)
    assert job_json("daily", home=km_home)["counts"]["missing"] == 1
    shutil.move(parked, root / "Screenshot 2025-10-08 at 10.15.32.png")
    back = job_json("daily", home=km_home)
    assert back["counts"]["ocr"] == 0 and back["counts"]["ocr_cached"] == 1


def test_screenshot_found_by_content_stays_one_when_touched(km_home: Path, tmp_path: Path) -> None:
    root = _home_with(tmp_path, km_home, {"notes.png": _text_image(["Meeting moved to Thursday"])})
    job_json("daily", home=km_home)
    assert graph_rows(km_home, "MATCH (f:File) RETURN f.kind") == [["screenshot"]]
    os.utime(root / "notes.png")
    assert job_json("daily", home=km_home)["counts"]["ocr"] == 0
    assert graph_rows(km_home, "MATCH (f:File) RETURN f.kind") == [["screenshot"]]


def test_photo_metadata_with_shutter_speed_is_not_a_screenshot(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.jpg"
    Image.new("RGB", (4032, 3024), (90, 120, 160)).save(
        photo, xmp=b'<x:xmpmeta><rdf:Description exif:ShutterSpeedValue="7/1"/></x:xmpmeta>'
    )
    assert b"ShutterSpeedValue" in photo.read_bytes()[:65536]
    assert screenshot_detect.by_content(photo) == ""


def test_sixteen_bit_grey_images_are_scaled_not_clipped(tmp_path: Path) -> None:
    grey = _text_image(["Sixteen bit scan of a receipt"], (1200, 300)).convert("L")
    deep = Image.fromarray((np.asarray(grey, dtype=np.uint16) * 257).astype("<u2"))
    assert deep.mode == "I;16"
    path = tmp_path / "scan16.png"
    deep.save(path)
    assert "Sixteen bit scan" in _norm(read_image(path).text)


def test_a_graph_from_schema_version_1_gets_its_screenshots_read(km_home: Path, tmp_path: Path) -> None:
    _home_with(tmp_path, km_home, {"Screenshot 2025-10-08 at 10.15.32.png": _text_image(["Boarding pass gate 42"])})
    job_json("daily", home=km_home)
    # turn the graph back into what version 1 of km left: no OCR columns, the screenshot unread
    code = (
        "from km_core import config\nfrom km_core.store import open_graph, search_index\n"
        "with open_graph(config.load()) as g:\n"
        "    search_index.invalidate(g)\n"
        "    g.execute(\"MATCH (f:File) SET f.kind = 'image', f.extractor = '', f.status = 'ok', f.text = ''\")\n"
        "    from km_core.store.schema import _FILE_ADDED\n"
        "    for column in [c.split()[0] for cols in _FILE_ADDED.values() for c in cols]:\n"
        "        g.execute(f'ALTER TABLE File DROP {column}')\n"
        "    g.execute(\"MATCH (m:Meta {key: 'schema_version'}) SET m.value = '1'\")\n"
    )
    subprocess.run([os.sys.executable, "-c", code], env={**os.environ, "KM_HOME": str(km_home)}, check=True)
    summary = job_json("daily", home=km_home)
    assert summary["counts"]["ocr"] == 1, summary
    rows = graph_rows(km_home, "MATCH (f:File), (m:Meta {key: 'schema_version'}) RETURN f.kind, f.text, m.value")
    assert rows[0][0] == "screenshot" and "gate 42" in rows[0][1] and rows[0][2] == str(SCHEMA_VERSION)
