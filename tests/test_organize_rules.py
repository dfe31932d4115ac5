"""Organising rules: validation at load, matching, templates, and the safety checks on every plan."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from km_core.api import Item, Tag
from km_core.config import parse
from km_core.errors import ConfigError
from km_core.organize.plan import NAME_BYTES, fit_name, plan_for, render, sanitise, why_matches
from km_core.organize.rules import MoveRule, OrganizeConfig
from km_core.organize.safety import Refused, check_destination, check_source, free_name, protected

DAY = 86_400


def config(rules: str, head: str = 'library = "/lib"') -> OrganizeConfig:
    return parse(f"[organize]\n{head}\n{rules}").organize


def error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return caught.value


def item(path: str = "/home/u/Downloads/Report Q3.pdf", size: int = 2000, age_days: float = 3) -> Item:
    return Item(
        path=path, id="i1", size=size, mtime_ns=int((time.time() - age_days * DAY) * 1e9), ext=Path(path).suffix
    )


TAGS = [
    Tag("invoice", "type", 0.9, "doctype", True),
    Tag("finance", "rule", 1.0, "rules", True),
    Tag("acme corp", "entity", 0.8, "entities", True, label="ORG", count=4),
    Tag("quarterly report", "keyword", 0.7, "keywords", False),
    Tag("Jane Roe", "entity", 0.0, "mentions", False, label="PERSON", count=1),
]


# --- validation -------------------------------------------------------------


def test_a_full_rule_set_loads() -> None:
    org = config(
        """do_not_move = ["Keep", "~/Documents/Projects/*"]
