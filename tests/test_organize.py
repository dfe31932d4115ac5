"""Organising a real home: dry run then the same real run, conflicts, do-not-move, hostile tags,
change logs, the graph following every move, and undo restoring the exact original tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import graph_rows, job_json, run_km, write_config
from organize_helpers import assert_graph_matches_disk, folders, make_notes, tree

PDFS = [
    "RECEIPT-2024-TXN-98765_retail_purchase.pdf",
    "REPAIR-2022-INV-001_multipage.pdf",
    "movie-theater-booking-2024.pdf",
    "fake-memo.pdf",
    "crazyones.pdf",
]


def prepare(home: Path, roots: list[Path], config: str) -> None:
    write_config(home, roots, config)
    for task in ("discover", "extract", "tag"):
        summary = job_json("daily", "--task", task, home=home)
        assert summary["status"] == "ok", (summary["notes"], summary["errors"])


@pytest.fixture
def real_home(km_home: Path, corpus: Path, tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    downloads, desktop, documents = tmp_path / "Downloads", tmp_path / "Desktop", tmp_path / "Documents"
    for folder in (downloads, desktop, documents / "Keep"):
        folder.mkdir(parents=True)
    for name in PDFS:
        shutil.copy(corpus / "pdf" / name, downloads / name)
    shutil.copy(corpus / "text" / "wiki.md", desktop / "wiki.md")
    shutil.copy(corpus / "pdf" / "simple1.pdf", documents / "Keep" / "simple1.pdf")
    library = documents / "Library"
    # a file already where a receipt is headed: the receipt must not overwrite it
    (library / "Finance" / "receipt").mkdir(parents=True)
    shutil.copy(corpus / "pdf" / "simple3.pdf", library / "Finance" / "receipt" / PDFS[0])
    hostile = ["../../etc", "a/b", "x" * 300, "nul\\u0000byte"]
    config = f"""
[organize]
library = "{library}"
do_not_move = ["Keep"]
settle_minutes = 0

[[organize.rules]]
name = "money"
type = ["invoice", "receipt"]
destination = "Finance/{{type}}"

[[organize.rules]]
name = "hostile"
tags_any = {json.dumps(hostile)}
destination = "Tagged/{{tag}}/{{name}}.{{ext}}"

