"""Tagging through the real daily job: spaCy, yake, the type rules, topics, rules and `km tag`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import graph_rows, job_json, write_config

from km_core.config import load
from km_core.store import open_graph

RULES = """
[[tag_rules]]
tag = "finance"
keyword = "grand total"

[[tag_rules]]
tag = "tax"
regex = "(?i)\\\\bVAT\\\\b"
name = "VAT means tax"

[[tag_rules]]
tag = "from-the-web"
path = "*.md"

[[tag_rules]]
tag = "techmart"
entity = "TECHMART"
"""


@pytest.fixture(scope="module")
def tagged_home(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """One home with the corpus documents tagged by the daily job (spaCy is slow to load: share it)."""
    base = tmp_path_factory.mktemp("tagged")
    docs = base / "docs"
    for folder in ("pdf", "docx", "text"):
        shutil.copytree(corpus / folder, docs / folder)
    for path in docs.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    home = base / "home"
    write_config(home, [docs], RULES)
    summary = job_json("daily", home=home)
    assert summary["status"] == "ok", summary
    assert summary["counts"]["tagged"] == summary["counts"]["discovered"] == 47
    return home


def entities(home: Path, name: str) -> dict[str, str]:
    rows = graph_rows(
        home, f"MATCH (f:File {{name: '{name}'}})-[:MENTIONS]->(e:Entity) RETURN e.name, e.label ORDER BY e.name"
    )
    return dict(rows)


def tags(home: Path, name: str) -> dict[str, dict]:
    rows = graph_rows(
        home,
        f"MATCH (f:File {{name: '{name}'}})-[e:TAGGED]->(t:Tag) "
        "RETURN t.name, t.kind, e.weight, e.source, e.`primary`, e.why",
    )
    return {r[0]: {"kind": r[1], "weight": r[2], "source": r[3], "primary": r[4], "why": r[5]} for r in rows}


def test_known_entities_are_found(tagged_home: Path) -> None:
    # the people, organisations and places corpus/MANIFEST.md lists for these files
    receipt = entities(tagged_home, "RECEIPT-2024-TXN-98765_retail_purchase.pdf")
    assert receipt.get("San Francisco") == "PLACE"
    assert receipt.get("Emily Rodriguez") == "PERSON"
    assert receipt.get("TECHMART") == "ORG"
    booking = entities(tagged_home, "movie-theater-booking-2024.pdf")
    assert booking.get("Sarah Johnson") == booking.get("Michael Chen") == "PERSON"
    repair = entities(tagged_home, "REPAIR-2022-INV-001_multipage.pdf")
    assert repair.get("Gabriel Diaz") == repair.get("Ellis Turner") == "PERSON"
    assert repair.get("Redmond") == "PLACE"
    wiki = entities(tagged_home, "wiki.md")
    assert wiki.get("IBM") == "ORG"
    assert wiki.get("Armonk") == wiki.get("New York") == "PLACE"
    assert entities(tagged_home, "fake-text.txt").get("Doylestown") == "PLACE"
    counts = graph_rows(
        tagged_home, "MATCH (:File {name: 'wiki.md'})-[m:MENTIONS]->(e:Entity {name: 'IBM'}) RETURN m.count"
    )
    assert counts[0][0] >= 5


def test_tags_have_weights_sources_and_why(tagged_home: Path) -> None:
    wiki = tags(tagged_home, "wiki.md")
    assert any("ibm" in name or "business machines" in name for name, t in wiki.items() if t["kind"] == "keyword")
    assert wiki["article"]["primary"] and wiki["article"]["kind"] == "type"
    assert "ibm" in wiki and wiki["ibm"]["kind"] == "entity"  # the most mentioned entity is a tag too
    for name, tag in wiki.items():
        assert 0 < tag["weight"] <= 1, name
        assert tag["why"], f"tag {name} has no why"
    keyword = next(t for t in wiki.values() if t["source"] == "keywords")
    assert "yake score" in keyword["why"] and "language en" in keyword["why"]
    receipt = tags(tagged_home, "RECEIPT-2024-TXN-98765_retail_purchase.pdf")
    assert receipt["receipt"]["primary"] and "cashier" in receipt["receipt"]["why"]
    # every item has exactly one primary type, and the column says the same
    rows = graph_rows(
        tagged_home,
        "MATCH (f:File)-[e:TAGGED]->(t:Tag {kind: 'type'}) WHERE e.`primary` "
        "RETURN f.name, f.doc_type, collect(t.name)",
    )
    assert len(rows) == 47
    assert all(names == [doc_type] for _, doc_type, names in rows), rows
    invoice = tags(tagged_home, "issue-625-identity-cmap.pdf")
    assert invoice["invoice"]["primary"]


def test_user_tag_rules(tagged_home: Path) -> None:
    invoice = tags(tagged_home, "REPAIR-2022-INV-001_multipage.pdf")
    wiki = tags(tagged_home, "wiki.md")
    receipt = tags(tagged_home, "RECEIPT-2024-TXN-98765_retail_purchase.pdf")
    polish = tags(tagged_home, "issue-625-identity-cmap.pdf")
    assert wiki["from-the-web"]["kind"] == "rule" and wiki["from-the-web"]["primary"]
    assert "path matches '*.md'" in wiki["from-the-web"]["why"]
    assert "tax" in polish and "rule 'VAT means tax'" in polish["tax"]["why"]
    assert "techmart" in receipt and "mentions ORG 'TECHMART'" in receipt["techmart"]["why"]
    assert "from-the-web" not in receipt and "from-the-web" not in invoice
    finance = {
        r[0] for r in graph_rows(tagged_home, "MATCH (f:File)-[:TAGGED]->(:Tag {name: 'finance'}) RETURN f.name")
    }
    texts = graph_rows(tagged_home, "MATCH (f:File) WHERE lower(f.text) CONTAINS 'grand total' RETURN f.name")
    assert finance == {r[0] for r in texts} and finance


def test_topics_name_themselves_by_their_top_words(tagged_home: Path) -> None:
    rows = graph_rows(tagged_home, "MATCH (f:File)-[e:TAGGED]->(t:Tag {kind: 'topic'}) RETURN t.name, e.why, e.weight")
    assert rows
    for name, why, weight in rows:
        assert name.split("-")[0] in why and "top words" in why
        assert 0.25 <= weight <= 1


def forget(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KM_HOME", str(home))
    with open_graph(load()) as graph:
        graph.execute("MATCH (f:File) SET f.tagged_hash = '', f.related_hash = ''")


def test_rerun_is_idempotent_and_retag_gives_the_same_edges(tagged_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    census = (
        "MATCH (f:File)-[e:TAGGED]->(t:Tag) RETURN count(*), count(DISTINCT f.id + '|' + t.name)",
        "MATCH (f:File)-[m:MENTIONS]->(e:Entity) RETURN count(*), count(DISTINCT f.id + '|' + e.id)",
        "MATCH (a:File)-[r:RELATED]->(b:File) RETURN count(*), count(DISTINCT a.id + '|' + b.id + '|' + r.kind)",
    )
    before = [graph_rows(tagged_home, q)[0] for q in census]
    assert all(total == distinct and total > 0 for total, distinct in before), before
    again = job_json("daily", home=tagged_home)
    assert again["counts"]["tagged"] == 0 and again["counts"]["related"] == 0
    assert [graph_rows(tagged_home, q)[0] for q in census] == before
    snapshot = graph_rows(
        tagged_home, "MATCH (f:File)-[e:TAGGED]->(t:Tag) RETURN f.name, t.name, e.weight ORDER BY f.name, t.name"
    )
    # forget that anything was tagged or related: a full retag writes the same, no duplicates
    forget(tagged_home, monkeypatch)
    full = job_json("daily", home=tagged_home)
    assert full["counts"]["tagged"] == 47 and full["counts"]["related"] == 47
    assert [graph_rows(tagged_home, q)[0] for q in census] == before
    after = graph_rows(
        tagged_home, "MATCH (f:File)-[e:TAGGED]->(t:Tag) RETURN f.name, t.name, e.weight ORDER BY f.name, t.name"
    )
    assert after == snapshot
