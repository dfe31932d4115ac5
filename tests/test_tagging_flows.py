"""Tagging flows a user lives through: your own tags, learned types, fallbacks, retries, weekly topics."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import graph_rows, job_json, run_km, write_config
from messages_server import serve

INVOICE = "Invoice number {n}. Bill to Contoso Ltd. Amount due {n}00 EUR by the due date. VAT included. Pay to IBAN."
NOTES = "Minutes of the weekly sync {n}. Attendees: Ana, Ben, Chloe. Agenda: roadmap, hiring. Action items: Ben."
RECIPE = "Recipe {n}: whisk two eggs with flour and milk, rest the batter, fry thin pancakes in butter, serve warm."


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tags_of(home: Path, path: Path) -> dict[str, tuple[str, str, bool]]:
    shown = json.loads(run_km("show", str(path), "--json", home=home).stdout)
    return {t["name"]: (t["kind"], t["source"], t["primary"]) for t in shown["tags"]}


def test_your_tags_win_and_teach_the_classifier(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    recipes = [write(root, f"recipe-{n}.txt", RECIPE.format(n=n) * 3) for n in range(6)]
    cards = [write(root, f"card-{n}.txt", (NOTES.format(n=n) + " Pancakes for the team.") * 3) for n in range(6)]
    write_config(km_home, [root], "[tagging]\nclassifier_min_examples = 6\n")
    assert job_json("daily", home=km_home)["status"] == "ok"
    # the rules call the recipes "other"; the user says they are manuals (a cookbook), and one card a letter
    assert tags_of(km_home, recipes[0])["other"][0] == "type"
    for path in recipes[:5]:
        done = run_km("tag", str(path), "manual", "cooking", home=km_home)
        assert done.returncode == 0, done.stderr
    for path in cards[:5]:
        assert run_km("tag", str(path), "meeting-notes", home=km_home).returncode == 0
    mine = tags_of(km_home, recipes[0])
    assert mine["manual"] == ("type", "manual", True) and mine["cooking"] == ("manual", "manual", True)

    summary = job_json("daily", home=km_home)
    assert summary["counts"]["tagged"] == 10  # the ones you tagged, re-merged around your tags
    mine = tags_of(km_home, recipes[0])
    assert [n for n, t in mine.items() if t[0] == "type"] == ["manual"], "your type replaces km's"
    # the untouched recipe is typed by what the classifier learned from your ten
    learned_rows = graph_rows(
        km_home,
        f"MATCH (f:File {{path: '{recipes[5]}'}})-[e:TAGGED]->(t:Tag {{kind: 'type'}}) RETURN t.name, e.source, e.why",
    )
    assert learned_rows == [] or learned_rows[0][1] != "learned"  # recipe 5 was tagged before there was a model
    write(root, "recipe-new.txt", RECIPE.format(n=99) * 3)
    assert job_json("daily", home=km_home)["counts"]["tagged"] == 1
    new_type = graph_rows(
        km_home,
        f"MATCH (f:File {{path: '{root / 'recipe-new.txt'}'}})-[e:TAGGED]->(t:Tag {{kind: 'type'}}) "
        "RETURN t.name, e.source, e.why",
    )
    assert new_type[0][0] == "manual" and new_type[0][1] == "learned", new_type
    assert "learned from the 10 items whose type you confirmed" in new_type[0][2]
    assert (km_home / "state" / "type-model.pkl").is_file()

    # removing your tag gives the item back to km
    assert run_km("tag", str(recipes[0]), "cooking", "--remove", home=km_home).returncode == 0
    assert "cooking" not in tags_of(km_home, recipes[0])
    missing = run_km("tag", str(root / "nope.txt"), "x", home=km_home)
    assert missing.returncode == 2 and "no item" in missing.stderr


def test_no_spacy_model_falls_back_to_rules_and_says_so_once(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    for n in range(3):
        write(root, f"letter-{n}.txt", f"Dear Dr. Jane Smith, Acme Widgets Ltd. writes from Doylestown, PA 18901. {n}")
    write_config(km_home, [root])
    (km_home / "config" / "plugins.toml").write_text('[plugin.entities]\nmodel = "no_such_model"\n', encoding="utf-8")
    summary = job_json("daily", home=km_home)
    assert summary["status"] == "ok" and summary["counts"]["tagged"] == 3
    found = graph_rows(km_home, "MATCH (:File)-[:MENTIONS]->(e:Entity) RETURN DISTINCT e.name, e.label ORDER BY e.name")
    assert (
        ["Acme Widgets Ltd", "ORG"] in found and ["Jane Smith", "PERSON"] in found and ["Doylestown", "PLACE"] in found
    )
    log = next((km_home / "logs" / "processing").glob("tagging_*.log")).read_text()
    assert log.count("no spaCy model no_such_model installed") == 1


def test_ai_tagger_falls_back_and_retries_next_run(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    path = write(root, "invoice.txt", INVOICE.format(n=7) * 3)
    write_config(km_home, [root])
    with serve() as server:
        (km_home / "config" / "plugins.toml").write_text(
            f'[plugin.ai]\nenabled = true\nbase_url = "{server.url}"\ntimeout_s = 5\n', encoding="utf-8"
        )
        env = {"ANTHROPIC_API_KEY": "sk-test-secret-key"}
        server.set("429")
        first = job_json("daily", home=km_home, env=env)
        assert first["status"] == "ok" and first["plugin_failures"] == {"ai": 1}
        local = tags_of(km_home, path)
        assert local["invoice"][1] == "doctype"  # local tagging carried on
        pending = graph_rows(km_home, "MATCH (f:File) RETURN f.tag_pending")
        assert pending == [["ai"]]
        api_log = next((km_home / "logs" / "system").glob("api_*.log")).read_text()
        assert "429" in api_log and "sk-test-secret-key" not in api_log

        server.set("ok", reply=json.dumps({"type": "invoice", "tags": [{"name": "Contoso", "why": "the payer"}]}))
        second = job_json("daily", home=km_home, env=env)
        assert second["counts"]["tagged"] == 1 and not second["plugin_failures"]
        now = tags_of(km_home, path)
        assert "ai" in now["contoso"][1] and "ai" in now["invoice"][1]  # both agree on the type
        assert graph_rows(km_home, "MATCH (f:File) RETURN f.tag_pending") == [[""]]
        sent = server.requests[-1].body
        assert "Contoso" in json.dumps(sent)
    third = job_json("daily", home=km_home, env=env)
    assert third["counts"]["tagged"] == 0  # nothing pending: the server is not asked again


def test_weekly_refits_topics_without_leaving_orphans(km_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    for n in range(8):
        write(root, f"invoice-{n}.txt", INVOICE.format(n=n) * 4)
        write(root, f"recipe-{n}.txt", RECIPE.format(n=n) * 4)
    write_config(km_home, [root])
    assert job_json("daily", home=km_home)["status"] == "ok"
    weekly = job_json("weekly", home=km_home)
    assert weekly["status"] == "ok" and weekly["counts"]["topics"] >= 2
    topics = graph_rows(km_home, "MATCH (f:File)-[e:TAGGED]->(t:Tag {kind: 'topic'}) RETURN f.name, t.name")
    assert len(topics) == weekly["counts"]["topic_tags"] >= 16
    by_file = {}
    for name, topic in topics:
        by_file.setdefault(name, set()).add(topic)
    invoice_topics = set.union(*(v for k, v in by_file.items() if k.startswith("invoice")))
    recipe_topics = set.union(*(v for k, v in by_file.items() if k.startswith("recipe")))
    assert not invoice_topics & recipe_topics, "invoices and recipes are different topics"
    orphans = graph_rows(
        km_home, "MATCH (t:Tag {kind: 'topic'}) WHERE NOT EXISTS { MATCH (:File)-[:TAGGED]->(t) } RETURN count(*)"
    )
    assert orphans == [[0]]
    again = job_json("weekly", home=km_home)
    assert graph_rows(km_home, "MATCH (:File)-[e:TAGGED]->(:Tag {kind: 'topic'}) RETURN count(*)") == [
        [again["counts"]["topic_tags"]]
    ]


def test_a_bad_tag_rule_names_the_field_and_the_fix(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path], '[[tag_rules]]\ntag = "x"\nregex = "(unclosed"\n')
    done = run_km("job", "daily", home=km_home)
    assert done.returncode == 2
    assert "tag_rules[0].regex" in done.stderr and "not a valid regular expression" in done.stderr
    write_config(km_home, [tmp_path], '[[tag_rules]]\ntag = "x"\nkeyword = "a"\npath = "*.md"\n')
    done = run_km("job", "daily", home=km_home)
    assert done.returncode == 2 and "needs exactly one of keyword, regex, path, entity" in done.stderr