settle_minutes = 5
on_conflict = "skip"
[[organize.rules]]
name = "invoices"
type = "invoice"
tags_any = ["finance", "tax"]
entity = ["Acme Corp"]
location = "~/Downloads"
extension = [".PDF", "docx"]
older_than_days = 1
newer_than_days = 400
min_size = "1 KB"
max_size = "2 MiB"
destination = "Finance/{year}/{month}/{entity}"
"""
    )
    rule = org.rules[0]
    assert org.enabled and org.on_conflict == "skip" and org.settle_minutes == 5
    assert rule.type == ["invoice"] and rule.extension == ["pdf", "docx"]
    assert (rule.min_size, rule.max_size) == (1000, 2 * 1024**2)
    assert not rule.names_file and MoveRule("n", "{tag}/{name}.{ext}").names_file
    assert not MoveRule("n", "Notes/{ext}").names_file  # a folder named after the extension


@pytest.mark.parametrize(
    ("rules", "key", "words"),
    [
        ('[[organize.rules]]\nname = "a"\ndestination = "{tags}"', "organize.rules[0].destination", "{tags}"),
        ('[[organize.rules]]\nname = "a"\ndestination = "/etc/{tag}"', "organize.rules[0].destination", "relative"),
        ('[[organize.rules]]\nname = "a"\ndestination = "x/../../y"', "organize.rules[0].destination", ".."),
        ('[[organize.rules]]\nname = "a"\ndestination = "{year"', "organize.rules[0].destination", "braces"),
        ('[[organize.rules]]\nname = "a"', "organize.rules[0].destination", "missing"),
        ('[[organize.rules]]\ndestination = "x"', "organize.rules[0].name", "missing"),
        ('[[organize.rules]]\nname = "a"\ndestination = "x"\ncolour = "red"', "organize.rules[0].colour", "unknown"),
        ('[[organize.rules]]\nname = "a"\ndestination = "x"\nmin_size = "big"', "organize.rules[0].min_size", "size"),
        ('[[organize.rules]]\nname = "a"\ndestination = "x"\ntags_all = [1]', "organize.rules[0].tags_all", "list"),
        (
            '[[organize.rules]]\nname = "a"\ndestination = "x"\n[[organize.rules]]\nname = "a"\ndestination = "y"',
            "organize.rules",
            "two rules",
        ),
        ('on_conflict = "overwrite"', "organize.on_conflict", "rename or skip"),
    ],
)
def test_bad_rules_are_named_with_a_fix(rules: str, key: str, words: str) -> None:
    found = error(f'[organize]\nlibrary = "/lib"\n{rules}')
    assert found.key == key and words in str(found)
    assert found.hint


def test_rules_need_a_library() -> None:
    found = error('[organize]\n[[organize.rules]]\nname = "a"\ndestination = "x"')
    assert found.key == "organize.library" and "library" in found.hint


def test_no_library_or_no_rules_means_nothing_is_organised() -> None:
    assert not parse("").organize.enabled
    assert not config("").enabled


# --- matching and templates --------------------------------------------------


def rule(**kw: object) -> MoveRule:
    return MoveRule(**{"name": "r", "destination": "x", **kw})  # type: ignore[arg-type]


def test_every_condition_must_hold() -> None:
    now = time.time()
    doc = item()
    assert why_matches(rule(type=["invoice"]), doc, TAGS, now) == "type invoice"
    assert why_matches(rule(type=["contract"]), doc, TAGS, now) is None
    assert why_matches(rule(tags_all=["finance", "invoice"]), doc, TAGS, now) == "tags finance, invoice"
    assert why_matches(rule(tags_all=["finance", "tax"]), doc, TAGS, now) is None
    assert why_matches(rule(tags_any=["tax", "Finance"]), doc, TAGS, now) == "tag Finance"
    assert why_matches(rule(entity=["ACME CORP"]), doc, TAGS, now) == "mentions acme corp"
    assert why_matches(rule(entity=["jane roe"]), doc, TAGS, now) == "mentions Jane Roe"  # mentioned, not a tag
    assert why_matches(rule(location=["/home/u/Downloads"]), doc, TAGS, now) == "in /home/u/Downloads"
    assert why_matches(rule(location=["/home/u/Down"]), doc, TAGS, now) is None  # a folder, not a prefix
    assert why_matches(rule(extension=["pdf"]), doc, TAGS, now) == "extension pdf"
    assert why_matches(rule(extension=["docx"]), doc, TAGS, now) is None
    assert why_matches(rule(older_than_days=2), doc, TAGS, now) == "3 days old"
    assert why_matches(rule(older_than_days=5), doc, TAGS, now) is None
    assert why_matches(rule(newer_than_days=2), doc, TAGS, now) is None
    assert why_matches(rule(min_size=3000), doc, TAGS, now) is None
    assert why_matches(rule(max_size=3000), doc, TAGS, now) == "2,000 bytes"
    assert why_matches(rule(type=["invoice"], extension=["docx"]), doc, TAGS, now) is None


def test_templates_fill_in_the_item() -> None:
    doc = item()
    stamp = time.gmtime(doc.mtime_ns / 1e9)
    year, month = f"{stamp.tm_year:04d}", f"{stamp.tm_mon:02d}"
    assert render(rule(destination="{type}/{year}/{month}"), doc, TAGS, "/lib") == (
        f"/lib/invoice/{year}/{month}/Report Q3.pdf"
    )
    # {tag}: the first of the rule's tags the item has, else its strongest primary tag
    assert (
        render(MoveRule("r", "{tag}", tags_any=["tax", "finance"]), doc, TAGS, "/lib") == "/lib/finance/Report Q3.pdf"
    )
    assert render(rule(destination="{tag}/{entity}/{name}-{year}.{ext}"), doc, TAGS, "/lib") == (
        f"/lib/finance/acme corp/Report Q3-{year}.pdf"
    )
    # an item without a value for a placeholder is not moved by that rule
    assert render(rule(destination="{entity}"), doc, [TAGS[0]], "/lib") is None


def test_the_first_matching_rule_wins() -> None:
    org = OrganizeConfig(
        library="/lib",
        rules=[
            MoveRule("contracts", "Contracts", type=["contract"]),
            MoveRule("people", "People/{entity}", entity=["nobody"]),
            MoveRule("invoices", "Finance/{type}", type=["invoice"]),
            MoveRule("everything", "Other"),
        ],
    )
    plan = plan_for(org, item(), TAGS)
    assert plan is not None
    assert (plan.rule, plan.destination) == ("invoices", "/lib/Finance/invoice/Report Q3.pdf")
    assert plan.reason == "rule 'invoices': type invoice"
    assert plan_for(org, item(), []).rule == "everything"  # type: ignore[union-attr]


@pytest.mark.parametrize("hostile", ["../../etc", "a/b", "x" * 300, "nul\x00byte", "..", "CON", "\\..\\..\\win", " . "])
def test_hostile_tag_values_stay_one_folder_inside_the_library(hostile: str) -> None:
    tags = [Tag(hostile, "manual", 1.0, "manual", True)]
    destination = render(MoveRule("r", "{tag}/{name}.{ext}", tags_any=[hostile]), item(), tags, "/lib")
    if destination is None:  # nothing usable was left of the value: the rule does not apply
        assert sanitise(hostile) == ""
        return
    assert os.path.normpath(destination) == destination
    folder = Path(destination).relative_to("/lib").parts
    assert len(folder) == 2 and folder[1] == "Report Q3.pdf"
    assert "\x00" not in destination and ".." not in folder[0] and "/" not in folder[0]
    assert len(folder[0]) <= 100 and folder[0].upper() != "CON"
    assert check_destination(destination, "/lib") == destination


def test_names_are_cut_to_what_a_file_system_takes() -> None:
    long = "é" * 200 + ".pdf"
    cut = fit_name(long)
    assert len(cut.encode()) <= NAME_BYTES and cut.endswith(".pdf")
    doc = item(path="/d/" + "n" * 300 + ".pdf")
    destination = render(rule(destination="{name}.{ext}"), doc, TAGS, "/lib")
    assert destination is not None and len(Path(destination).name.encode()) <= NAME_BYTES


# --- safety ------------------------------------------------------------------


def test_destinations_outside_the_library_or_through_symlinks_are_refused(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    (library / "real").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (library / "link").symlink_to(tmp_path / "elsewhere")
    for bad in ["/etc/passwd", f"{library}/../x.pdf", f"{library}x/a.pdf", "relative/a.pdf", f"{library}/a\x01b.pdf"]:
        with pytest.raises(Refused):
            check_destination(bad, str(library))
    with pytest.raises(Refused, match="symlink"):
        check_destination(f"{library}/link/a.pdf", str(library))
    assert check_destination(f"{library}/real/a.pdf", str(library)) == f"{library}/real/a.pdf"


def test_sources_must_be_settled_regular_files(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("x")
    (tmp_path / "link.txt").symlink_to(target)
    with pytest.raises(Refused, match="symlink"):
        check_source(str(tmp_path / "link.txt"), 0)
    with pytest.raises(Refused, match="being written"):
        check_source(str(target), 10)
    assert check_source(str(target), 10, now=time.time() + 3600).st_size == 1
    with pytest.raises(Refused, match="no longer"):
        check_source(str(tmp_path / "gone.txt"), 0)


def test_do_not_move_patterns() -> None:
    root = "/home/u/Documents"
    assert protected(f"{root}/Keep/a.pdf", ["Keep"], root) == "Keep"
    assert protected(f"{root}/Work/Keep/deep/a.pdf", ["Keep"], root) == "Keep"
    assert protected(f"{root}/Keeper/a.pdf", ["Keep"], root) == ""
    assert protected(f"{root}/Projects/x/a.pdf", [f"{root}/Projects"], root)
    assert protected(f"{root}/a.pdf", ["*.pdf"], root) == "*.pdf"
    # only folders below the monitored root count
    assert protected("/home/Keep/Documents/a.pdf", ["Keep"], "/home/Keep/Documents") == ""


def test_free_names_count_up(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_text("1")
    (tmp_path / "a (1).pdf").write_text("2")
    assert free_name(str(tmp_path / "a.pdf"), set()) == str(tmp_path / "a (2).pdf")
    assert free_name(str(tmp_path / "a.pdf"), {str(tmp_path / "a (2).pdf")}) == str(tmp_path / "a (3).pdf")
    assert free_name(str(tmp_path / "b.pdf"), set()) == str(tmp_path / "b.pdf")
