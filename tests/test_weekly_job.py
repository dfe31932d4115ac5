"""The weekly job end to end through the real `km` command: notes, calendars, photos, analytics."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import graph_rows, job_json, run_km, write_config

NOTESTORES = {
    "NoteStore-macOS-13-Ventura.sqlite": {
        ("This is a note", "Notes"),
        ("This note has special formatting", "Notes"),
        ("This is a deeply buried note", "Folder2/Subfolder/Subsubfolder"),
        ("This note has tags", "Notes"),
        ("This note is password protected", "Notes"),
        ("This note is in a subfolder", "Folder2/Subfolder"),
        ("This note is in a folder", "Folder"),
    },
    "NoteStore-macOS-15-Sequoia.sqlite": {
        ("This is a note", "Notes"),
        ("This note has tags", "Notes"),
        ("This note has special formatting", "Notes"),
        ("This note has an attachment", "Notes"),
        ("This note is password protected", "Notes"),
        ("This note is in Folder", "Folder"),
        ("This note is in a subfolder", "Folder2/Subfolder"),
        ("This note is deeply buried", "Folder2/Subfolder/Subsubfolder"),
    },
    "NoteStore-macOS-26-Tahoe.sqlite": {
        ("This is a note in a subfolder", "Folder2/Subfolder"),
        ("This is a deeply buried note", "Folder2/Subfolder/Subsubfolder"),
        ("This note is in a folder", "Folder"),
        ("This note is password protected", "Notes"),
        ("This note has special formatting", "Notes"),
        ("This note has tags", "Notes"),
        ("This is a note", "Notes"),
    },
}


def _copy(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    if source.is_dir():
        shutil.copytree(source, target)
        for path in target.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
    else:
        shutil.copyfile(source, target)
        target.chmod(0o644)
    return target


def _plugins(home: Path, text: str) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "plugins.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", sorted(NOTESTORES))
def test_every_notestore_version_lands_its_notes(km_home: Path, corpus: Path, tmp_path: Path, name: str) -> None:
    store = _copy(corpus / "notes" / name, tmp_path / "notes")
    write_config(km_home, [tmp_path / "empty"])
    summary = job_json("weekly", "--task", "notes", "--path", str(store), home=km_home)
    assert summary["status"] == "ok", summary
    rows = graph_rows(km_home, "MATCH (n:Note) RETURN n.title, n.folder, n.account, n.status, n.text, n.created")
    assert {(r[0], r[1]) for r in rows} == NOTESTORES[name]
    assert all(r[2] == "On My Mac" for r in rows)
    by_title = {r[0]: r for r in rows}
    locked = by_title["This note is password protected"]
    assert locked[3] == "encrypted" and locked[4] == ""
    assert "This is a secret" not in json.dumps(rows)
    assert "not in a folder" in by_title["This is a note"][4]
    assert all(isinstance(r[5], str) and r[5].startswith("2025-0") for r in rows), rows
    tagged = graph_rows(km_home, "MATCH (n:Note)-[e:TAGGED]->(t:Tag {name: 'encrypted'}) RETURN n.title, e.source")
    assert tagged == [["This note is password protected", "km"]]
    # tagged with the same hooks as files: every note has a type, and its why
    types = graph_rows(km_home, "MATCH (n:Note)-[e:TAGGED]->(t:Tag) WHERE e.`primary` RETURN n.title, e.why")
    assert {r[0] for r in types} >= {title for title, _ in NOTESTORES[name]} - {"This note is password protected"}
    assert all(r[1] for r in types)


def test_notes_sync_is_incremental_and_marks_deleted_missing(km_home: Path, corpus: Path, tmp_path: Path) -> None:
    store = _copy(corpus / "notes" / "NoteStore-macOS-15-Sequoia.sqlite", tmp_path / "notes")
    write_config(km_home, [tmp_path / "empty"])
    first = job_json("weekly", "--task", "notes", "--path", str(store), home=km_home)
    assert first["counts"]["notes_new"] == 8 and first["counts"]["tagged"] == 8

    again = job_json("weekly", "--task", "notes", "--path", str(store), home=km_home)
    assert again["counts"]["notes_new"] == 0 and again["counts"]["notes_changed"] == 0
    assert again["counts"]["tagged"] == 0, "an unchanged note is not tagged again"

    with sqlite3.connect(store) as db:  # what Notes does when a note is edited, and one is deleted
        db.execute("DROP TRIGGER IF EXISTS ZICCLOUDSYNCINGOBJECT_ZFOLDER_INVERSE_UPDATE")
        db.execute(
            "UPDATE ZICCLOUDSYNCINGOBJECT SET ZTITLE1 = 'Renamed in Notes', "
            "ZMODIFICATIONDATE1 = ZMODIFICATIONDATE1 + 60 WHERE ZTITLE1 = 'This is a note'"
        )
        db.execute("UPDATE ZICCLOUDSYNCINGOBJECT SET ZMARKEDFORDELETION = 1 WHERE ZTITLE1 = 'This note is in Folder'")
    third = job_json("weekly", "--task", "notes", "--path", str(store), home=km_home)
    assert third["counts"]["notes_changed"] == 1 and third["counts"]["notes_missing"] == 1, third["counts"]
    assert third["counts"]["tagged"] == 1
    rows = dict(graph_rows(km_home, "MATCH (n:Note) RETURN n.title, n.status"))
    assert rows["Renamed in Notes"] == "ok" and rows["This note is in Folder"] == "missing"
    assert "This is a note" not in rows, "the renamed note keeps its node"


def test_corrupt_notestore_is_a_clear_error_and_the_rest_of_the_job_runs(
    km_home: Path, corpus: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "NoteStore.sqlite"
    broken.write_bytes(b"this is not a database at all" * 100)
    calendars = _copy(corpus / "ics" / "meetup-timed-tz.ics", tmp_path / "cal")
    _plugins(km_home, f'[plugin.apple-notes]\npath = "{broken}"\n[plugin.calendar]\npaths = ["{calendars}"]\n')
    write_config(km_home, [tmp_path / "empty"])
    done = run_km("job", "weekly", "--json", home=km_home)
    summary = json.loads(done.stdout)
    assert done.returncode in (0, 1), done.stderr
    assert summary["steps"].keys() >= {"notes", "calendar", "photos", "analytics"}
    error = next(e for e in summary["errors"] if e["step"] == "notes")
    assert "is not a NoteStore database" in error["error"] and str(broken) in error["error"]
    assert summary["counts"]["calendar_new"] == 1
    assert graph_rows(km_home, "MATCH (e:Event) RETURN e.summary") == [["Phoenix Drupal User Group Monthly Meetup"]]
    assert "not configured or not present" in " ".join(summary["notes"])  # photos: nothing set


def test_weekly_with_nothing_configured_skips_each_source_quietly(km_home: Path, tmp_path: Path) -> None:
    write_config(km_home, [tmp_path / "empty"])
    done = run_km("job", "weekly", "--json", home=km_home)
    summary = json.loads(done.stdout)
    assert done.returncode == 0 and summary["status"] == "ok", summary
    assert {"notes_skipped", "calendar_skipped", "photos_skipped"} <= summary["counts"].keys()
    assert summary["errors"] == []
    log = Path(summary["log_file"]).read_text(encoding="utf-8")
    assert "no NoteStore to read" in log and "ERROR" not in log


# Events in the corpus with the default window (a year back, three months ahead): every single
# event, and only the occurrences of endless series that fall in the window
SINGLE_EVENTS = {
    "example.ics": 3,
    "tentative-apple-calendar.ics": 4,
    "one_event.ics": 1,
    "Germany_Holidays.ics": 34,
    "multi-event-basic.ics": 8,  # 9 VEVENTs; 'Foobar' has DTSTART 'Next Year' and is skipped
    "meetup-timed-tz.ics": 1,
    "tripit-location-escaping.ics": 47,
    "calendar_with_events_and_todos.ics": 2,
    "sabredav-school-holidays.ics": 1,
    "duration_instead_of_dtend.ics": 1,
    "utf8-french-calendar.ics": 0,
}


def test_calendars_land_with_counts_zones_and_a_broken_file_skipped(
    km_home: Path, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "calendars"
    for name in SINGLE_EVENTS:
        _copy(corpus / "ics" / name, folder / "nested")
    _copy(corpus / "ics" / "event_10_times.ics", folder)
    (folder / "broken.ics").write_bytes((corpus / "ics" / "example.ics").read_bytes()[:300])
    write_config(km_home, [tmp_path / "empty"])
    summary = job_json("weekly", "--task", "calendar", "--path", str(folder), home=km_home)
    assert summary["status"] in ("ok", "warning"), summary
    broken = [e for e in summary["errors"] if e["path"].endswith("broken.ics")]
    assert broken and broken[0]["step"] == "calendar"
    rows = graph_rows(km_home, "MATCH (e:Event) RETURN e.file, e.summary, e.start, e.all_day, e.recurring")
    per_file: dict[str, int] = {}
    for file, *_ in rows:
        per_file[Path(file).name] = per_file.get(Path(file).name, 0) + 1
    # a series that ends is history, imported whole (event_10_times ran in January 2020)
    assert per_file.get("event_10_times.ics", 0) == 10
    for name, count in SINGLE_EVENTS.items():
        assert per_file.get(name, 0) == count, name
    starts: dict[str, str] = {}
    for _, summary_text, start, *_ in rows:
        starts[summary_text] = min(starts.get(summary_text, start), start)
    assert starts["Phoenix Drupal User Group Monthly Meetup"].startswith("2011-11-10T02:00")  # 19:00 Phoenix
    assert starts["Tentative"].startswith("2022-07-04T23:00")
    assert starts["event 10 times"].startswith("2020-01-13T06:45")
    assert any(r[1] == "Sommerferien Sachsen" and r[3] for r in rows)

    # a calendar file that is gone from a folder read to the end takes its events with it
    (folder / "nested" / "example.ics").unlink()
    again = job_json("weekly", "--task", "calendar", "--path", str(folder), home=km_home)
    assert again["counts"]["calendar_missing"] == 3 and again["counts"]["calendar_new"] == 0, again["counts"]


def test_an_endless_series_is_bounded_and_what_leaves_the_window_stays(
    km_home: Path, corpus: Path, tmp_path: Path
) -> None:
    calendar = _copy(corpus / "ics" / "daily_recur.ics", tmp_path / "cal")  # daily since 2012, no end
    write_config(km_home, [tmp_path / "empty"])
    first = job_json("weekly", "--task", "calendar", "--path", str(calendar), home=km_home)
    assert 450 <= first["counts"]["calendar_new"] <= 460  # a year back and 90 days ahead, one a day
    _plugins(km_home, "[plugin.calendar]\npast_days = 30\n")
    second = job_json("weekly", "--task", "calendar", "--path", str(calendar), home=km_home)
    assert second["counts"]["calendar_missing"] == 0, "last year's occurrences still happened"
    assert (
        graph_rows(km_home, "MATCH (e:Event) WHERE e.status = 'ok' RETURN count(*)")[0][0]
        == first["counts"]["calendar_new"]
    )
    (tmp_path / "cal" / "daily_recur.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n", encoding="utf-8"
    )
    third = job_json("weekly", "--task", "calendar", "--path", str(calendar), home=km_home)
    assert third["counts"]["calendar_missing"] == first["counts"]["calendar_new"], "the series itself is gone"


def _event_file(folder: Path, start: str, end: str, summary: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mine.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//km test//EN\r\nX-WR-CALNAME:Work\r\n"
        f"BEGIN:VEVENT\r\nUID:kickoff-1\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\n"
        "LOCATION:Room 4\r\nATTENDEE;CN=Sarah Johnson:mailto:sarah@example.com\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:photo-day\r\nDTSTART;VALUE=DATE:20181013\r\nDTEND;VALUE=DATE:20181014\r\n"
        "SUMMARY:London trip\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    return path


def test_events_link_to_files_notes_and_photos_of_their_time(km_home: Path, corpus: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    during = docs / "minutes.md"
    during.write_text("# Minutes\n\nNotes taken at the meeting about the budget.\n", encoding="utf-8")
    stamp = datetime(2024, 3, 5, 10, 30, tzinfo=UTC).timestamp()
    os.utime(during, (stamp, stamp))
    words = docs / "plan.md"
    words.write_text("# Plan\n\nThe Quarterly Kickoff agenda: goals, hiring and the roadmap.\n", encoding="utf-8")
    for i in range(3):
        (docs / f"other{i}.md").write_text(f"# Other {i}\n\nSomething else entirely, number {i}.\n", encoding="utf-8")
    write_config(km_home, [docs])
    assert job_json("daily", home=km_home)["status"] == "ok"
    calendar = _event_file(tmp_path / "cal", "20240305T100000Z", "20240305T113000Z", "Quarterly Kickoff")
    library = _copy(corpus / "photos" / "Test-14.0.0.photoslibrary", tmp_path / "photos")
    _plugins(km_home, f'[plugin.calendar]\npaths = ["{calendar}"]\n[plugin.photos]\nlibraries = ["{library}"]\n')
    summary = job_json("weekly", home=km_home)
    assert summary["status"] == "ok", summary
    edges = graph_rows(
        km_home, "MATCH (e:Event)-[r:RELATED]-(o) RETURN e.summary, r.kind, coalesce(o.name, o.title), r.why"
    )
    found = {(e, kind, other) for e, kind, other, _ in edges}
    assert ("Quarterly Kickoff", "during", "minutes.md") in found
    assert ("Quarterly Kickoff", "keyword", "plan.md") in found
    assert ("London trip", "same_day", "St James Park.jpg") in found
    why = next(w for e, kind, other, w in edges if kind == "during")
    assert "2024-03-05" in why and "Quarterly Kickoff" in why
    attendees = graph_rows(km_home, "MATCH (e:Event {summary: 'Quarterly Kickoff'}) RETURN e.attendees, e.calendar")
    assert attendees == [[["Sarah Johnson"], "Work"]]


def test_photos_library_and_folder(km_home: Path, corpus: Path, tmp_path: Path) -> None:
    library = _copy(corpus / "photos" / "Test-14.0.0.photoslibrary", tmp_path / "lib")
    folder = _copy(corpus / "photos" / "exif", tmp_path / "folder")
    (folder / "broken.jpg").write_bytes((folder / "DSCN0010.jpg").read_bytes()[:5000])
    _plugins(km_home, f'[plugin.photos]\nlibraries = ["{library}"]\nfolders = ["{folder}"]\n')
    write_config(km_home, [tmp_path / "empty"])
    summary = job_json("weekly", "--task", "photos", home=km_home)
    assert summary["status"] in ("ok", "warning"), summary
    rows = graph_rows(km_home, "MATCH (p:Photo) RETURN p.name, p.taken, p.lat, p.lon, p.present, p.status, p.camera")
    by_name = {r[0]: r for r in rows}
    assert len([r for r in rows if r[0] in {"Pumpkins3.jpg", "wedding.jpg", "IMG_4547.jpg"}]) == 3
    assert "IMG_1064.jpeg" not in by_name and "wedding_edited.jpg" not in by_name  # in the trash
    park = by_name["St James Park.jpg"]
    assert park[1].startswith("2018-10-13T13:18:12") and abs(park[2] - 51.50357) < 1e-4 and park[4] is True
    assert by_name["Pumpkins4.jpg"][4] is False
    dscn = by_name["DSCN0010.jpg"]
    assert dscn[1].startswith("2008-10-22T16:28:39") and abs(dscn[2] - 43.467448) < 1e-5
    assert abs(dscn[3] - 11.885127) < 1e-5 and dscn[6] == "NIKON COOLPIX P6000"
    assert by_name["Canon_40D.jpg"][2] is None
    assert by_name["broken.jpg"][5] == "failed"
    keyworded = graph_rows(
        km_home, "MATCH (p:Photo)-[e:TAGGED]->(t:Tag) WHERE e.source = 'photos' RETURN p.name, t.name"
    )
    assert ["wedding.jpg", "wedding"] in keyworded and ["Pumkins1.jpg", "kids"] in keyworded  # Photos' keywords
    missing = graph_rows(km_home, "MATCH (p:Photo)-[:TAGGED]->(:Tag {name: 'original-missing'}) RETURN p.name")
    assert ["Pumpkins4.jpg"] in missing and ["St James Park.jpg"] not in missing
    search = json.loads(run_km("search", "pumpkins", "--json", home=km_home).stdout)
    assert any("Pumkins1.jpg" in hit["path"] or hit["title"] == "Can we carry this?" for hit in search["results"])


def test_analytics_snapshot_is_written_and_read_back(km_home: Path, corpus: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(corpus / "text", docs)
    write_config(km_home, [docs])
    job_json("daily", home=km_home)
    store = _copy(corpus / "notes" / "NoteStore-macOS-15-Sequoia.sqlite", tmp_path / "notes")
    _plugins(km_home, f'[plugin.apple-notes]\npath = "{store}"\n')
    job_json("weekly", home=km_home)
    done = run_km("analytics", "--json", home=km_home)
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(done.stdout)
    assert snapshot["items"]["file"] == 12 and snapshot["items"]["note"] == 8
    assert snapshot["relationships"]["edges"] > 0
    assert snapshot["tag_frequency"]["top"] and snapshot["tag_frequency"]["tags"] > 10
    assert len(snapshot["time_vs_output"]["weeks"]) == 27
    assert snapshot["history"] and snapshot["history"][-1]["generated"] == snapshot["generated"]
    assert {"clusters", "gaps", "cross_domain"} <= snapshot.keys()
    human = run_km("analytics", home=km_home)
    assert "knowledge clusters" in human.stdout and "time versus output" in human.stdout


def test_text_in_photos_is_read_through_km_ocr_and_screenshots_are_left(
    km_home: Path, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "Pictures"
    _copy(corpus / "images" / "markitdown-test.jpg", folder)  # a photo of a paper's first page, with EXIF
    _copy(corpus / "photos" / "exif" / "DSCN0010.jpg", folder)  # a landscape
    _copy(corpus / "images" / "bill.png", folder / "shots")
    shutil.copyfile(corpus / "images" / "bill.png", folder / "shots" / "Screenshot 2024-01-02 at 10.00.00.png")
    _plugins(km_home, f'[plugin.photos]\nfolders = ["{folder}"]\n')
    write_config(km_home, [tmp_path / "empty"])
    summary = job_json("weekly", "--task", "photos", home=km_home)
    assert summary["status"] == "ok", summary
    rows = {r[0]: r[1:] for r in graph_rows(km_home, "MATCH (p:Photo) RETURN p.name, p.text, p.ocr_conf, p.taken")}
    paper = rows["markitdown-test.jpg"]
    assert "AutoGen" in paper[0] and paper[1] > 0 and paper[2].startswith("2024-03-14T22:10:00")
    assert rows["DSCN0010.jpg"][1] == 0.0, "a landscape is not read"
    assert rows["Screenshot 2024-01-02 at 10.00.00.png"][1] == 0.0, "screenshots are the daily job's"
    assert summary["counts"]["photo_ocr"] == 2  # the paper and the bank statement photo (bill.png)
    found = json.loads(run_km("search", "AutoGen", "--json", home=km_home).stdout)["results"]
    assert found and found[0]["kind"] == "photo"
    again = job_json("weekly", "--task", "photos", home=km_home)
    assert again["counts"].get("photo_ocr", 0) == 0 and again["counts"]["photos_changed"] == 0


def test_a_notestore_held_locked_by_notes_is_read_from_a_copy_and_left_untouched(
    km_home: Path, corpus: Path, tmp_path: Path
) -> None:
    store = _copy(corpus / "notes" / "NoteStore-macOS-13-Ventura.sqlite", tmp_path / "notes")
    before = (store.read_bytes(), store.stat().st_mtime_ns, sorted(p.name for p in store.parent.iterdir()))
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as Notes does while it writes
    try:
        summary = job_json("weekly", "--task", "notes", "--path", str(store), home=km_home)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert summary["status"] == "ok" and summary["counts"]["notes_new"] == 7, summary
    after = (store.read_bytes(), store.stat().st_mtime_ns, sorted(p.name for p in store.parent.iterdir()))
    assert after == before


def test_records_related_in_many_batches_keep_every_edge_they_report(
    km_home: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from km_core import weekly_relate
    from km_core.config import load
    from km_core.plugins import reset
    from km_core.run import RunOptions
    from km_core.runner import run_job
    from km_core.store import open_graph

    folder = tmp_path / "calendars"
    for name in ("tripit-location-escaping.ics", "Germany_Holidays.ics", "multi-event-basic.ics"):
        _copy(corpus / "ics" / name, folder)
    write_config(km_home, [tmp_path / "empty"])
    reset()
    monkeypatch.setattr(weekly_relate, "BATCH", 7)  # many batches: edges between them must survive
    options = RunOptions(task="calendar", path=str(folder))
    summary = run_job(load(), "weekly", options)
    assert summary.status == "ok", summary.notes
    with open_graph(load(), read_only=True) as graph:
        stored = graph.scalar("MATCH (e:Event)-[r:RELATED]->() RETURN count(*)")
        twice = graph.scalar(
            "MATCH (a:Event)-[r:RELATED]->(b:Event), (b)-[s:RELATED]->(a) WHERE r.kind = s.kind RETURN count(*)"
        )
    assert summary.counts["relations"] == stored > 0
    assert twice == 0, "one edge per pair and kind"
    again = run_job(load(), "weekly", options)
    assert again.counts["related"] == 0, "nothing changed: nothing related again"


def test_daily_and_weekly_together_keep_both_in_the_collection_index(
    km_home: Path, corpus: Path, tmp_path: Path
) -> None:
    import pickle
    import subprocess

    from conftest import KM

    docs = tmp_path / "docs"
    shutil.copytree(corpus / "text", docs)
    store = _copy(corpus / "notes" / "NoteStore-macOS-15-Sequoia.sqlite", tmp_path / "notes")
    write_config(km_home, [docs])
    env = {**os.environ, "KM_HOME": str(km_home)}
    env.pop("KM_LOAD_PLUGINS", None)
    assert job_json("daily", home=km_home)["status"] == "ok"  # the index is fitted; both jobs now add to it
    for n in range(3):
        (docs / f"new-{n}.md").write_text(f"# New {n}\n\nA budget forecast for the campaign, part {n}.\n")
    daily = subprocess.Popen([KM, "job", "daily", "--quiet"], env=env)
    weekly = subprocess.Popen([KM, "job", "weekly", "--task", "notes", "--path", str(store), "--quiet"], env=env)
    assert daily.wait(timeout=600) == 0 and weekly.wait(timeout=600) == 0
    with (km_home / "state" / "collection.pkl").open("rb") as handle:
        index = pickle.load(handle)
    indexed = {i for i in index.ids if i}
    files = {r[0] for r in graph_rows(km_home, "MATCH (f:File) WHERE size(f.text) > 0 RETURN f.id")}
    notes = {r[0] for r in graph_rows(km_home, "MATCH (n:Note) WHERE size(n.text) > 0 RETURN n.id")}
    assert files and notes and files | notes <= indexed, (len(files - indexed), len(notes - indexed))


def test_a_camera_clock_without_zone_is_read_as_local_time(km_home: Path, corpus: Path, tmp_path: Path) -> None:
    folder = _copy(corpus / "photos" / "exif" / "DSCN0010.jpg", tmp_path / "Pictures").parent  # 16:28:39, no offset
    _plugins(km_home, f'[plugin.photos]\nfolders = ["{folder}"]\n')
    write_config(km_home, [tmp_path / "empty"])
    job_json("weekly", "--task", "photos", home=km_home, env={"TZ": "Europe/Rome"})  # Tuscany, in October: UTC+2
    assert graph_rows(km_home, "MATCH (p:Photo) RETURN p.taken")[0][0].startswith("2008-10-22T14:28:39")


def test_a_notes_hashtags_are_its_tags(km_home: Path, corpus: Path, tmp_path: Path) -> None:
    store = _copy(corpus / "notes" / "NoteStore-macOS-15-Sequoia.sqlite", tmp_path / "notes")
    write_config(km_home, [tmp_path / "empty"])
    job_json("weekly", "--task", "notes", "--path", str(store), home=km_home)
    rows = graph_rows(
        km_home, "MATCH (n:Note)-[e:TAGGED]->(t:Tag) WHERE e.source = 'apple-notes' RETURN n.title, t.name"
    )
    assert sorted(rows) == [["This note has tags", "travel"], ["This note has tags", "vacation"]]
