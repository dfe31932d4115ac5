"""The daily job end to end through the real `km` command, a real Kùzu graph on disk."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

from conftest import graph_rows, job_json, run_km, write_config


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def test_corpus_lands_in_graph_with_text(km_home: Path, corpus_copy, corpus: Path) -> None:
    docs = corpus_copy("pdf", "docx", "text")
    write_config(km_home, [docs])
    summary = job_json("daily", home=km_home)
    total = sum(1 for p in docs.rglob("*") if p.is_file())
    assert summary["status"] == "ok", summary
    assert summary["counts"]["discovered"] == total
    assert summary["counts"]["new"] == total
    assert summary["counts"]["extracted"] == total

    rows = graph_rows(km_home, "MATCH (f:File) RETURN f.name, f.status, f.text, f.pages, f.title, f.extractor")
    by_name = {r[0]: r for r in rows}
    assert len(by_name) == total

    expected = _norm((corpus / "expected/pdf/crazyones.txt").read_text(encoding="utf-8"))
    crazy = _norm(by_name["crazyones.pdf"][2])
    assert expected[:200] in crazy or crazy[:200] in expected, crazy[:300]

    invoice = by_name["issue-625-identity-cmap.pdf"]
    assert invoice[1] == "ok" and "Termin płatności: 2021-05-03" in _norm(invoice[2])

    secret = by_name["encrypted-aes-128.pdf"]
    assert secret[1] == "encrypted" and secret[2] == ""

    assert by_name["multi-page-digital.pdf"][3] == 3
    assert by_name["c02-22-scanned.pdf"][1] == "empty"  # image-only: waits for OCR
    headings = _norm(by_name["unit_test_headers.docx"][2])
    assert "Test Document Section 1 Paragraph 1.1" in headings and "Section 2.1.1" in headings
    assert by_name["duck.md"][5] == "text"

    tagged = graph_rows(km_home, "MATCH (f:File)-[:TAGGED]->(t:Tag {name: 'encrypted'}) RETURN f.name")
    assert tagged == [["encrypted-aes-128.pdf"]]

    search = json.loads(run_km("search", "Faktura", "--json", home=km_home).stdout)
    assert search["results"][0]["path"].endswith("issue-625-identity-cmap.pdf")


def test_rerun_rename_modify_delete(km_home: Path, corpus_copy) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    first = job_json("daily", home=km_home)
    assert first["counts"]["new"] == 12

    second = job_json("daily", home=km_home)
    assert second["counts"]["new"] == 0
    assert second["counts"]["modified"] == 0
    assert second["counts"]["extracted"] == 0
    assert second["counts"]["unchanged"] == 12

    wiki = docs / "text" / "wiki.md"
    (old_id,) = graph_rows(km_home, f"MATCH (f:File {{path: '{wiki}'}}) RETURN f.id")[0]
    renamed = docs / "renamed-wiki.md"
    wiki.rename(renamed)
    duck = docs / "text" / "duck.md"
    duck.write_text(duck.read_text(encoding="utf-8") + "\nA new paragraph about herons.\n", encoding="utf-8")
    gone = docs / "text" / "fake-text.txt"
    (gone_id,) = graph_rows(km_home, f"MATCH (f:File {{path: '{gone}'}}) RETURN f.id")[0]
    gone.unlink()

    third = job_json("daily", home=km_home)
    counts = third["counts"]
    assert (counts["new"], counts["renamed"], counts["modified"], counts["missing"]) == (0, 1, 1, 1)
    assert counts["extracted"] == 1  # only the modified file: the renamed one keeps its text

    assert graph_rows(km_home, f"MATCH (f:File {{id: '{old_id}'}}) RETURN f.path, f.status") == [[str(renamed), "ok"]]
    assert graph_rows(km_home, f"MATCH (f:File {{id: '{gone_id}'}}) RETURN f.status") == [["missing"]]
    text = graph_rows(km_home, f"MATCH (f:File {{path: '{duck}'}}) RETURN f.text")[0][0]
    assert "herons" in text
    assert graph_rows(km_home, "MATCH (f:File) RETURN count(*)") == [[12]]


def test_moved_back_after_missing_keeps_node(km_home: Path, corpus_copy, tmp_path: Path) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    job_json("daily", home=km_home)
    source = docs / "text" / "wiki.md"
    (item_id,) = graph_rows(km_home, f"MATCH (f:File {{path: '{source}'}}) RETURN f.id")[0]
    parked = tmp_path / "parked.md"
    shutil.move(source, parked)
    assert job_json("daily", home=km_home)["counts"]["missing"] == 1
    shutil.move(parked, docs / "back.md")
    counts = job_json("daily", home=km_home)["counts"]
    assert counts["renamed"] == 1 and counts["new"] == 0
    assert graph_rows(km_home, f"MATCH (f:File {{id: '{item_id}'}}) RETURN f.name, f.status") == [["back.md", "ok"]]


def test_ignore_patterns_symlinks_and_path_option(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "keep").mkdir(parents=True)
    (root / "node_modules" / "pkg").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "keep" / "a.txt").write_text("alpha", encoding="utf-8")
    (root / "other.txt").write_text("beta", encoding="utf-8")
    (root / "node_modules" / "pkg" / "index.txt").write_text("ignored", encoding="utf-8")
    (root / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    (root / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (root / "download.crdownload").write_text("partial", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside the root", encoding="utf-8")
    os.symlink(outside, root / "link-to-outside")
    os.symlink(outside / "secret.txt", root / "link.txt")
    write_config(km_home, [root])

    scoped = job_json("daily", "--path", str(root / "keep"), home=km_home)
    assert scoped["counts"]["discovered"] == 1
    whole = job_json("daily", home=km_home)
    assert whole["counts"]["discovered"] == 2 and whole["counts"]["new"] == 1
    assert whole["counts"]["missing"] == 0
    names = sorted(r[0] for r in graph_rows(km_home, "MATCH (f:File) RETURN f.name"))
    assert names == ["a.txt", "other.txt"]


def test_dry_run_writes_nothing(km_home: Path, corpus_copy) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    summary = job_json("daily", "--dry-run", home=km_home)
    assert summary["counts"]["new"] == 12
    assert graph_rows(km_home, "MATCH (f:File) RETURN count(*)") == [[0]]
    assert graph_rows(km_home, "MATCH (r:Run) RETURN count(*)") == [[0]]


def test_run_is_recorded_in_graph_state_and_logs(km_home: Path, corpus_copy) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    summary = job_json("daily", "--manual", home=km_home)
    run = graph_rows(km_home, f"MATCH (r:Run {{id: '{summary['run_id']}'}}) RETURN r.job, r.status, r.counts")
    assert run[0][:2] == ["daily", "ok"]
    assert json.loads(run[0][2])["new"] == 12
    state = json.loads((km_home / "state" / "jobs" / "daily.json").read_text())
    assert state["last_run"]["run_id"] == summary["run_id"] and state["running"] is None
    status = json.loads(run_km("status", "--json", home=km_home).stdout)
    assert status["jobs"]["daily"]["last_run"]["status"] == "ok"

    log_text = Path(summary["log_file"]).read_text(encoding="utf-8")
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[INFO\] \[runner\] starting daily job", log_text, re.M)
    assert re.search(r"^Context: steps: discover, ocr, extract", log_text, re.M)
    assert list((km_home / "logs" / "processing").glob("discovery_*.log"))
    assert list((km_home / "logs" / "system").glob("performance_*.log"))
    assert list((km_home / "data" / "backups").glob("graph-*.kuzu")), "a good run leaves a backup"


def test_corrupt_files_are_logged_tagged_and_skipped(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>>\ngarbage")
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "fine.txt").write_text("all good here", encoding="utf-8")
    (root / "fine2.txt").write_text("and here", encoding="utf-8")
    (root / "fine3.txt").write_text("and here too", encoding="utf-8")
    write_config(km_home, [root])
    done = run_km("job", "daily", "--json", home=km_home)
    summary = json.loads(done.stdout)
    assert summary["counts"]["failed"] == 2
    assert {Path(e["path"]).name for e in summary["errors"]} == {"broken.pdf", "broken.docx"}
    assert summary["status"] == "warning" and done.returncode == 0  # 2 of 5 failed: over 10%, under 50%
    tagged = graph_rows(km_home, "MATCH (f:File)-[e:TAGGED]->(:Tag {name: 'extract-failed'}) RETURN f.name, e.why")
    assert sorted(r[0] for r in tagged) == ["broken.docx", "broken.pdf"]
    errors_log = next((km_home / "logs" / "jobs").glob("errors_*.log")).read_text(encoding="utf-8")
    assert "broken.pdf" in errors_log and "Context: path:" in errors_log


def test_scan_cache_is_used_only_when_it_matches_the_graph(km_home: Path, corpus_copy) -> None:
    docs = corpus_copy("text")
    write_config(km_home, [docs])
    job_json("daily", home=km_home)
    state = km_home / "state"
    first = {p: p.read_bytes() for p in state.glob("scan-cache-*")}
    assert sorted(p.suffix for p in first) == [".rows", ".stat"]
    summary = job_json("daily", home=km_home)
    assert "12 known files, read from the scan cache" in Path(summary["log_file"]).read_text(encoding="utf-8")

    (docs / "text" / "wiki.md").unlink()
    assert job_json("daily", home=km_home)["counts"]["missing"] == 1
    second = set(state.glob("scan-cache-*"))
    assert second.isdisjoint(first), "a change of the files makes a new generation"
    # only a stale snapshot (an older generation, which still lists wiki.md) is left:
    # the next run must read the graph instead of trusting it
    for path in second:
        path.unlink()
    for path, data in first.items():
        path.write_bytes(data)
    again = job_json("daily", home=km_home)
    assert again["counts"]["missing"] == 0 and again["counts"]["unchanged"] == 11
    log = Path(again["log_file"]).read_text(encoding="utf-8").splitlines()
    assert any("11 known files, read from the graph" in line for line in log[-40:])
