"""Relationships through the real daily job: similar, same day/week, shared tags, cross-domain."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from conftest import graph_rows, job_json, write_config

BUDGET = (
    "The quarterly budget review for the marketing department covers advertising spend, campaign costs, "
    "agency retainers and the forecast for the coming quarter. Advertising spend rose because the spring "
    "campaign ran longer than planned, while agency retainers stayed flat. The forecast assumes campaign "
    "costs fall after the product launch. The budget committee asks every team lead to review the forecast, "
    "flag any advertising commitments not yet invoiced, and confirm retainers before the next quarter. "
)
GARDEN = (
    "Tomatoes need full sun, deep watering twice a week and a trellis once the vines pass knee height. "
    "Pinch the suckers early, mulch the beds against weeds, and feed the plants with compost tea in July. "
    "Basil planted between the rows keeps pests away and tastes wonderful with the first ripe tomatoes. "
)
TRIP = (
    "Travel notes: the train to Berlin leaves at nine. Meeting Anna Schmidt from Acme Corporation at the "
    "Berlin office to talk about the new warehouse. Acme Corporation pays for the hotel near Alexanderplatz. "
)
CONTRACT = (
    "Service agreement between Acme Corporation and Northwind Traders. Acme Corporation provides warehouse "
    "services in Berlin. Signed in Berlin by Anna Schmidt for Acme Corporation. "
)
RULES = "".join(f'\n[[tag_rules]]\ntag = "{t}"\npath = "*notes-*"\n' for t in ("alpha", "beta", "gamma"))


def day(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def make_tree(root: Path) -> dict[str, Path]:
    files = {
        "budget": root / "work" / "budget.txt",
        "budget2": root / "work" / "budget-copy.txt",
        "garden": root / "personal" / "garden.txt",
        "trip": root / "personal" / "trip.txt",
        "contract": root / "work" / "contract.txt",
        "notes_a": root / "personal" / "notes-a.txt",
        "notes_b": root / "personal" / "notes-b.txt",
    }
    texts = {
        "budget": BUDGET * 2,
        "budget2": BUDGET * 2 + "One more line about retainers.",
        "garden": GARDEN * 2,
        "trip": TRIP,
        "contract": CONTRACT,
        "notes_a": "Remember to call the plumber about the kitchen sink on Friday morning, before work.",
        "notes_b": "Library books are due back next Tuesday; the reading group meets upstairs at seven.",
    }
    dates = {
        "budget": "2024-03-05T10:00",
        "budget2": "2024-03-05T16:00",  # same day
        "garden": "2024-03-07T09:00",  # same ISO week (Tue/Thu)
        "trip": "2024-05-01T09:00",
        "contract": "2024-08-01T09:00",
        "notes_a": "2023-01-10T09:00",
        "notes_b": "2023-06-10T09:00",
    }
    for key, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[key], encoding="utf-8")
        stamp = day(dates[key])
        os.utime(path, (stamp, stamp))
    return files


def edges(home: Path) -> list[tuple[str, str, str, float, str]]:
    rows = graph_rows(
        home, "MATCH (a:File)-[r:RELATED]->(b:File) RETURN a.name, b.name, r.kind, r.score, r.why ORDER BY r.kind"
    )
    return [tuple(r) for r in rows]


def linked(found: list, kind: str, x: str, y: str) -> tuple | None:
    return next((e for e in found if e[2] == kind and {e[0], e[1]} == {x, y}), None)


def test_relationships_say_why_and_stay_unique(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    files = make_tree(root)
    write_config(km_home, [root], RULES)
    first = job_json("daily", home=km_home)
    assert first["status"] == "ok", first
    assert first["counts"]["related"] == 7
    found = edges(km_home)

    similar = linked(found, "similar", "budget.txt", "budget-copy.txt")
    assert similar and similar[3] > 0.8 and "TF-IDF cosine" in similar[4] and "retainers" in similar[4]
    assert not linked(found, "similar", "budget.txt", "garden.txt")

    same_day = linked(found, "same_day", "budget.txt", "budget-copy.txt")
    assert same_day and "2024-03-05" in same_day[4] and 0 < same_day[3] <= 1
    same_week = linked(found, "same_week", "budget.txt", "garden.txt")
    assert same_week and "2024-03-07" in same_week[4]
    assert not linked(found, "same_day", "budget.txt", "garden.txt")
    assert not any(e[2] in ("same_day", "same_week") and "trip.txt" in e[:2] for e in found)

    shared = linked(found, "shared_tags", "notes-a.txt", "notes-b.txt")
    assert shared and "alpha, beta, gamma" in shared[4]

    cross = linked(found, "cross_domain", "trip.txt", "contract.txt")
    assert cross and "Acme Corporation" in cross[4] and "Berlin" in cross[4]
    assert not any(e[2] == "cross_domain" and {e[0], e[1]} <= {"budget.txt", "budget-copy.txt"} for e in found)

    keys = [(min(a, b), max(a, b), kind) for a, b, kind, _, _ in found]
    assert len(keys) == len(set(keys)), "one edge per pair and kind"

    again = job_json("daily", home=km_home)
    assert again["counts"]["related"] == 0
    assert edges(km_home) == found

    # a changed item's edges are recomputed; a gone item's edges are removed
    files["budget2"].write_text(GARDEN * 2 + " Compost and mulch.", encoding="utf-8")
    stamp = day("2024-03-05T16:00")
    os.utime(files["budget2"], (stamp, stamp))
    files["contract"].unlink()
    third = job_json("daily", home=km_home)
    assert third["counts"]["missing"] == 1 and third["counts"]["related"] == 1
    after = edges(km_home)
    assert not linked(after, "similar", "budget.txt", "budget-copy.txt")
    assert linked(after, "similar", "garden.txt", "budget-copy.txt")
    assert linked(after, "same_day", "budget.txt", "budget-copy.txt")  # still the same day
    assert not any("contract.txt" in e[:2] for e in after)
    keys = [(min(a, b), max(a, b), kind) for a, b, kind, _, _ in after]
    assert len(keys) == len(set(keys))

    # a renamed item keeps its node and text but is tagged and related again: path rules follow it
    files["notes_a"].rename(files["notes_a"].with_name("memo-a.txt"))
    fourth = job_json("daily", home=km_home)
    assert fourth["counts"]["renamed"] == 1 and fourth["counts"]["extracted"] == 0
    assert fourth["counts"]["tagged"] == 1 and fourth["counts"]["related"] == 1
    assert not linked(edges(km_home), "shared_tags", "memo-a.txt", "notes-b.txt")
    rule_tags = graph_rows(
        km_home, "MATCH (f:File {name: 'memo-a.txt'})-[:TAGGED]->(t:Tag {kind: 'rule'}) RETURN t.name"
    )
    assert rule_tags == []


def test_km_show_prints_tags_entities_and_related(km_home: Path, tmp_path: Path) -> None:
    from conftest import run_km

    root = tmp_path / "docs"
    files = make_tree(root)
    write_config(km_home, [root])
    assert job_json("daily", home=km_home)["status"] == "ok"
    shown = run_km("show", str(files["trip"]), home=km_home)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "why: " in out and "[type, primary" in out
    assert "Acme Corporation (ORG" in out and "Berlin (PLACE" in out
    assert "cross_domain:" in out and str(files["contract"]) in out
    as_json = run_km("show", str(files["trip"]), "--json", home=km_home)
    import json

    item = json.loads(as_json.stdout)
    assert {r["kind"] for r in item["related"]} >= {"cross_domain"}
    assert all(t["why"] for t in item["tags"])