[[organize.rules]]
name = "the rest"
destination = "Other/{{year}}"
"""
    # every PDF gets the hostile tags (the memo and the poem fall to the hostile rule)
    config += "".join(f'\n[[tag_rules]]\ntag = "{tag}"\npath = "*.pdf"\n' for tag in hostile)
    prepare(km_home, [downloads, desktop, documents], config)
    return km_home, downloads, desktop, documents


def test_dry_run_real_run_and_undo(real_home: tuple[Path, Path, Path, Path], corpus: Path) -> None:
    home, downloads, desktop, documents = real_home
    corpus_pdf = corpus / "pdf"
    roots = (downloads, desktop, documents)
    library = documents / "Library"
    before, before_folders = tree(*roots), folders(*roots)

    dry = job_json("daily", "--task", "organize", "--dry-run", home=home)
    assert dry["status"] == "ok" and tree(*roots) == before  # nothing touched
    planned = {(m["old_path"], m["new_path"]) for m in dry["plan"]}
    assert len(planned) == len(PDFS) + 1  # every PDF in Downloads and the wiki page; Keep/ stays

    real = job_json("daily", "--task", "organize", home=home)
    assert real["status"] == "ok" and real["counts"]["moved"] == len(planned)
    assert {(m["old_path"], m["new_path"]) for m in real["plan"]} == planned  # the dry run told the truth
    after = tree(*roots)
    assert sorted(after.values()) == sorted(before.values())  # nothing lost, nothing doubled
    moved_to = {new for _, new in planned}
    assert all(p in after for p in moved_to) and not any(old in after for old, _ in planned)

    # do not move
    assert str(documents / "Keep" / "simple1.pdf") in after
    # the conflict: the file already there is untouched, the receipt came in beside it
    receipt_dir = library / "Finance" / "receipt"
    assert (receipt_dir / PDFS[0]).read_bytes() == (corpus_pdf / "simple3.pdf").read_bytes()
    assert (receipt_dir / f"{PDFS[0][:-4]} (1).pdf").exists()
    # hostile tag values: everything stays inside the library, one folder per value
    for path in moved_to:
        relative = Path(path).relative_to(library)
        assert ".." not in relative.parts and "\x00" not in path
        assert all(len(part.encode()) <= 255 for part in relative.parts)
    tagged = [Path(p).relative_to(library).parts for p in moved_to if "/Tagged/" in p]
    assert tagged and all(len(parts) == 3 for parts in tagged)

    # the change logs, in the locations the files came from
    logs = sorted((downloads / ".km").glob("changes-*.jsonl")) + sorted((desktop / ".km").glob("changes-*.jsonl"))
    entries = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    assert {(e["old_path"], e["new_path"]) for e in entries} == planned
    for entry in entries:
        assert {"date", "file", "old_path", "new_path", "reason", "tags", "run", "rule"} <= entry.keys()
        assert entry["run"] == real["run_id"] and entry["reason"].startswith("rule '")
    assert any("receipt" in e["tags"] for e in entries)

    # the graph follows: same nodes, new paths, a Move each, and km show tells the story
    assert_graph_matches_disk(home, *roots)
    assert graph_rows(home, "MATCH (m:Move) RETURN count(*)") == [[len(planned)]]
    shown = run_km("show", str(downloads / PDFS[1]), home=home)
    assert shown.returncode == 0 and "rule 'money'" in shown.stdout and "Finance/invoice" in shown.stdout

    # a second daily job moves nothing more and loses nothing
    again = job_json("daily", home=home)
    assert again["counts"]["moved"] == 0 and again["counts"]["new"] == 0 and again["counts"]["missing"] == 0
    assert_graph_matches_disk(home, *roots)

    preview = run_km("undo", "--last", "--dry-run", "--json", home=home)
    assert preview.returncode == 0 and len(json.loads(preview.stdout)["moves"]) == len(planned)
    assert tree(*roots) == after
    undone = run_km("undo", "--last", "--json", home=home)
    assert undone.returncode == 0, undone.stderr
    result = json.loads(undone.stdout)
    assert len(result["moves"]) == len(planned) and not result["problems"]
    assert tree(*roots) == before  # the exact original tree: paths and contents
    assert folders(*roots) == before_folders  # the folders the moves made are gone again
    assert_graph_matches_disk(home, *roots)
    logged = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    undo_entries = [e for e in logged if e["action"] == "undo"]
    assert len(logged) == 2 * len(entries)  # the undo is logged too, beside the moves it undid
    assert sorted(e["undoes"] for e in undo_entries) == sorted(e["id"] for e in entries)
    nothing = run_km("undo", "--last", "--json", home=home)
    assert nothing.returncode == 0 and json.loads(nothing.stdout)["moves"] == []


def notes_home(home: Path, tmp_path: Path, extra: str = "", count: int = 6) -> tuple[Path, Path]:
    inbox, library = tmp_path / "Inbox", tmp_path / "Library"
    make_notes(inbox, count)
    library.mkdir()
    config = f"""
[organize]
library = "{library}"
settle_minutes = 0
{extra}
[[organize.rules]]
name = "notes"
extension = "txt"
destination = "Notes/{{ext}}"
"""
    prepare(home, [inbox, library], config)
    return inbox, library


def test_conflicts_can_be_skipped(km_home: Path, tmp_path: Path) -> None:
    inbox, library = notes_home(km_home, tmp_path, 'on_conflict = "skip"', count=3)
    taken = library / "Notes" / "txt" / "note-001.txt"
    taken.parent.mkdir(parents=True)
    taken.write_text("already here")
    summary = job_json("daily", "--task", "organize", home=km_home)
    assert summary["counts"]["moved"] == 2 and summary["counts"]["organize_refused"] == 1
    assert (inbox / "note-001.txt").exists() and taken.read_text() == "already here"


def test_a_file_still_being_written_waits(km_home: Path, tmp_path: Path) -> None:
    inbox, _ = notes_home(km_home, tmp_path, count=2)
    config = km_home / "config" / "km.toml"
    config.write_text(config.read_text().replace("settle_minutes = 0", "settle_minutes = 30"))
    summary = job_json("daily", "--task", "organize", home=km_home)
    assert summary["counts"]["moved"] == 0 and summary["counts"]["organize_refused"] == 2
    assert sorted(p.name for p in inbox.iterdir()) == ["note-000.txt", "note-001.txt"]


def test_undo_after_a_second_run_and_when_things_changed(km_home: Path, tmp_path: Path) -> None:
    inbox, library = notes_home(km_home, tmp_path, count=4)
    original = tree(inbox, library)
    first = job_json("daily", "--task", "organize", home=km_home)
    assert first["counts"]["moved"] == 4
    make_notes(inbox, 2, seed=1, prefix="later")
    second = job_json("daily", home=km_home)
    assert second["counts"]["moved"] == 2, second
    # undo by run id: only the second run's files come back
    done = run_km("undo", "--run", second["run_id"], "--json", home=km_home)
    assert done.returncode == 0 and len(json.loads(done.stdout)["moves"]) == 2
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["later-000.txt", "later-001.txt"]
    again = run_km("undo", "--run", second["run_id"], home=km_home)
    assert again.returncode == 2 and "undone already" in again.stderr

    # now the first run, with one file changed since and one original spot taken
    changed = library / "Notes" / "txt" / "note-000.txt"
    changed.write_text(changed.read_text() + "edited after the move\n")
    (inbox / "note-001.txt").write_text("a new file in the old spot")
    done = run_km("undo", "--since", "2000-01-01", "--json", home=km_home)
    assert done.returncode == 1  # not everything could be undone
    result = json.loads(done.stdout)
    assert [p["path"] for p in result["problems"]] == [str(changed)]
    assert "changed since" in result["problems"][0]["problem"]
    assert (inbox / "note-001 (1).txt").exists() and (
        inbox / "note-001.txt"
    ).read_text() == "a new file in the old spot"
    assert changed.exists()  # left where it is
    job_json("daily", "--task", "discover", home=km_home)  # the new file and the edit are news to km
    assert_graph_matches_disk(km_home, inbox, library)
    restored = tree(inbox, library)
    for path, digest in original.items():
        if Path(path).name not in ("note-000.txt", "note-001.txt"):
            assert restored[path] == digest


def test_undo_needs_to_be_told_what(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path])
    for args in ([], ["--last", "--since", "2026-01-01"], ["--since", "yesterday"]):
        done = run_km("undo", *args, home=km_home)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
    done = run_km("undo", "--last", home=km_home)
    assert done.returncode == 0 and "nothing to move back" in done.stderr


def test_organize_is_a_task_of_its_own(km_home: Path, tmp_path: Path) -> None:
    inbox, library = notes_home(km_home, tmp_path, count=2)
    shown = run_km("job", "daily", "--task", "organize", "--dry-run", home=km_home)
    assert shown.returncode == 0 and shown.stderr.count("would move") == 2
    assert f"{inbox}/note-000.txt\n    -> {library}/Notes/txt/note-000.txt" in shown.stderr
    summary = job_json("daily", "--task", "organize", home=km_home)
    assert set(summary["steps"]) - {"search_index"} == {"organize"}
    assert summary["counts"]["moved"] == 2 and summary["counts"]["tagged"] == 0
    assert sorted(p.name for p in (library / "Notes" / "txt").iterdir()) == ["note-000.txt", "note-001.txt"]
